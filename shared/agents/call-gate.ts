/**
 * @module A cap on each agent's tool calls in flight: without it, one agent's burst (30 reads of one task at once,
 * 60 calls) queues behind Plane's throttle for minutes, past the 60 s an MCP client waits. Past the cap a call waits
 * briefly for a slot, first come first served; past that wait, or when too many already wait, it is refused at once
 * with a time to retry, so every call gets an answer within seconds. Other agents are never held: each has its own
 * slots.
 */

export type CallGateOptions = {
  /** Calls of one agent running at once. */
  maxInFlight: number
  /** How long a call past the cap waits for a slot before it is refused. */
  maxWaitMs: number
  /** Calls of one agent waiting at most (more are refused at once); default twice the cap. */
  maxQueued?: number
  /** How a wait is timed; default setTimeout. */
  wait?: (ms: number) => Promise<void>
}

export type GateEntry =
  | { ok: true; leave(): void }
  | { ok: false; inFlight: number; queued: number; retryAfterS: number }

export type CallGate = {
  /** A slot for one call of `agentId` (call `leave` when the call ends), or the refusal to answer with. */
  enter(agentId: string): Promise<GateEntry>
  /** Calls of `agentId` running and waiting now. */
  load(agentId: string): { inFlight: number; queued: number }
}

type Lane = { inFlight: number; waiting: Array<(entry: GateEntry) => void> }

export function createCallGate({
  maxInFlight,
  maxWaitMs,
  maxQueued = maxInFlight * 2,
  wait = _timer,
}: CallGateOptions): CallGate {
  const lanes = new Map<string, Lane>()
  const laneOf = (agentId: string) => {
    let lane = lanes.get(agentId)
    if (!lane) {
      lane = { inFlight: 0, waiting: [] }
      lanes.set(agentId, lane)
    }
    return lane
  }
  const retryAfterS = Math.max(1, Math.ceil(maxWaitMs / 1000))
  const refusal = (lane: Lane): GateEntry => ({
    ok: false,
    inFlight: lane.inFlight,
    queued: lane.waiting.length,
    retryAfterS,
  })
  const slot = (agentId: string, lane: Lane): GateEntry => {
    lane.inFlight++
    let left = false
    return {
      ok: true,
      leave() {
        if (left) return
        left = true
        const next = lane.waiting.shift()
        // The slot goes straight to the first waiter; none: it is free.
        if (next) next(slot(agentId, lane))
        lane.inFlight--
        if (lane.inFlight === 0 && lane.waiting.length === 0) lanes.delete(agentId)
      },
    }
  }
  return {
    async enter(agentId) {
      const lane = laneOf(agentId)
      if (lane.inFlight < maxInFlight && lane.waiting.length === 0) return slot(agentId, lane)
      if (lane.waiting.length >= maxQueued || maxWaitMs <= 0) return refusal(lane)
      return new Promise<GateEntry>((resolve) => {
        let settled = false
        const take = (entry: GateEntry) => {
          if (settled) return entry.ok && entry.leave()
          settled = true
          resolve(entry)
        }
        lane.waiting.push(take)
        void wait(maxWaitMs).then(() => {
          if (settled) return
          const at = lane.waiting.indexOf(take)
          if (at !== -1) lane.waiting.splice(at, 1)
          settled = true
          resolve(refusal(lane))
        })
      })
    },
    load(agentId) {
      const lane = lanes.get(agentId)
      return { inFlight: lane?.inFlight ?? 0, queued: lane?.waiting.length ?? 0 }
    },
  }
}

function _timer(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    // A waiting call must not keep a stopping process alive.
    if (typeof timer === 'object' && 'unref' in timer) timer.unref()
  })
}
