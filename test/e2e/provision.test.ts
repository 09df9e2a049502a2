import { describe, expect, it } from 'vitest'
import type { AgentConfig } from '../../shared/agents/registry.ts'
import { startE2E } from '../../sim/e2e/harness.ts'
import type { PlaneSim } from '../../sim/plane/index.ts'
import { planeWritesSince, runJobCli } from './run-cli.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>

// Every Plane request waits for the bridge key's 1 req/s lane (OPENCLAW-20): these runs take seconds,
// so the cases run side by side, each on its own simulator and keys.
const SLOW_MS = 60_000
const PUBLIC_URL = 'https://hooks.bridge.test'

function agent(id: string, email: string, role: AgentConfig['role'] = 'member'): AgentConfig {
  return { id, name: id, role, planeUser: email, openclawAgentId: id, tags: [] }
}

/** Run `npm run job -- provision` in process; the exit code and what it printed. */
const runProvision = (t: E2E, extra: string[] = []) => runJobCli(t, ['provision', ...extra])
const writesSince = planeWritesSince

async function withE2E(options: Parameters<typeof startE2E>[0], body: (t: E2E) => Promise<void>) {
  const t = await startE2E(options)
  try {
    await body(t)
  } finally {
    await t.stop()
  }
}

describe.concurrent('provision job (end to end)', () => {
  it(
    'should add agents to projects so assignments stick (#9517), create labels, the blocked state and the Telegram set-up, then change nothing on a second run',
    async () => {
      const extraAgents = (plane: PlaneSim) => {
        plane.seed.user({ email: 'concierge@javisi.local', display_name: 'concierge', role: 20 })
        plane.seed.user({ email: 'basquiat@javisi.local', display_name: 'basquiat' })
        return [
          agent('concierge', 'concierge@javisi.local', 'concierge'),
          agent('basquiat', 'basquiat@javisi.local'),
        ]
      }
      await withE2E({ env: { PUBLIC_URL }, extraAgents }, async (t) => {
        const plane = t.bridge.plane!
        const basquiat = [...t.plane.state.users.values()].find(
          (u) => u.email === 'basquiat@javisi.local'
        )!
        // Before: Plane silently drops an assignee who is not a project member (makeplane/plane#9517).
        const dropped = await plane.workItems.create(t.project.id, {
          name: 'Avant',
          assignees: [basquiat.id],
        })
        expect(dropped.assignees).toEqual([])

        const first = await runProvision(t)
        expect(first.err).toBe('')
        expect(first.code).toBe(0)
        expect(first.out).toMatch(/job provision: ok in \d+ ms — 9 changed, 7 already fine$/)
        const members = t.plane.state.projectMembers.filter((m) => m.project === t.project.id)
        const roleOf = (email: string) => {
          const user = [...t.plane.state.users.values()].find((u) => u.email === email)
          return members.find((m) => m.member === user?.id)?.role
        }
        expect(roleOf('basquiat@javisi.local')).toBe(15)
        // AUTH-01: the Concierge administers projects.
        expect(roleOf('concierge@javisi.local')).toBe(20)
        const labels = [...t.plane.state.labels.values()]
          .filter((l) => l.project === t.project.id)
          .map((l) => l.name)
        expect(labels.sort()).toEqual([
          'agent:basquiat',
          'agent:concierge',
          'agent:imhotep',
          'agent:thot',
        ])
        const blocked = [...t.plane.state.states.values()].find(
          (s) => s.project === t.project.id && s.name === 'Bloqué'
        )
        expect(blocked).toMatchObject({ group: 'started', color: '#e5484d' })
        expect(t.telegram.webhook).toMatchObject({
          url: `${PUBLIC_URL}/webhooks/telegram`,
          allowedUpdates: ['message', 'edited_message', 'callback_query', 'my_chat_member'],
        })
        expect(t.telegram.commands().map((c) => c.command)).toEqual(['plane'])
        // The API create above fired a signed delivery: with the secret set, the webhook is reported working.
        // The report is printed for the person at the terminal, one readable line per item.
        expect(first.out).toMatch(
          /^\[ok\] plane webhook: working: last signed delivery \d+ min ago$/m
        )
        expect(first.out).toMatch(/^\[changed\] member ONB basquiat: /m)
        expect(t.services.rawLogs.join('\n')).not.toContain(t.users.bridge.apiKey)

        // After: the same assignment through the API keeps the agent.
        const kept = await plane.workItems.create(t.project.id, {
          name: 'Après',
          assignees: [basquiat.id],
        })
        expect(kept.assignees).toEqual([basquiat.id])
        // Its delivery's flush gives it the agent:basquiat label (OPENCLAW-10), a write of its own.
        await t.settle()

        // Second run: nothing to write, nothing to ask.
        const from = t.plane.requests.length
        const setWebhooks = t.telegram.callsOf('setWebhook').length
        const second = await runProvision(t)
        expect(second.code).toBe(0)
        expect(second.out).toMatch(/— no change, 16 already fine$/)
        expect(writesSince(t, from)).toEqual([])
        expect(t.telegram.callsOf('setWebhook')).toHaveLength(setWebhooks)
        expect(t.telegram.callsOf('setMyCommands')).toHaveLength(1)
      })
    },
    SLOW_MS
  )

  it(
    'should not point the bot’s webhook at a PUBLIC_URL left at the template’s example, and say so (issue 45)',
    async () => {
      await withE2E({ env: { PUBLIC_URL: 'https://hooks.example.com' } }, async (t) => {
        const run = await runProvision(t)
        expect(run.out).toContain(
          "telegram webhook: not set: a setting still holds the template's example value (PUBLIC_URL=https://hooks.example.com)"
        )
        expect(t.telegram.callsOf('setWebhook')).toEqual([])
        expect((await t.bridge.telegram?.getWebhookInfo())?.url ?? '').toBe('')
      })
    },
    SLOW_MS
  )

  it(
    'should invite an agent missing from the workspace once, and fail with the reason until it accepts',
    async () => {
      const extraAgents = () => [agent('ghost', 'ghost@javisi.local')]
      await withE2E({ extraAgents }, async (t) => {
        const first = await runProvision(t)
        expect(first.code).toBe(1)
        // The [blocked] line says what to do, on stdout; the failure line names it (issue 36: each said once).
        expect(first.out).toContain(
          '[blocked] agent ghost: ghost@javisi.local was not a workspace member: invited now as Member. Accept the invitation, then run provision again.'
        )
        expect(first.err).toMatch(/Needs a human before agents can work: agent ghost \(/)
        const invitations = () => [...t.plane.state.invitations.values()]
        expect(invitations()).toMatchObject([{ email: 'ghost@javisi.local', role: 15 }])

        const from = t.plane.requests.length
        const second = await runProvision(t)
        expect(second.code).toBe(1)
        expect(second.out).toContain('has not accepted yet')
        expect(invitations()).toHaveLength(1)
        expect(writesSince(t, from)).toEqual([])
      })
    },
    SLOW_MS
  )

  it(
    'should name the project where Plane answers 403 because the bridge is not its admin',
    async () => {
      await withE2E({ env: { PUBLIC_URL, PLANE_WEBHOOK_SECRET: '' } }, async (t) => {
        const owner = t.plane.seed.user({ email: 'owner@javisi.local', role: 20 })
        const design = t.plane.seed.project({
          name: 'Design',
          identifier: 'DES',
          creator: owner.id,
        })
        t.plane.seed.member(design.id, t.users.bridge.id, 15)

        const run = await runProvision(t)
        expect(run.code).toBe(1)
        expect(run.out).toContain(
          `[blocked] member DES imhotep: Plane answered 403: the bridge's user is not Admin of project "Design" (DES): make it Admin there (Project settings → Members)`
        )
        expect(run.out).toContain('[blocked] member DES thot: Plane answered 403')
        expect(run.err).toMatch(/work: member DES imhotep, member DES thot \(/)
        // What the bridge may do elsewhere is done all the same.
        const onb = [...t.plane.state.labels.values()].filter((l) => l.project === t.project.id)
        expect(onb.map((l) => l.name).sort()).toEqual(['agent:imhotep', 'agent:thot'])
        // Plane's webhook cannot be created with an API key (plane-api.md §7.1): the exact manual step.
        expect(run.out.split('\n')).toContain(
          `[human] plane webhook: create it by hand (Plane CE has no API-key route for webhooks): in Plane, Workspace settings → Webhooks → Add webhook, URL ${PUBLIC_URL}/webhooks/plane, events: projects, work items, cycles, modules, work item comments. Plane shows the secret (plane_wh_…) once: put it in .env as PLANE_WEBHOOK_SECRET, run \`docker compose up -d\`, then run provision again.`
        )
      })
    },
    SLOW_MS
  )

  it(
    'should print the plan with --dry-run and write nothing',
    async () => {
      await withE2E({ env: { PUBLIC_URL } }, async (t) => {
        const before = t.plane.requests.length
        const run = await runProvision(t, ['--dry-run'])
        expect(writesSince(t, before)).toEqual([])
        // Telegram is read (what it holds), never written.
        expect(t.telegram.calls.filter((c) => /^(set|delete|create)/.test(c.method))).toEqual([])
        expect(run.out).toContain('[would change] label ONB agent:imhotep: create')
        expect(run.out).toContain('[would change] state ONB Bloqué: create')
        expect(run.out).toMatch(
          /job provision: ok in \d+ ms — dry run, nothing written: 5 would change, /
        )
        // A second dry run plans the same: nothing was applied.
        expect((await runProvision(t, ['--dry-run'])).out).toContain('5 would change')
      })
    },
    SLOW_MS
  )

  it('should fail clearly when the bridge is a workspace Guest', async () => {
    await withE2E({}, async (t) => {
      const row = t.plane.state.workspaceMembers.find((m) => m.member === t.users.bridge.id)!
      row.role = 5
      const run = await runProvision(t)
      expect(run.code).toBe(1)
      expect(run.err).toContain(
        `the bridge's user bridge@javisi.local is a Guest (or not a member) in workspace "javisi"`
      )
      expect(writesSince(t, 0)).toEqual([])
    })
  })

  it(
    'should skip Telegram without its settings and never print the bot token',
    async () => {
      await withE2E({ env: { TELEGRAM_WEBHOOK_SECRET: '' } }, async (t) => {
        const run = await runProvision(t)
        // Done, but Plane's webhook is still a person's job (no delivery seen yet): exit 2.
        expect(run.code).toBe(2)
        expect(t.telegram.calls).toEqual([])
        expect(run.out).toContain(
          '[skipped] telegram: not set up: PUBLIC_URL, TELEGRAM_WEBHOOK_SECRET unset (the /plane commands need it, notifications do not)'
        )
        expect(`${run.out}${t.services.rawLogs.join('')}`).not.toContain(
          t.services.config.TELEGRAM_BOT_TOKEN
        )
      })
    },
    SLOW_MS
  )
})
