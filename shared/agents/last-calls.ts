/**
 * @module When each agent last called a tool, for the Concierge's view of its team (get_team_status): kept in the store
 * so every process and replica sees the same, written at most once a minute per agent and process (ten agents calling
 * every few seconds are ten writes a minute, not hundreds).
 */
import type { Store } from '../store/store.ts'

export type AgentCalls = {
  /** The agent called a tool now: written unless this process wrote it less than a minute ago. */
  called(agentId: string): Promise<void>
  /** When each agent last called a tool (ms), null when none is known (never, or more than 30 days ago). */
  lastCalls(agentIds: readonly string[]): Promise<Array<number | null>>
}

export type AgentCallsOptions = { store: Store; now: () => number }

/** A call is written at most this often per agent and process: a minute is the precision the Concierge reads. */
export const LAST_CALL_WRITE_MS = 60_000
const LAST_CALL_TTL_S = 30 * 24 * 60 * 60
const lastCallKey = (agentId: string) => `agent:last-call:${agentId}`

export function createAgentCalls({ store, now }: AgentCallsOptions): AgentCalls {
  /** When this process last wrote each agent's call (ms); bounded by the registry's size. */
  const written = new Map<string, number>()
  return {
    async called(agentId) {
      const at = now()
      if (at - (written.get(agentId) ?? Number.NEGATIVE_INFINITY) < LAST_CALL_WRITE_MS) return
      written.set(agentId, at)
      try {
        await store.set(lastCallKey(agentId), at, { ttlSeconds: LAST_CALL_TTL_S })
      } catch (error) {
        // Not written: the next call tries again.
        written.delete(agentId)
        throw error
      }
    },
    async lastCalls(agentIds) {
      const values = await store.getMany<number>(agentIds.map(lastCallKey))
      return values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null))
    },
  }
}
