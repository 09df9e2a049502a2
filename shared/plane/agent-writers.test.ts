import { describe, expect, it } from 'vitest'
import { createPlaneSim } from '../../sim/plane/index.ts'
import { createMemoryStore } from '../store/store.ts'
import { createAgentWriters } from './agent-writers.ts'
import { createKeyWindows, DEFAULT_RATE_LIMIT } from './request-window.ts'
import type { PlaneWindowWait } from './transport.ts'

describe('agent writers', () => {
  it("should spend all of an agent's own key on its agent: no share of it is kept for people", async () => {
    // Near real time: the store expires the window on its own clock.
    const start = Date.now()
    let clock = start
    // Plane's throttle on the same clock: a wait for the window moves both.
    const sim = createPlaneSim({ now: () => clock })
    const agent = sim.seed.user({ display_name: 'imhotep' })
    const store = createMemoryStore()
    const waits: PlaneWindowWait[] = []
    const writers = createAgentWriters({
      agentTokens: { imhotep: agent.apiKey },
      baseUrl: sim.baseUrl,
      workspaceSlug: sim.workspaceSlug,
      rateLimit: DEFAULT_RATE_LIMIT,
      sharedWindow: store,
      keyWindows: createKeyWindows(),
      now: () => clock,
      sleep: async (ms) => {
        clock += ms
      },
      fetch: sim.fetch,
      onWindowWait: (_agent, wait) => void waits.push(wait),
    })
    const writer = writers.writerFor('imhotep')
    expect(writer).not.toBeNull()
    // A busy minute of the agent's tool calls: all 60 of Plane's requests start at once, none waits.
    await Promise.all(Array.from({ length: 60 }, () => writer?.users.me()))
    expect(clock).toBe(start)
    expect(waits).toEqual([])
    // The 61st waits for the window, as Plane counts it.
    await writer?.users.me()
    expect(clock).toBeGreaterThan(start + DEFAULT_RATE_LIMIT.windowMs)
    expect(sim.requests.filter((r) => r.status === 429)).toEqual([])
    await store.dispose()
  })
})
