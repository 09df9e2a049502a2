import { describe, expect, it } from 'vitest'
import type { AgentConfig } from '../../shared/agents/registry.ts'
import { startE2E } from '../../sim/e2e/harness.ts'
import type { PlaneSim } from '../../sim/plane/index.ts'
import { planeWritesSince, runJobCli } from './run-cli.ts'

// Every Plane request waits for the bridge key's lane: seconds per run.
const SLOW_MS = 90_000
const PUBLIC_URL = 'https://hooks.bridge.test'
const agent = (id: string, role: AgentConfig['role'] = 'member'): AgentConfig => ({
  id,
  name: id,
  role,
  planeUser: `${id}@javisi.local`,
  openclawAgentId: id,
  tags: [],
})

/** `[tag] subject` of each report line, the plan's `would change` read as the run's `changed`. */
const items = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('['))
    .map((l) => l.replace(/^\[would change\]/, '[changed]').replace(/^(\[[^\]]+\] .+?): .*$/, '$1'))
    .sort()

describe.concurrent('provision --dry-run plans the run (issue 36)', () => {
  it(
    'should list the same items, statuses and count as the run, blocked and human ones included, each once',
    async () => {
      // Two agents with no Plane account yet (invitations), a Concierge who is only a Member, the Telegram set-up.
      const extraAgents = (plane: PlaneSim) => {
        plane.seed.user({ email: 'ra@javisi.local', display_name: 'ra', role: 15 })
        return [agent('ra', 'concierge'), agent('seth'), agent('anubis')]
      }
      const t = await startE2E({ env: { PUBLIC_URL }, extraAgents })
      try {
        const before = t.plane.requests.length
        const dry = await runJobCli(t, ['provision', '--dry-run'])
        expect(planeWritesSince(t, before)).toEqual([])
        expect(t.telegram.calls.filter((c) => /^(set|delete|create)/.test(c.method))).toEqual([])
        expect(dry.code).toBe(2)
        expect(dry.out).toContain(
          '[blocked] agent seth: seth@javisi.local is not a workspace member: would be invited as Member.'
        )
        expect(dry.out).toContain(
          `[would change] telegram webhook: set to ${PUBLIC_URL}/webhooks/telegram`
        )
        expect(dry.out).toContain('[would change] telegram commands: register /plane')
        expect(dry.out).toMatch(/^\[human\] plane webhook: /m)

        const real = await runJobCli(t, ['provision'])
        expect(real.code).toBe(1)
        expect(items(dry.out)).toEqual(items(real.out))
        const count = (text: string) => /(\d+) (?:would change|changed)/.exec(text)?.[1]
        expect(count(dry.out)).toBe(count(real.err))
        expect(count(real.err)).toBe('11')
        // Each blocked line once, in all the run printed (stdout, the failure line on stderr, and the logs).
        const printed = `${real.out}\n${real.err}\n${t.services.rawLogs.join('\n')}`
        for (const who of ['seth', 'anubis'])
          expect(printed.split(`${who}@javisi.local was not a workspace member`)).toHaveLength(2)
        expect(real.err).toMatch(
          /Needs a human before agents can work: agent seth, agent anubis \(the \[blocked\] lines say what to do\)$/
        )
      } finally {
        await t.stop()
      }
    },
    SLOW_MS
  )

  it(
    'should plan the demo project and the set-up the run gives it (--demo)',
    async () => {
      const t = await startE2E({ env: { PUBLIC_URL } })
      try {
        // The harness's ONB is someone else's: rename it so that --demo creates its own.
        const seeded = t.plane.state.projects.get(t.project.id)
        if (!seeded) throw new Error('no seeded project')
        Object.assign(seeded, { identifier: 'OLD', name: 'Ancien' })
        const before = t.plane.requests.length
        const dry = await runJobCli(t, ['provision', '--dry-run', '--demo'])
        expect(planeWritesSince(t, before)).toEqual([])
        // The project, its three tasks, and the set-up the run gives it once created (members, labels, state).
        expect(items(dry.out).filter((l) => l.includes(' ONB'))).toEqual([
          '[changed] demo ONB',
          '[changed] demo ONB task',
          '[changed] demo ONB task',
          '[changed] demo ONB task',
          '[changed] label ONB agent:imhotep',
          '[changed] label ONB agent:thot',
          '[changed] member ONB imhotep',
          '[changed] member ONB thot',
          '[changed] state ONB Bloqué',
        ])
        expect(dry.out).toMatch(/dry run, nothing written: 14 would change, 4 already fine/)
      } finally {
        await t.stop()
      }
    },
    SLOW_MS
  )
})
