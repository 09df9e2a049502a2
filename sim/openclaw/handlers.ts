/** @module Simulated `/hooks/agent` and `/hooks/wake` body rules, runs, wake events and idempotency (§4.5). */

export type HookAnswer = { status: number; body: Record<string, unknown> }

export type AgentRun = { runId: string; idempotencyKey?: string; body: Record<string, unknown> }

export type WakeEvent = {
  text: string
  mode: string
  agentId: string
  eventOutcome: 'queued' | 'coalesced'
}

export type HooksState = {
  legacy202: boolean
  allowedAgentIds?: string[]
  allowRequestSessionKey: boolean
  runs: AgentRun[]
  wakes: WakeEvent[]
  /** Agents with a wake request not yet processed: another wake coalesces into it. */
  pendingWake: Set<string>
  /** Idempotency-Key → the first answer and the body it was for. */
  seen: Map<string, { answer: HookAnswer; bodyJson: string }>
}

const WAKE_MODES = new Set(['now', 'next-heartbeat'])

export function handleAgent(
  state: HooksState,
  body: Record<string, unknown>,
  idempotencyKey: string | undefined
): HookAnswer {
  const invalid = _validateAgent(state, body)
  if (invalid) return _badRequest(invalid)
  return _once(state, `agent:${idempotencyKey ?? ''}`, idempotencyKey, body, () => {
    const runId = `run_${String(state.runs.length + 1).padStart(4, '0')}`
    state.runs.push({ runId, ...(idempotencyKey ? { idempotencyKey } : {}), body })
    // Releases before the 200 change answered 202 Accepted (§4.5, §6.5).
    return { status: state.legacy202 ? 202 : 200, body: { ok: true, runId } }
  })
}

export function handleWake(
  state: HooksState,
  body: Record<string, unknown>,
  idempotencyKey: string | undefined
): HookAnswer {
  const { text, mode = 'now', agentId = 'main' } = body
  if (typeof text !== 'string' || text.trim() === '') return _badRequest('text required')
  if (typeof mode !== 'string' || !WAKE_MODES.has(mode)) {
    return _badRequest('mode must be "now" or "next-heartbeat"')
  }
  if (typeof agentId !== 'string' || !_agentAllowed(state, agentId)) {
    return _badRequest('agentId not allowed')
  }
  return _once(state, `wake:${idempotencyKey ?? ''}`, idempotencyKey, body, () => {
    const eventOutcome = state.pendingWake.has(agentId) ? 'coalesced' : 'queued'
    state.pendingWake.add(agentId)
    state.wakes.push({ text, mode, agentId, eventOutcome })
    return { status: 200, body: { ok: true, eventOutcome } }
  })
}

// --- Internal helpers ---

function _validateAgent(state: HooksState, body: Record<string, unknown>): string | undefined {
  const { message, channel, to, sessionKey, agentId, wakeMode } = body
  if (typeof message !== 'string' || message.trim() === '') return 'message required'
  if ((channel === undefined) !== (to === undefined)) {
    return 'channel and to are both required for direct delivery'
  }
  if (channel === 'last') return 'channel "last" is not supported; pass channel and to'
  if (sessionKey !== undefined && !state.allowRequestSessionKey) {
    return 'sessionKey is disabled for externally supplied hook payload values; set hooks.allowRequestSessionKey=true to enable'
  }
  // The texts of openclaw@2026.9.6's gateway (checked against it).
  if (agentId !== undefined && (typeof agentId !== 'string' || !_agentAllowed(state, agentId))) {
    return 'agentId is not allowed by hooks.allowedAgentIds'
  }
  if (wakeMode !== undefined && (typeof wakeMode !== 'string' || !WAKE_MODES.has(wakeMode))) {
    return 'wakeMode must be "now" or "next-heartbeat"'
  }
  return undefined
}

function _agentAllowed(state: HooksState, agentId: string): boolean {
  return !state.allowedAgentIds || state.allowedAgentIds.includes(agentId)
}

/**
 * Same Idempotency-Key and body: the first answer again, no second run. Same key with another body:
 * 409, since replaying the first answer would silently drop the new request.
 */
function _once(
  state: HooksState,
  scope: string,
  idempotencyKey: string | undefined,
  body: Record<string, unknown>,
  run: () => HookAnswer
): HookAnswer {
  if (!idempotencyKey) return run()
  const bodyJson = JSON.stringify(body)
  const previous = state.seen.get(scope)
  if (previous) {
    if (previous.bodyJson === bodyJson) return previous.answer
    return {
      status: 409,
      body: { ok: false, error: 'Idempotency-Key reused with a different body' },
    }
  }
  const answer = run()
  state.seen.set(scope, { answer, bodyJson })
  return answer
}

function _badRequest(error: string): HookAnswer {
  return { status: 400, body: { ok: false, error } }
}
