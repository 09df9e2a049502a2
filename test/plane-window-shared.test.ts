/**
 * Issue 32: a key has one request window, whichever process spends it. The server and a `npm run job --
 * poll` beside it (or two replicas) on one Redis count their starts together, so Plane never answers 429 to the
 * bridge's own traffic; each counting alone, they do.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createNodeStore } from '../runtime/node-store.ts'
import { loadConfig } from '../shared/core/config.ts'
import { createPlaneClient, type PlaneClient } from '../shared/plane/client.ts'
import type { Store } from '../shared/store/store.ts'
import { createPlaneSim } from '../sim/plane/index.ts'
import { virtualClock } from './helpers/clock.ts'
import { dropRedisPrefix, TEST_REDIS_URL } from './helpers/redis.ts'

const prefixes: string[] = []
const stores: Store[] = []
afterEach(async () => {
  for (const store of stores.splice(0)) await store.dispose()
  for (const prefix of prefixes.splice(0)) await dropRedisPrefix(prefix)
})

/** Plane with its throttle (60/minute per key), and two processes of the bridge on one Redis, sharing or not. */
function world(shareThroughStore: boolean) {
  const virtual = virtualClock()
  // A wait for the window moves the clock on only once what was started has reached Plane (a request already on
  // its way is stamped when it was sent, as on a real clock), not while another process's requests are in flight.
  let inFlight = 0
  const clock = {
    now: virtual.now,
    sleep: async (ms: number) => {
      do await new Promise((resolve) => setTimeout(resolve, 1))
      while (inFlight > 0)
      await virtual.sleep(ms)
    },
  }
  const sim = createPlaneSim({ now: clock.now, rateLimitPerMinute: 60 })
  const bridge = sim.seed.user({ role: 20, display_name: 'plane-bridge' })
  sim.seed.project({ name: 'Onboarding', identifier: 'ONB', creator: bridge.id })
  const prefix = `tb-${process.pid}-${Date.now() % 1e9}-${shareThroughStore ? 1 : 0}`
  prefixes.push(prefix)
  const config = loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix })
  /** One process: its own key windows (a new client's own, as a new process's), its own store connection. */
  const bridgeProcess = (): PlaneClient => {
    const store = createNodeStore(config)
    stores.push(store)
    return createPlaneClient({
      baseUrl: sim.baseUrl,
      apiKey: bridge.apiKey,
      workspaceSlug: sim.workspaceSlug,
      fetch: async (input, init) => {
        inFlight++
        try {
          return await sim.fetch(input, init)
        } finally {
          inFlight--
        }
      },
      now: clock.now,
      sleep: clock.sleep,
      ...(shareThroughStore ? { sharedWindow: store } : {}),
    })
  }
  /** The most requests Plane accepted from the key in any 60 s, and how many it refused. */
  const planeSaw = () => {
    const accepted = sim.requests.filter((r) => r.status !== 429).map((r) => r.at)
    const most = Math.max(
      ...accepted.map((at) => accepted.filter((t) => t > at - 60_000 && t <= at).length)
    )
    return {
      most,
      refused: sim.requests.filter((r) => r.status === 429).length,
      accepted: accepted.length,
    }
  }
  return { server: bridgeProcess(), job: bridgeProcess(), planeSaw }
}

describe('Plane’s request window shared through the store (issue 32)', () => {
  it('should keep the server and a job process together within Plane’s limit: no 429', async () => {
    const { server, job, planeSaw } = world(true)
    // Both at once, background work each: 90 requests where Plane takes 60 a minute.
    await Promise.all([
      ...Array.from({ length: 45 }, () => server.projects.list()),
      ...Array.from({ length: 45 }, () => job.projects.list()),
    ])
    const seen = planeSaw()
    expect(seen.refused).toBe(0)
    expect(seen.accepted).toBe(90)
    // Never more than Plane's limit in any 60 s as Plane stamped them (the bridge's own ceiling for background
    // work, 40, is counted when it starts a request: shared/plane/request-window.test.ts).
    expect(seen.most).toBeLessThanOrEqual(60)
  })

  it('should be refused by Plane when each process counts only its own (why the window is shared)', async () => {
    const { server, job, planeSaw } = world(false)
    await Promise.all([
      ...Array.from({ length: 45 }, () => server.projects.list()),
      ...Array.from({ length: 45 }, () => job.projects.list()),
    ])
    // Each started its 40 at once: Plane took 60 and refused the rest, retried after its Retry-After.
    expect(planeSaw().refused).toBeGreaterThan(0)
  })
})
