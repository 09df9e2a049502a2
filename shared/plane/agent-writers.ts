/**
 * @module Each agent's own Plane client, for the writes the tools make on its behalf (Plane shows the agent as the
 * author): one per agent with a key, built once in the composition root from the agents' settings.
 */

import { createPlaneClient, type PlaneClient } from './client.ts'
import type { KeyWindows, RateLimit, SharedWindow } from './request-window.ts'
import type { PlaneWindowWait } from './transport.ts'

export type AgentWriters = {
  /** The agent's own client (its key's window, at an agent's priority), or null: no key, or no Plane settings. */
  writerFor(agentId: string): PlaneClient | null
}

export type AgentWritersOptions = {
  /** Agents' own Plane keys by agent id. */
  agentTokens: Readonly<Record<string, string>>
  baseUrl: string | undefined
  workspaceSlug: string | undefined
  rateLimit: RateLimit
  /** Each key's window as every process on the store counts it. */
  sharedWindow: SharedWindow
  /** The runtime's key windows: the poll's check of an agent's key counts in the same one. */
  keyWindows: KeyWindows
  now: () => number
  sleep: (ms: number) => Promise<void>
  /** Plane's fetch (default: the global one, looked up at each request). */
  fetch?: typeof fetch
  /** An agent's request waited for its key's window (transport.ts `onWindowWait`). */
  onWindowWait?: (agentId: string, wait: PlaneWindowWait) => void
}

export function createAgentWriters({
  agentTokens,
  baseUrl,
  workspaceSlug,
  onWindowWait,
  ...client
}: AgentWritersOptions): AgentWriters {
  const writers = new Map<string, PlaneClient>()
  if (baseUrl && workspaceSlug)
    for (const [agentId, apiKey] of Object.entries(agentTokens))
      if (apiKey)
        writers.set(
          agentId,
          createPlaneClient({
            ...client,
            baseUrl,
            apiKey,
            workspaceSlug,
            priority: 'agent',
            // No person's request spends an agent's key: all of its window is its agent's.
            peopleShare: false,
            ...(onWindowWait ? { onWindowWait: (wait) => onWindowWait(agentId, wait) } : {}),
          })
        )
  return {
    writerFor: (agentId) => writers.get(agentId) ?? null,
  }
}
