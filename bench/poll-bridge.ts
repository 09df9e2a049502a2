/**
 * @module plane-bridge's services and parts for one poll-bench run: the first n agents of the world registered,
 * each with its own key, a fresh memory store, and the real parts (pipeline, outbox, store, every Plane client) built
 * by the runtime's root, with the kick left out.
 *
 * `PLANE_API_RATE_LIMIT` is set so high that no key's window ever waits, so a cycle's time is the bridge's own cost;
 * at Plane's 60 requests a minute, a first cycle of thousands of tasks waits minutes (the bench prints that floor).
 */

import { createRoot } from '../runtime/root.ts'
import { createServices } from '../runtime/services.ts'
import { loadConfig } from '../shared/core/config.ts'
import type { Services } from '../shared/core/function.ts'
import type { Parts } from '../shared/core/parts.ts'
import { createLogger } from '../shared/observe/log.ts'
import { createMemoryStore } from '../shared/store/store.ts'
import type { PollWorld } from './poll-world.ts'

export type PollBridge = {
  services: Services
  bridge: Parts
  /** Warnings and errors logged so far: a cycle that logs one is not a cycle worth timing. */
  problems(): string[]
  dispose(): Promise<void>
}

/**
 * Never reached: wake-ups only have to be enqueued for the tick to count them; the outbox lane an enqueue starts
 * tries them and fails (ignored below). `.invalid` cannot resolve, so nothing can leave by mistake.
 */
const OPENCLAW_HOOKS_URL = 'http://openclaw.invalid/hooks'

/**
 * A window no cycle reaches (the simulator allows as many): the bridge's own cost, every part's client alike. A swap
 * of one client is not enough: the parts (the run tracker, a project's set-up, the agents' ticks) build their own.
 */
const UNTHROTTLED_RATE = '1000000/minute'

export function openPollBridge(world: PollWorld, agentCount: number): PollBridge {
  const agents = world.agents.slice(0, agentCount)
  const problems: string[] = []
  const config = loadConfig({
    PLANE_BASE_URL: world.planeUrl,
    PLANE_API_KEY: world.bridgeKey,
    PLANE_WORKSPACE_SLUG: world.sim.workspaceSlug,
    OPENCLAW_HOOKS_URL,
    OPENCLAW_HOOKS_TOKEN: 'bench-hooks-token',
    // Every client the parts build (the bridge key's, each agent's own) keeps its window at this setting.
    PLANE_API_RATE_LIMIT: UNTHROTTLED_RATE,
  })
  const services = createServices({
    config,
    functions: [],
    store: createMemoryStore(),
    log: createLogger({
      level: 'warn',
      write: function keepProblem(line) {
        // The outbox drains wakes in the background whatever the bench does (an enqueue starts its lane): their
        // failures against the hooks URL that cannot resolve are the drain's, not the cycle's.
        if (line.includes('"msg":"outbox delivery failed')) return
        problems.push(line)
      },
    }),
    agents,
    agentTokens: Object.fromEntries(agents.map((a) => [a.id, world.agentKeys[a.id] ?? ''])),
  })
  const bridge = { ...createRoot(services).parts(), kick: _noKick }
  return {
    services,
    bridge,
    problems: () => [...problems],
    async dispose() {
      services.background.stop()
      await services.background.idle(1000)
      await services.store.dispose()
    },
  }
}

// --- Internal helpers ---

/**
 * The cycle ends with a kick: flush what is due and drain the outbox in the background. Left out, so that the
 * first cycle's hundreds of wake-ups (1 a second per agent) do not drain into the next cycle's time.
 */
function _noKick(): void {}
