import { describe, expect, it } from 'vitest'
import { startE2E } from '../../sim/e2e/harness.ts'
import { planeWritesSince, runJobCli } from './run-cli.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>

// Provision and the demo make a hundred Plane requests or so; under Plane's window they take seconds at worst.
const SLOW_MS = 150_000

/**
 * A clock the run's waits move instead of sleeping (issue 29): with Plane's limit at 1 request a second, the
 * run is as slow as a real one for what it prints, and as fast as the simulators for the test.
 */
function virtualClock() {
  let offset = 0
  return {
    now: () => Date.now() + offset,
    sleep: async (ms: number) => {
      offset += ms
    },
  }
}
const PUBLIC_URL = 'https://hooks.bridge.test'

async function withE2E(options: Parameters<typeof startE2E>[0], body: (t: E2E) => Promise<void>) {
  const t = await startE2E(options)
  try {
    await body(t)
  } finally {
    await t.stop()
  }
}

const provision = (t: E2E, extra: string[] = []) => runJobCli(t, ['provision', ...extra])

describe.concurrent('provision job: going on past failures, progress, --demo (end to end)', () => {
  it(
    'should go on past a project Plane fails to read and a label it fails to create, list both, show progress, and exit 1',
    async () => {
      const slowPlane = { ...virtualClock(), env: { PUBLIC_URL, PLANE_API_RATE_LIMIT: '1/second' } }
      await withE2E(slowPlane, async (t) => {
        const design = t.plane.seed.project({
          name: 'Design',
          identifier: 'DES',
          creator: t.users.bridge.id,
        })
        const ops = t.plane.seed.project({
          name: 'Ops',
          identifier: 'OPS',
          creator: t.users.bridge.id,
        })
        // A Django 500 on Design's labels (every read), and on the first label created in Ops.
        t.plane.faults.failWhen((r) => r.path.includes(`/projects/${design.id}/labels/`), 100, 500)
        t.plane.faults.failWhen(
          (r) => r.method === 'POST' && r.path.includes(`/projects/${ops.id}/labels/`),
          1,
          500
        )

        const run = await provision(t)
        expect(run.code).toBe(1)
        expect(run.out).toMatch(
          /^\[failed\] project DES: Plane answered 500 to GET \S+\/labels\/; the run went on without it: run provision again$/m
        )
        expect(run.out).toMatch(
          /^\[failed\] label OPS agent:\w+: Plane answered 500 to POST \S+\/labels\/; the run went on/m
        )
        // Everything else was done: the other label in Ops, and all of Onboarding.
        const labelsOf = (projectId: string) =>
          [...t.plane.state.labels.values()]
            .filter((l) => l.project === projectId)
            .map((l) => l.name)
            .sort()
        expect(labelsOf(t.project.id)).toEqual(['agent:imhotep', 'agent:thot'])
        expect(labelsOf(ops.id)).toHaveLength(1)
        expect(run.out).toMatch(/^\[changed\] state OPS Bloqué: created/m)
        expect(run.err).toMatch(
          /job provision: failed in \d+ ms — .*2 failed\. Plane failed on (project DES, label OPS agent:\w+|label OPS agent:\w+, project DES)/
        )
        // Three projects read at 1 request a second (virtual): the read step says where it is.
        expect(run.out).toMatch(/^projects: [12]\/3…$/m)

        // Once Plane answers again, a second run does what was left.
        t.plane.faults.clear()
        const again = await provision(t)
        expect(again.out).not.toContain('[failed]')
        expect(labelsOf(ops.id)).toEqual(['agent:imhotep', 'agent:thot'])
        expect(labelsOf(design.id)).toEqual(['agent:imhotep', 'agent:thot'])
      })
    },
    SLOW_MS
  )

  it(
    'should stop at once, saying what to do, when Plane refuses the bridge key',
    async () => {
      await withE2E({}, async (t) => {
        t.plane.seed.revokeKey(t.users.bridge.apiKey)
        const run = await provision(t)
        expect(run.code).toBe(1)
        expect(run.err).toContain(
          "Plane refuses PLANE_API_KEY (Plane GET /api/v1/users/me/ failed: 403 auth (Given API token is not valid)): create a new key for the bridge's user in Profile settings → API tokens."
        )
        expect(t.plane.requests).toHaveLength(1)
      })
    },
    SLOW_MS
  )

  it(
    'should create the Onboarding demo once with its three example tasks, and find it the second time',
    async () => {
      // Two runs and the demo's set-up make more than Plane's default 60 requests a minute: a Plane with a raised
      // limit (and the bridge told so), as this test is about the demo, not about waiting for the window.
      const raised = {
        env: { PUBLIC_URL, PLANE_API_RATE_LIMIT: '1000/minute' },
        plane: { rateLimitPerMinute: 1000 },
        concierge: true,
      }
      await withE2E(raised, async (t) => {
        // The harness's own ONB is someone else's project: --demo leaves it alone.
        const before = t.plane.requests.length
        const foreign = await provision(t, ['--dry-run', '--demo'])
        expect(foreign.out).toContain(
          '[skipped] demo ONB: a project ONB ("Onboarding") exists and was not created by --demo: nothing created'
        )
        expect(planeWritesSince(t, before)).toEqual([])
        const seeded = t.plane.state.projects.get(t.project.id)
        if (!seeded) throw new Error('no seeded project')
        Object.assign(seeded, { identifier: 'OLD', name: 'Ancien' })

        const dry = await provision(t, ['--dry-run', '--demo'])
        expect(dry.out).toContain('[would change] demo ONB: create project "Onboarding" (ONB)')
        expect(planeWritesSince(t, before)).toEqual([])

        const first = await provision(t, ['--demo'])
        expect(first.err).toBe('')
        expect(first.out).toContain('[changed] demo ONB: project "Onboarding" created')
        const onb = [...t.plane.state.projects.values()].find((p) => p.identifier === 'ONB')
        expect(onb).toMatchObject({
          external_source: 'plane-bridge',
          external_id: 'demo:onboarding',
        })
        const items = [...t.plane.state.issues.values()]
          .filter((i) => i.project === onb?.id)
          .sort((a, b) => a.sequence_id - b.sequence_id)
        expect(items.map((i) => i.name)).toEqual([
          "Découper la demande « Préparer l'accueil d'un nouveau client »",
          "Rédiger le guide d'accueil du client",
          'Envoyer le guide au client',
        ])
        const [forConcierge, withDependency, forApproval] = items
        const ra = t.users.ra?.id
        expect(forConcierge?.assignees).toEqual([ra])
        expect(withDependency?.assignees).toEqual([t.users.imhotep.id])
        expect(withDependency?.description_html).toContain('ONB-1')
        const labelName = (id: string) => t.plane.state.labels.get(id)?.name
        expect(forApproval?.labels.map(labelName).sort()).toEqual([
          'agent:imhotep',
          'needs-approval',
        ])
        expect(first.out).toMatch(
          /^\[changed\] demo ONB-2: "Rédiger le guide d'accueil du client" created, assigned to Imhotep, after ONB-1$/m
        )
        // The dependency is kept by the bridge (Plane v1.2 has no relations): ONB-2 cannot start before ONB-1.
        const record = await t.bridge.runs?.peek(withDependency?.id ?? '')
        expect(record?.dependencies).toEqual(['ONB-1'])

        const from = t.plane.requests.length
        const second = await provision(t, ['--demo'])
        expect(second.out).toContain(
          '[ok] demo ONB: already there with its 3 example tasks: nothing created'
        )
        expect(planeWritesSince(t, from)).toEqual([])
      })
    },
    SLOW_MS
  )
})
