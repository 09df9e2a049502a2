/**
 * @module plane-bridge's services and bridge for one poll-bench run: the first n agents of the world registered,
 * each with its own key, a fresh memory store, and a bridge whose Plane client does not space its requests.
 *
 * Why not `services.bridge` as it is: its Plane client keeps Plane's window of 60 requests a minute per key,
 * so a first cycle of thousands of tasks would wait minutes and the suite be too slow for BENCH_QUICK. The bridge here is the real one (pipeline, outbox, store) with two parts swapped: a Plane client
 * built the same way with `rateLimit: UNLIMITED_RATE`, and the directory over that client. `throttled: true` keeps the
 * product's client as it is: the time a cycle takes in production.
 */

import { createRoot } from '../runtime/root.ts'
import { createServices } from '../runtime/services.ts'
import { loadConfig } from '../shared/core/config.ts'
import type { Services } from '../shared/core/function.ts'
import type { Parts } from '../shared/core/parts.ts'
import { createPlaneDirectory } from '../shared/notify/plane-directory.ts'
import { createLogger } from '../shared/observe/log.ts'
import { createPlaneClient } from '../shared/plane/client.ts'
import { UNLIMITED_RATE } from '../shared/plane/request-window.ts'
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

export function openPollBridge(
  world: PollWorld,
  agentCount: number,
  { throttled = false }: { throttled?: boolean } = {}
): PollBridge {
  const agents = world.agents.slice(0, agentCount)
  const problems: string[] = []
  const config = loadConfig({
    PLANE_BASE_URL: world.planeUrl,
    PLANE_API_KEY: world.bridgeKey,
    PLANE_WORKSPACE_SLUG: world.sim.workspaceSlug,
    OPENCLAW_HOOKS_URL,
    OPENCLAW_HOOKS_TOKEN: 'bench-hooks-token',
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
  const real = createRoot(services).parts()
  const bridge = throttled ? { ...real, kick: _noKick } : _unthrottled(services, real)
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
 * The real bridge with an unspaced Plane client and a directory over it. The pipeline keeps the real directory,
 * which it reads only when it flushes, and flushing (kick) is left out.
 */
function _unthrottled(services: Services, real: Parts): Parts {
  const { config, agents, log, now } = services
  let requests = 0
  const plane = createPlaneClient({
    baseUrl: config.PLANE_BASE_URL ?? '',
    apiKey: config.PLANE_API_KEY ?? '',
    workspaceSlug: config.PLANE_WORKSPACE_SLUG ?? '',
    rateLimit: UNLIMITED_RATE,
    onRequest: function countRequest() {
      requests++
    },
  })
  const directory = createPlaneDirectory({ plane, agents, log, now })
  // The run tracker keeps the real bridge's client (run records looked up in Plane for tasks it wakes): its
  // requests are the cycle's too.
  return {
    ...real,
    plane,
    directory,
    planeRequestCount: () => requests + real.planeRequestCount(),
    kick: _noKick,
  }
}

/**
 * The cycle ends with a kick: flush what is due and drain the outbox in the background. Left out, so that the
 * first cycle's hundreds of wake-ups (1 a second per agent) do not drain into the next cycle's time.
 */
function _noKick(): void {}
