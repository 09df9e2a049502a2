/**
 * Plane switches its webhook off after the 6th failed attempt at a delivery (plane-api.md §7.5). The bridge notices
 * it within one poll (changes the poll found that no delivery brought, and no delivery since), tells the human once
 * how to switch it on again, and shows it in /ready, `npm run job -- check` and /metrics until deliveries resume.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { checkFunction } from '../../functions/ops/check.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { type E2E, startE2E } from '../../sim/e2e/harness.ts'
import { virtualClock } from '../helpers/clock.ts'

let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

async function start() {
  const clock = virtualClock()
  let up = true
  const t = await startE2E({
    now: clock.now,
    sleep: clock.sleep,
    alive: () => up,
    plane: { now: clock.now },
    env: { PUBLIC_URL: 'https://hooks.bridge.test' },
  })
  e2e = t
  const human = t.plane.seed.user({
    email: 'gilles@javisi.local',
    display_name: 'gilles',
    role: 20,
  })
  t.plane.seed.member(t.project.id, human.id, 20)
  const poll = async () => {
    clock.advance(5 * 60_000)
    const report = await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    return report
  }
  return {
    t,
    clock,
    human,
    poll,
    down: () => {
      up = false
    },
    back: () => {
      up = true
    },
  }
}

const offMessages = (t: E2E) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200)
    .map((c) => String(c.params.text))
    .filter((text) => text.includes('désactivé le webhook'))
const gauge = (t: E2E) =>
  /^plane_bridge_webhook_off (\d)$/m.exec(t.services.metrics.registry.render())?.[1]

describe('a webhook Plane switched off (issue 37)', () => {
  it('should tell the human once within one poll, with the steps, show it in /ready, check and /metrics, and clear when deliveries resume', async () => {
    const { t, human, poll, down, back } = await start()
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Configurer Redis',
      assignees: [t.users.imhotep.id],
      state: t.state('In Progress').id,
    })
    await poll()
    await t.plane.ui.updateWorkItem(human.id, item.id, { priority: 'high' })
    await t.settle()
    expect(t.plane.webhooks.deliveries.at(-1)?.status).toBe(200)

    // The bridge unreachable: Plane tries a delivery 6 times, then switches the webhook off.
    down()
    await t.plane.ui.updateWorkItem(human.id, item.id, { priority: 'urgent' })
    await t.plane.webhooks.settle()
    back()
    const hook = [...t.plane.state.webhooks.values()][0]
    expect(hook?.is_active).toBe(false)
    // Changes from then on are not even tried.
    await t.plane.ui.addComment(human.id, item.id, '<p>❓ Quel port pour Redis ?</p>')
    await t.plane.webhooks.settle()
    expect(t.plane.webhooks.deliveries.filter((d) => d.event === 'issue_comment')).toEqual([])

    await poll()
    const told = offMessages(t)
    expect(told).toHaveLength(1)
    expect(told[0]).toContain(`/${t.plane.workspaceSlug}/settings/webhooks`)
    expect(told[0]).toContain('https://hooks.bridge.test/webhooks/plane')
    // The question reached the human all the same, through the poll.
    const texts = t.telegram.callsOf('sendMessage').map((c) => String(c.params.text))
    expect(texts.filter((text) => text.includes('Quel port'))).toHaveLength(1)
    expect(gauge(t)).toBe('1')
    const ready = (await (await t.app.request('/ready')).json()) as {
      status: string
      reasons?: string[]
      webhooks: { offSince: number | null }
    }
    expect(ready.status).toBe('degraded')
    expect(ready.webhooks.offSince).not.toBeNull()
    expect(
      ready.reasons?.some((r) => r.includes('switched off') && r.includes('settings/webhooks'))
    ).toBe(true)
    const check = await executeJob(checkFunction, t.services.root, { trigger: 'cli' })
    const line = (check.terminal ?? []).find((l) => l.includes('plane webhook'))
    expect(line).toMatch(/^✗ plane webhook: switched off in Plane .*settings\/webhooks/)

    // More polls, more missed changes: not told again.
    await t.plane.ui.updateWorkItem(human.id, item.id, { priority: 'low' })
    await poll()
    await poll()
    expect(offMessages(t)).toHaveLength(1)

    // Someone switches it on again: the next delivery clears it, the next poll agrees.
    hook!.is_active = true
    await t.plane.ui.updateWorkItem(human.id, item.id, { priority: 'medium' })
    await t.settle()
    await poll()
    expect(gauge(t)).toBe('0')
    const after = (await (await t.app.request('/ready')).json()) as { webhooks: { offSince: null } }
    expect(after.webhooks.offSince).toBeNull()
  })

  it('should not call a webhook off while Plane may still retry a delivery the bridge gave no answer', async () => {
    const { t, human, poll, down, back } = await start()
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Docs',
      assignees: [t.users.thot.id],
      state: t.state('In Progress').id,
    })
    await poll()
    down()
    await t.plane.ui.updateWorkItem(human.id, item.id, { priority: 'high' })
    await t.plane.webhooks.settle()
    back()
    // The store was down: the bridge withheld answers, and Plane's retries may still be coming.
    t.bridge.webhookNotes.withheld()
    await poll()
    expect(offMessages(t)).toEqual([])
    expect(gauge(t)).toBe('0')
  })

  it('should not call one lost delivery a switched-off webhook', async () => {
    const { t, human, poll } = await start()
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Perdue une fois',
      assignees: [t.users.thot.id],
      state: t.state('In Progress').id,
    })
    await poll()
    // A proxy answered for the bridge (a 502 while it restarted): Plane took the delivery as delivered.
    t.webhooks.route(() => 'drop')
    await t.plane.ui.updateWorkItem(human.id, item.id, { priority: 'high' })
    await t.plane.webhooks.settle()
    t.webhooks.route(null)
    await poll()
    expect(offMessages(t)).toEqual([])
    expect(gauge(t)).toBe('0')
  })
})
