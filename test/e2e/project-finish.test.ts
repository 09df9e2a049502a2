/**
 * A project's finish (the specification's flow, step 8): when its last open task is done or cancelled, however the
 * bridge sees it, the human is told once ("🏁 Projet « … » terminé", with who did what, time and cost, a button to
 * open it) and the Concierge is woken once naming the project; a project reopened and finished again is told again.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { type ClockedE2E, startClocked } from './clocked.ts'

let e2e: ClockedE2E | null = null
afterEach(async () => {
  await e2e?.t.stop()
  e2e = null
})

const FINISHED = 'terminé</b>'

async function start() {
  e2e = await startClocked()
  const { t, as } = e2e
  return {
    t,
    ra: as('ra'),
    imhotep: as('imhotep'),
    thot: as('thot'),
    /** A minute on the bridge's and Plane's clocks (Plane's window frees), then let everything run. */
    later: (ms = 61_000) => (e2e as ClockedE2E).later(ms),
    finishes: () =>
      t.telegram
        .callsOf('sendMessage')
        .filter((c) => c.status === 200 && String(c.params.text).includes(FINISHED)),
    conciergeWakes: () =>
      t.openclaw.calls.filter(
        (c) =>
          c.path === '/hooks/agent' &&
          (c.body as { agentId?: string }).agentId === 'ra' &&
          String((c.body as { message?: string }).message).includes('est terminé')
      ),
  }
}

describe('a project’s finish', () => {
  it('should tell the human once with its tally and a button, and wake the Concierge once naming it', async () => {
    const { t, ra, imhotep, thot, later, finishes, conciergeWakes } = await start()
    const one = await ra('create_task', {
      project: 'ONB',
      title: 'Installer',
      assignee: 'imhotep',
      cost_estimate: 30,
    })
    const two = await ra('create_task', { project: 'ONB', title: 'Documenter', assignee: 'thot' })
    await later()
    await imhotep('update_task_status', { task: one.ref, status: 'in_progress' })
    await imhotep('update_task_status', {
      task: one.ref,
      status: 'done',
      summary: 'Installé.',
      confidence: 0.9,
      cost: 25,
    })
    await later()
    // One task still open: nothing said.
    expect(finishes()).toEqual([])
    await thot('update_task_status', { task: two.ref, status: 'in_progress' })
    await thot('update_task_status', {
      task: two.ref,
      status: 'done',
      summary: 'Documenté.',
      confidence: 0.9,
    })
    await later()
    // The poll sees the same change again: still once.
    await runPollCycle({ ...t.services, ...t.bridge })
    await later()
    const told = finishes()
    expect(told).toHaveLength(1)
    const html = String(told[0]?.params.text)
    expect(html).toContain('🏁 <b>Projet')
    expect(html).toContain('2 tâches : 2 terminées')
    expect(html).toMatch(/🤖 (Imhotep 1 · Thot 1|Thot 1 · Imhotep 1)/)
    expect(html).toContain('Coût : 25 $ pour 30 $ estimés')
    expect(told[0]?.params.reply_markup).toMatchObject({
      inline_keyboard: [
        [{ text: '📁 Ouvrir le projet', url: expect.stringContaining('/projects/') }],
      ],
    })
    // After the last task's own completion message.
    const texts = t.telegram.callsOf('sendMessage').map((c) => String(c.params.text))
    const completion = texts.findIndex((m) => m.includes('Documenter') && !m.includes(FINISHED))
    expect(completion).toBeGreaterThanOrEqual(0)
    expect(completion).toBeLessThan(texts.findIndex((m) => m.includes(FINISHED)))
    const wakes = conciergeWakes()
    expect(wakes).toHaveLength(1)
    expect(String((wakes[0]?.body as { message?: string } | undefined)?.message)).toContain(
      'le projet ONB « Onboarding » est terminé'
    )
  })

  it('should tell no finish for a task created already done in a project with no other task', async () => {
    const { t, later, finishes } = await start()
    await t.plane.ui.createWorkItem(t.users.bridge.id, t.project.id, {
      name: 'Déjà fait',
      state_id: t.state('Done').id,
    })
    await t.plane.webhooks.settle()
    await later()
    await later(5_000)
    // Nothing closed here: the task never was open, as far as anyone saw.
    expect(finishes()).toEqual([])
  })

  it('should tell a finish made in Plane’s web UI and seen by the poll alone, and tell it again after a reopening', async () => {
    const { t, ra, later, finishes, conciergeWakes } = await start()
    const only = await ra('create_task', { project: 'ONB', title: 'Unique', assignee: 'imhotep' })
    await later()
    // A person finishes it in Plane; the delivery is lost: the poll is the bridge's only sight of it.
    t.webhooks.route(() => 'drop')
    await t.plane.ui.updateWorkItem(t.users.bridge.id, only.id, { state_id: t.state('Done').id })
    await t.plane.webhooks.settle()
    t.webhooks.route(null)
    await later()
    expect(finishes()).toEqual([])
    await runPollCycle({ ...t.services, ...t.bridge })
    await later()
    // The look comes a few seconds after the task's own message.
    await later(5_000)
    expect(finishes()).toHaveLength(1)
    expect(String(finishes()[0]?.params.text)).toContain('1 tâche : 1 terminée')

    // Reopened by a new task, finished again (cancelled this time): told again, the Concierge woken again.
    const more = await ra('create_task', { project: 'ONB', title: 'Encore', assignee: 'imhotep' })
    await later()
    await t.plane.ui.updateWorkItem(t.users.bridge.id, more.id, {
      state_id: t.state('Cancelled').id,
    })
    await later()
    await later(5_000)
    expect(finishes()).toHaveLength(2)
    expect(String(finishes()[1]?.params.text)).toContain('2 tâches : 1 terminée, 1 annulée')
    expect(conciergeWakes()).toHaveLength(2)
  })
})
