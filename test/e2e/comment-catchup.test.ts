/**
 * The poll catches comments up (issue 37): a comment no delivery brought (the webhook switched off, a delivery lost)
 * is told after the next poll, once whichever way brings it first; only the tasks that matter are read, and only
 * when the listing shows their `updated_at` moved (a comment moves it in Plane).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { noteWatchingSince } from '../../shared/poll/comments.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { type E2E, startE2E } from '../../sim/e2e/harness.ts'
import { virtualClock } from '../helpers/clock.ts'

let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

const POLL_MS = 5 * 60_000

async function start() {
  const clock = virtualClock()
  const t = await startE2E({ now: clock.now, sleep: clock.sleep, plane: { now: clock.now } })
  e2e = t
  const human = t.plane.seed.user({
    email: 'gilles@javisi.local',
    display_name: 'gilles',
    first_name: 'Gilles',
    role: 20,
  })
  t.plane.seed.member(t.project.id, human.id, 20)
  const poll = async () => {
    clock.advance(POLL_MS)
    const report = await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    return report
  }
  return { t, clock, human, poll }
}

const sent = (t: E2E) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200)
    .map((c) => String(c.params.text))
const commentReads = (t: E2E) =>
  t.plane.requests.filter((r) => r.method === 'GET' && /\/comments\/$/.test(r.path)).length

describe('comments caught up by the poll (issue 37)', () => {
  it('should tell a question asked in Plane while the webhook is off once, after the next poll', async () => {
    const { t, human, poll } = await start()
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Configurer Redis',
      assignees: [t.users.imhotep.id],
      state: t.state('In Progress').id,
    })
    const other = t.plane.seed.workItem(t.project.id, {
      name: 'Personne',
      state: t.state('Todo').id,
    })
    await poll()
    for (const hook of t.plane.state.webhooks.values()) hook.is_active = false

    await t.plane.ui.addComment(human.id, item.id, '<p>❓ Quel port pour Redis ?</p>')
    // A task no agent holds and no card waits on is not read, whatever its comments.
    await t.plane.ui.addComment(human.id, other.id, '<p>❓ Et celle-ci ?</p>')
    await t.settle()
    expect(t.plane.webhooks.deliveries).toHaveLength(0)
    expect(sent(t).filter((text) => text.includes('Quel port'))).toHaveLength(0)

    const before = commentReads(t)
    const report = await poll()
    expect(report.commentsRead).toBe(1)
    expect(commentReads(t) - before).toBe(1)
    expect(sent(t).filter((text) => text.includes('Quel port'))).toHaveLength(1)
    expect(sent(t).some((text) => text.includes('Et celle-ci'))).toBe(false)

    // Nothing moved since: no read; the comment is not told again.
    const again = await poll()
    expect(again.commentsRead).toBe(0)
    expect(sent(t).filter((text) => text.includes('Quel port'))).toHaveLength(1)
  })

  it('should tell a comment once when both its delivery and the poll bring it', async () => {
    const { t, human, poll } = await start()
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Migrer la base',
      assignees: [t.users.thot.id],
      state: t.state('In Progress').id,
    })
    await poll()
    await t.plane.ui.addComment(human.id, item.id, '<p>❌ Bloqué : pas d’accès SSH</p>')
    await t.settle()
    expect(sent(t).filter((text) => text.includes('pas d’accès SSH'))).toHaveLength(1)
    const report = await poll()
    // The listing shows the task moved by the comment: read, and found already told.
    expect(report.commentsRead).toBe(1)
    expect(sent(t).filter((text) => text.includes('pas d’accès SSH'))).toHaveLength(1)
  })

  it("should tell, on a project's first poll, a question written after the server started (issue 45)", async () => {
    const { t, clock, human, poll } = await start()
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Configurer Redis',
      assignees: [t.users.imhotep.id],
      state: t.state('In Progress').id,
    })
    t.plane.seed.comment(t.project.id, item.id, {
      comment_html: '<p>❓ Une question d’avant le démarrage</p>',
      actor: human.id,
    })
    // An hour later (more than the listings' overlap), the server starts on an empty store; Plane's webhook does
    // not reach it yet.
    clock.advance(60 * 60_000)
    await noteWatchingSince(t.services.store, clock.now())
    for (const hook of t.plane.state.webhooks.values()) hook.is_active = false
    clock.advance(60_000)
    await t.plane.ui.addComment(t.users.imhotep.id, item.id, '<p>❓ Quel port pour Redis ?</p>')
    await t.settle()
    expect(t.plane.webhooks.deliveries).toHaveLength(0)

    const report = await poll()
    expect(report.commentsRead).toBe(1)
    expect(sent(t).filter((text) => text.includes('Quel port'))).toHaveLength(1)
    // Before the start: not news.
    expect(sent(t).some((text) => text.includes('avant le démarrage'))).toBe(false)
    expect((await poll()).commentsRead).toBe(0)
    expect(sent(t).filter((text) => text.includes('Quel port'))).toHaveLength(1)
  })

  it('should read the comments of a task made in a project its first poll found empty, and wake its agent', async () => {
    const { t, human, poll } = await start()
    // Its first cycle lists the project with no work item (no server start noted: a CLI poll alone).
    expect((await poll()).commentsRead).toBe(0)
    for (const hook of t.plane.state.webhooks.values()) hook.is_active = false
    const item = await t.plane.ui.createWorkItem(human.id, t.project.id, {
      name: 'Première tâche',
      assignee_ids: [t.users.imhotep.id],
      state: t.state('Todo').id,
    })
    await t.plane.ui.addComment(human.id, item.id, '<p>❓ Quel port pour Redis ?</p>')
    await t.settle()
    expect(t.plane.webhooks.deliveries).toHaveLength(0)

    // The next cycle is not the project's first: the task is a creation, its comments since read.
    const report = await poll()
    expect(report.commentsRead).toBe(1)
    expect(sent(t).filter((text) => text.includes('Quel port'))).toHaveLength(1)
    expect(
      t.openclaw.calls.filter(
        (c) =>
          c.path === '/hooks/agent' &&
          String((c.body as { message?: string }).message).includes('Première tâche')
      )
    ).toHaveLength(1)
  })

  it("should read no task's comments on a project's first poll, and none of an unmoved task later", async () => {
    const { t, human, poll } = await start()
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Ancienne tâche',
      assignees: [t.users.imhotep.id],
      state: t.state('In Progress').id,
    })
    t.plane.seed.comment(t.project.id, item.id, {
      comment_html: '<p>❓ Une vieille question</p>',
      actor: human.id,
    })
    // An empty store's first cycle, no server start noted (a CLI poll alone): the past is not news.
    expect((await poll()).commentsRead).toBe(0)
    expect((await poll()).commentsRead).toBe(0)
    expect(sent(t).some((text) => text.includes('vieille question'))).toBe(false)
  })
})
