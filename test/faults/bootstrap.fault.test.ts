/**
 * `bootstrap` stopped at every step: Plane fails its k-th session request (a 503 from the proxy: nothing done), or
 * does it and then answers 500 (done, but the run cannot know), for every k; then run again. The end state is the
 * one a run without faults leaves — every account a member with its role and one key the file holds, one active
 * webhook whose secret the file holds — with no key or webhook twice.
 */
import { describe, expect, it } from 'vitest'
import { type BootstrapWorld, startBootstrapWorld, TEAM } from '../e2e/bootstrap-world.ts'

const RELEASES = [
  { version: '1.2', release: '1.2.2' },
  { version: '1.3', release: '1.3.1' },
] as const
/** The Concierge and one agent: every kind of step, fewer of each. */
const AGENTS = TEAM.filter((a) => a.id === 'ra' || a.id === 'thot')
const KEYS: Record<string, string> = {
  PLANE_API_KEY: 'plane-bridge@javisi.local',
  PLANE_TOKEN_RA: 'ra@javisi.local',
  PLANE_TOKEN_THOT: 'thot@javisi.local',
}
/** Bootstrap's own requests (provision's, on /api/v1/, have their own fault tests). */
const isSession = (request: { path: string }) => !request.path.startsWith('/api/v1/')

type Fault = 'fail' | 'fail-after-doing'

async function endState(w: BootstrapWorld) {
  const secrets = w.secrets()
  const users = await Promise.all(Object.keys(KEYS).map((k) => w.keyUser(secrets[k])))
  const [webhook, ...more] = w.plane.state.webhooks.values()
  return {
    ...w.snapshot(),
    keysActAs: users,
    webhookSecretInFile:
      webhook !== undefined &&
      more.length === 0 &&
      secrets.PLANE_WEBHOOK_SECRET === webhook.secret_key,
  }
}

async function stoppedAt(
  plane: { version: '1.2' | '1.3'; release: '1.2.2' | '1.3.1' },
  k: number,
  fault: Fault
) {
  const w = await startBootstrapWorld(plane)
  try {
    let seen = 0
    const kth = (request: { path: string }) => isSession(request) && ++seen === k
    if (fault === 'fail') w.plane.faults.failWhen(kth, 1, 503)
    else w.plane.faults.failAfterWhen(kth, 1)
    const first = await w.bootstrap([], {}, AGENTS)
    const hit = seen >= k
    w.plane.faults.clear()
    const again = await w.bootstrap([], {}, AGENTS)
    return { first, again, hit, state: await endState(w) }
  } finally {
    await w.close()
  }
}

describe.each(RELEASES)(
  'bootstrap stopped at any step of Plane $release, then run again',
  (plane) => {
    it('should end as a run without faults does, with no key or webhook twice', async () => {
      const clean = await startBootstrapWorld(plane)
      let steps: number
      let expected: Awaited<ReturnType<typeof endState>>
      /** The k of each session request that writes (1-based): the ones Plane may do and then fail to answer. */
      const writes: number[] = []
      try {
        expect((await clean.bootstrap([], {}, AGENTS)).code).toBe(0)
        const session = clean.plane.requests.filter(isSession)
        steps = session.length
        session.forEach((request, i) => {
          if (request.method !== 'GET') writes.push(i + 1)
        })
        expected = await endState(clean)
      } finally {
        await clean.close()
      }
      expect(expected.keysActAs).toEqual(Object.values(KEYS))
      expect(expected.webhookSecretInFile).toBe(true)
      for (let k = 1; k <= steps; k++) {
        const run = await stoppedAt(plane, k, 'fail')
        expect(run.hit, `request ${k} was reached`).toBe(true)
        expect(run.first.code, `stopped at request ${k}:\n${run.first.out}`).not.toBe(0)
        expect(run.again.code, `after a stop at request ${k}:\n${run.again.out}`).toBe(0)
        expect(run.state, `after a stop at request ${k}`).toEqual(expected)
      }
      // Done by Plane, its answer lost: each write (a GET done twice changes nothing).
      expect(writes.length).toBeGreaterThan(10)
      for (const k of writes) {
        const run = await stoppedAt(plane, k, 'fail-after-doing')
        expect(
          run.again.code,
          `after request ${k} was done and its answer lost:\n${run.again.out}`
        ).toBe(0)
        expect(run.state, `after request ${k} was done and its answer lost`).toEqual(expected)
      }
    }, 300_000)
  }
)
