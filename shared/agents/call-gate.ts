/**
 * @module A cap on each agent's tool calls in flight: without it, one agent's burst (30 reads of one task at once,
 * 60 calls) queues behind Plane's throttle for minutes, past the 60 s an MCP client waits. Past the cap a call waits
 * briefly for a seat, first come first served; past that wait, or when too many already wait, it is refused at once
 * with a time to retry, so every call gets an answer within seconds. Other agents are never held: each has its own
 * seats.
 */

export type CallGateOptions = {
  /** Calls of one agent running at once. */
  maxInFlight: number
  /** How long a call past the cap waits for a seat before it is refused. */
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
  /** A seat for one call of `agentId` (call `leave` when the call ends), or the refusal to answer with. */
  enter(agentId: string): Promise<GateEntry>
  /** Calls of `agentId` running and waiting now. */
  load(agentId: string): { inFlight: number; queued: number }
}

type AgentCalls = { inFlight: number; waiting: Array<(entry: GateEntry) => void> }

export function createCallGate({
  maxInFlight,
  maxWaitMs,
  maxQueued = maxInFlight * 2,
  wait = _timer,
}: CallGateOptions): CallGate {
  const agents = new Map<string, AgentCalls>()
  const callsOf = (agentId: string) => {
    let calls = agents.get(agentId)
    if (!calls) {
      calls = { inFlight: 0, waiting: [] }
      agents.set(agentId, calls)
    }
    return calls
  }
  const retryAfterS = Math.max(1, Math.ceil(maxWaitMs / 1000))
  const refusal = (calls: AgentCalls): GateEntry => ({
    ok: false,
    inFlight: calls.inFlight,
    queued: calls.waiting.length,
    retryAfterS,
  })
  const seat = (agentId: string, calls: AgentCalls): GateEntry => {
    calls.inFlight++
    let left = false
    return {
      ok: true,
      leave() {
        if (left) return
        left = true
        const next = calls.waiting.shift()
        // The seat goes straight to the first waiter; none: it is free.
        if (next) next(seat(agentId, calls))
        calls.inFlight--
        if (calls.inFlight === 0 && calls.waiting.length === 0) agents.delete(agentId)
      },
    }
  }
  return {
    async enter(agentId) {
      const calls = callsOf(agentId)
      if (calls.inFlight < maxInFlight && calls.waiting.length === 0) return seat(agentId, calls)
      if (calls.waiting.length >= maxQueued || maxWaitMs <= 0) return refusal(calls)
      return new Promise<GateEntry>((resolve) => {
        let settled = false
        const take = (entry: GateEntry) => {
          if (settled) return entry.ok && entry.leave()
          settled = true
          resolve(entry)
        }
        calls.waiting.push(take)
        void wait(maxWaitMs).then(() => {
          if (settled) return
          const at = calls.waiting.indexOf(take)
          if (at !== -1) calls.waiting.splice(at, 1)
          settled = true
          resolve(refusal(calls))
        })
      })
    },
    load(agentId) {
      const calls = agents.get(agentId)
      return { inFlight: calls?.inFlight ?? 0, queued: calls?.waiting.length ?? 0 }
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
