import { describe, expect, it } from 'vitest'
import { makeSnapshot, STATES, USERS } from '../../test/fixtures/tasks.ts'
import type { CommentEvent } from '../events.ts'
import { createStaticDirectory } from '../notify/directory.ts'
import { createOutbox } from '../notify/outbox.ts'
import { createNotifyPolicy } from '../notify/policy.ts'
import { listReviews } from '../notify/reviews.ts'
import { silentLogger } from '../observe/log.ts'
import { createMetricsRegistry } from '../observe/metrics.ts'
import { createRedactor } from '../observe/redact.ts'
import { createPlaneHttpError } from '../plane/errors.ts'
import { createRunTracker } from '../runs/tracker.ts'
import { createKeyedLocks } from '../store/keyed-lock.ts'
import { createMemoryStore } from '../store/store.ts'
import { createPipeline } from './pipeline.ts'
import type { FlushContext } from './plan-flush.ts'

const PROJECT = { id: makeSnapshot().projectId, name: 'Onboarding', identifier: 'ONB' }
const AGENT = {
  id: 'thot',
  name: 'Thot',
  role: 'member' as const,
  planeUserId: USERS.thot,
  openclawAgentId: 'thot',
}
const at = (s: number) => new Date(Date.UTC(2026, 10, 21, 6, 0, s)).toISOString()

function setup({
  syncAgentLabels,
  onClosed,
}: Pick<FlushContext, 'syncAgentLabels' | 'onClosed'> = {}) {
  let clock = Date.UTC(2026, 10, 21, 6, 0, 0)
  const now = () => clock
  const store = createMemoryStore({ now })
  const outbox = createOutbox(store, now)
  const directory = createStaticDirectory({
    projects: [PROJECT],
    users: { [USERS.imhotep]: 'Imhotep' },
    agents: [AGENT],
  })
  const tracker = createRunTracker({
    store,
    outbox,
    runs: null,
    directory,
    snapshot: (id) => pipeline.snapshot(id),
    locale: 'fr',
    chatId: '-1001234567890',
    wakeAgents: true,
    checkinMs: 120_000,
    attempts: 3,
    staleMs: 30 * 60_000,
    log: silentLogger,
    metrics: createMetricsRegistry(),
    now,
  })
  const pipeline = createPipeline({
    store,
    locks: createKeyedLocks({ store }),
    outbox,
    directory,
    tracker,
    policy: createNotifyPolicy(),
    locale: 'fr',
    log: silentLogger,
    chatId: '-1001234567890',
    planeBaseUrl: 'https://work.example.com',
    workspaceSlug: 'javisi',
    now,
    ...(syncAgentLabels ? { syncAgentLabels } : {}),
    ...(onClosed ? { onClosed } : {}),
  })
  return { pipeline, tracker, outbox, store, advance: (ms: number) => (clock += ms) }
}

let commentSeq = 0
const comment = (text: string, commentId = `c${++commentSeq}`): CommentEvent => ({
  type: 'comment',
  taskId: makeSnapshot().id,
  projectId: PROJECT.id,
  commentId,
  text,
  actor: { id: USERS.imhotep, name: 'Imhotep' },
  source: 'webhook',
})

describe('event pipeline', () => {
  it('should turn one edit delivered as 3 deliveries plus a retry into exactly one message', async () => {
    const { pipeline, outbox, advance } = setup()
    await pipeline.sightTask(makeSnapshot({ updatedAt: at(0) }), { source: 'poll' })
    const done = makeSnapshot({ state: STATES.done, completedAt: at(30), updatedAt: at(30) })
    const actor = { id: USERS.imhotep, name: 'Imhotep' }
    const results = []
    for (const field of ['state', 'state_id', 'completed_at', 'state_id']) {
      results.push(
        await pipeline.sightTask(done, {
          source: 'webhook',
          hint: { field, oldValue: null },
          actor,
        })
      )
    }
    expect(results).toEqual(['pending', 'unchanged', 'unchanged', 'unchanged'])
    expect((await pipeline.flushDue()).enqueued).toBe(0)
    advance(5_000)
    expect(await pipeline.flushDue()).toMatchObject({ flushed: 1, enqueued: 1 })
    const [item] = await outbox.pending()
    expect(item?.payload.text).toBe(
      '✅ <b>[Onboarding]</b> <b>Imhotep</b> a terminé <a href="https://work.example.com/javisi/browse/ONB-12/">ONB-12 « Configurer Redis »</a>\n👥 Assignée à : Imhotep'
    )
    expect(await pipeline.flushDue({ all: true })).toMatchObject({ flushed: 0, enqueued: 0 })
  })

  it('should ignore a delivery older than what it already knows', async () => {
    const { pipeline, outbox, advance } = setup()
    await pipeline.sightTask(makeSnapshot({ state: STATES.done, updatedAt: at(20) }), {
      source: 'webhook',
      created: true,
    })
    advance(5_000)
    await pipeline.flushDue()
    const before = (await outbox.pending()).length
    const older = makeSnapshot({ state: STATES.inProgress, updatedAt: at(10) })
    expect(
      await pipeline.sightTask(older, {
        source: 'webhook',
        hint: { field: 'state', oldValue: 'Todo' },
      })
    ).toBe('stale')
    advance(5_000)
    await pipeline.flushDue()
    expect((await outbox.pending()).length).toBe(before)
    expect((await pipeline.snapshot(older.id))?.state).toEqual(STATES.done)
  })

  it('should wake an agent once when a task is assigned to it, however often it is seen', async () => {
    const { pipeline, outbox, advance } = setup()
    await pipeline.sightTask(makeSnapshot({ updatedAt: at(0) }), { source: 'poll' })
    const assigned = makeSnapshot({ assigneeIds: [USERS.imhotep, USERS.thot], updatedAt: at(9) })
    await pipeline.sightTask(assigned, {
      source: 'webhook',
      hint: { field: 'assignee_ids', oldValue: [USERS.imhotep] },
    })
    await pipeline.sightTask(assigned, { source: 'webhook' })
    advance(5_000)
    await pipeline.flushDue()
    await pipeline.sightTask(assigned, { source: 'poll' })
    advance(5_000)
    await pipeline.flushDue()
    const wakes = (await outbox.pending()).filter((i) => i.channel === 'openclaw')
    expect(wakes).toHaveLength(1)
    expect(wakes[0]).toMatchObject({ target: 'thot', payload: { agentId: 'thot', deliver: false } })
    expect(String(wakes[0]?.payload.message)).toContain('ONB-12 « Configurer Redis »')
    // Minor edits (an assignment) are not for the human by default.
    expect((await outbox.pending()).filter((i) => i.channel === 'telegram')).toHaveLength(0)
  })

  it('should wake an agent named by an agent:<id> label', async () => {
    const { pipeline, outbox, advance } = setup()
    await pipeline.sightTask(makeSnapshot({ updatedAt: at(0) }), { source: 'poll' })
    await pipeline.sightTask(makeSnapshot({ labels: ['agent:Thot'], updatedAt: at(3) }), {
      source: 'poll',
    })
    advance(5_000)
    await pipeline.flushDue()
    expect((await outbox.pending()).map((i) => i.target)).toEqual(['thot'])
  })

  it('should notify a ❌ blocker comment and skip an ordinary one', async () => {
    const { pipeline, outbox, advance } = setup()
    await pipeline.sightTask(makeSnapshot({ updatedAt: at(0) }), { source: 'poll' })
    expect(
      await pipeline.sightComment(comment('⏳ 60% complete - building Docker image'), null)
    ).toBe(false)
    expect(await pipeline.sightComment(comment('❌ Failed: docker build exited 1'), null)).toBe(
      true
    )
    advance(5_000)
    await pipeline.flushDue()
    const texts = (await outbox.pending()).map((i) => String(i.payload.text))
    expect(texts).toHaveLength(1)
    expect(texts[0]).toContain('<b>Imhotep</b> signale un blocage sur')
    expect(texts[0]).toContain('<blockquote>❌ Failed: docker build exited 1</blockquote>')
  })

  it('should say a move to Blocked and the comment explaining it in one message', async () => {
    const { pipeline, outbox, advance } = setup()
    await pipeline.sightTask(makeSnapshot({ updatedAt: at(0) }), { source: 'poll' })
    await pipeline.sightTask(makeSnapshot({ state: STATES.blocked, updatedAt: at(1) }), {
      source: 'webhook',
      actor: { id: USERS.imhotep, name: 'Imhotep' },
    })
    await pipeline.sightComment(comment('❌ Bloquée (Imhotep) : le DNS ne répond pas'), null)
    advance(5_000)
    await pipeline.flushDue()
    const texts = (await outbox.pending()).map((i) => String(i.payload.text))
    expect(texts).toHaveLength(1)
    expect(texts[0]).toMatch(/^⛔ /)
    expect(texts[0]).toContain(
      '<blockquote>❌ Bloquée (Imhotep) : le DNS ne répond pas</blockquote>'
    )
  })

  it("should make a write of the bridge's own due at once, and leave the others to their window", async () => {
    const { pipeline, outbox } = setup()
    await pipeline.sightTask(makeSnapshot({ updatedAt: at(0) }), { source: 'poll' })
    const other = makeSnapshot({ id: 'task-other', updatedAt: at(0) })
    await pipeline.sightTask(other, { source: 'poll' })
    // The bridge's own write, read back (a tool's, a human's press): the agent should start now.
    const assigned = makeSnapshot({ assigneeIds: [USERS.imhotep, USERS.thot], updatedAt: at(1) })
    await pipeline.sightTask(assigned, { source: 'bridge' })
    await pipeline.sightTask(
      { ...other, assigneeIds: [USERS.thot], updatedAt: at(1) },
      {
        source: 'webhook',
      }
    )
    // No time has passed: only the bridge's write is due.
    expect(await pipeline.flushDue()).toMatchObject({ flushed: 1 })
    const wakes = (await outbox.pending()).filter((i) => i.channel === 'openclaw')
    expect(wakes.map((w) => String(w.payload.message))).toEqual([
      expect.stringContaining('ONB-12 « Configurer Redis »'),
    ])
  })

  it("should wake an approved task's agent once, whether the press's call or the label's flush comes first", async () => {
    const { pipeline, tracker, outbox } = setup()
    const wakes = async () => (await outbox.pending()).filter((i) => i.channel === 'openclaw')
    const awaiting = makeSnapshot({
      assigneeIds: [USERS.thot],
      labels: ['needs-approval'],
      updatedAt: at(0),
    })
    await pipeline.sightTask(awaiting, { source: 'poll' })
    // Still awaiting approval, or not open to its agent (the backlog): nobody is woken.
    expect(await tracker.approved(awaiting)).toBe(0)
    expect(
      await tracker.approved({
        ...awaiting,
        labels: [],
        state: STATES.todo,
        id: 'task-x',
        sequenceId: 21,
      })
    ).toBe(1)
    expect(
      await tracker.approved({
        ...awaiting,
        labels: [],
        state: STATES.backlog,
        id: 'task-y',
        sequenceId: 22,
      })
    ).toBe(0)
    // The press's call first, then the flush of the label's removal (the bridge's own write).
    const approved = { ...awaiting, labels: [], updatedAt: at(1) }
    expect(await tracker.approved(approved)).toBe(1)
    await pipeline.sightTask(approved, { source: 'bridge', before: awaiting })
    expect(await pipeline.flushDue()).toMatchObject({ flushed: 1 })
    expect(await tracker.approved(approved)).toBe(0)
    expect(
      (await wakes()).filter((w) => String(w.payload.message).includes('ONB-12'))
    ).toHaveLength(1)
    // The flush first (another task approved in Plane, or a flush the press's kick ran sooner): the call adds none.
    const other = { ...awaiting, id: 'task-z', labels: ['needs-approval'], sequenceId: 13 }
    await pipeline.sightTask(other, { source: 'poll' })
    await pipeline.sightTask(
      { ...other, labels: [], updatedAt: at(2) },
      { source: 'bridge', before: other }
    )
    await pipeline.flushDue()
    expect(await tracker.approved({ ...other, labels: [], updatedAt: at(2) })).toBe(0)
    expect(
      (await wakes()).filter((w) => String(w.payload.message).includes('ONB-13'))
    ).toHaveLength(1)
  })

  it('should hold a change its own write is still making until the write is done, however long', async () => {
    const { pipeline, outbox, advance } = setup()
    await pipeline.sightTask(makeSnapshot({ updatedAt: at(0) }), { source: 'poll' })
    const mark = await pipeline.writing(makeSnapshot().id)
    // Plane v1.3's echo of the state arrives first; the comment that says why is minutes away.
    await pipeline.sightTask(makeSnapshot({ state: STATES.blocked, updatedAt: at(1) }), {
      source: 'webhook',
      actor: { id: USERS.imhotep, name: 'Imhotep' },
    })
    advance(60_000)
    expect(await pipeline.flushDue()).toMatchObject({ enqueued: 0, nextDueInMs: 1_000 })
    await pipeline.sightComment(comment('❌ Bloquée (Imhotep) : le DNS ne répond pas'), null)
    await mark.done()
    await pipeline.flushDue()
    const texts = (await outbox.pending()).map((i) => String(i.payload.text))
    expect(texts).toHaveLength(1)
    expect(texts[0]).toContain('le DNS ne répond pas')
  })

  it('should tell the change as it stands once the mark of a write that never ended expires', async () => {
    const { pipeline, outbox, advance } = setup()
    await pipeline.sightTask(makeSnapshot({ updatedAt: at(0) }), { source: 'poll' })
    await pipeline.writing(makeSnapshot().id)
    await pipeline.sightTask(makeSnapshot({ state: STATES.blocked, updatedAt: at(1) }), {
      source: 'webhook',
      actor: { id: USERS.imhotep, name: 'Imhotep' },
    })
    advance(119_000)
    expect((await pipeline.flushDue()).enqueued).toBe(0)
    advance(1_000)
    expect((await pipeline.flushDue()).enqueued).toBe(1)
    expect(await outbox.pending()).toHaveLength(1)
  })

  it('should keep a change that follows a first sighting in the same pending change', async () => {
    const { pipeline, outbox, advance } = setup()
    // The first delivery about a task is a priority change (its old value in the hint), the next one, 2 s later,
    // its completion: the window's message must say both happened, not only what the first hint rebuilt.
    const raised = makeSnapshot({ priority: 'high', updatedAt: at(0) })
    const hint = { field: 'priority', oldValue: 'medium' }
    expect(await pipeline.sightTask(raised, { source: 'webhook', hint })).toBe('pending')
    advance(2_000)
    const done = makeSnapshot({ priority: 'high', state: STATES.done, updatedAt: at(2) })
    const closing = { source: 'webhook' as const, hint: { field: 'state', oldValue: null } }
    expect(await pipeline.sightTask(done, closing)).toBe('pending')
    advance(5_000)
    expect(await pipeline.flushDue()).toMatchObject({ flushed: 1, enqueued: 1 })
    const [item] = await outbox.pending()
    expect(item?.payload.text).toContain('« Configurer Redis »</a> est terminée')
  })

  it('should close from open a task created, started and done within one window, and not one created done', async () => {
    const closed: Array<{ id: string; fromOpen: boolean }> = []
    const { pipeline } = setup({
      onClosed: async (task, _group, { fromOpen }) => {
        closed.push({ id: task.id, fromOpen })
      },
    })
    // The bridge's own writes, read back one after the other before any flush ran (a flush held by a lock, or by
    // Plane failing it): one change, "created → done", with the open states seen only inside the window.
    const made = { source: 'bridge' as const, created: true }
    await pipeline.sightTask(makeSnapshot({ state: STATES.todo, updatedAt: at(0) }), made)
    await pipeline.sightTask(makeSnapshot({ state: STATES.inProgress, updatedAt: at(1) }), {
      source: 'bridge',
    })
    await pipeline.sightTask(makeSnapshot({ state: STATES.done, updatedAt: at(2) }), {
      source: 'bridge',
    })
    // Another task, created already done: it never was open, as far as anyone saw.
    await pipeline.sightTask(
      makeSnapshot({ id: 'task-done', state: STATES.done, updatedAt: at(0) }),
      made
    )
    await pipeline.flushDue()
    expect(closed.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([
      { id: makeSnapshot().id, fromOpen: true },
      { id: 'task-done', fromOpen: false },
    ])
  })

  it('should take a first sighting without history as a baseline, silently', async () => {
    const { pipeline, outbox, advance } = setup()
    expect(await pipeline.sightTask(makeSnapshot({ state: STATES.done }), { source: 'poll' })).toBe(
      'baseline'
    )
    advance(5_000)
    await pipeline.flushDue()
    expect(await outbox.pending()).toEqual([])
  })

  it('should ask the human for a review when an agent reports a low confidence, and only then', async () => {
    const { pipeline, outbox, store, advance } = setup()
    await pipeline.sightTask(makeSnapshot({ updatedAt: at(0) }), { source: 'poll' })
    // A good report is kept too: it settles an earlier review of the task.
    expect(await pipeline.sightComment(comment('✅ Terminé, confiance : 0,9'), null)).toBe(true)
    expect(
      await pipeline.sightComment(comment('✅ Terminé. confidence: 0.55 — tests partiels'), null)
    ).toBe(true)
    advance(5_000)
    await pipeline.flushDue()
    const texts = (await outbox.pending()).map((i) => String(i.payload.text))
    expect(texts).toEqual([
      '🔍 <b>[Onboarding]</b> Revue demandée pour <a href="https://work.example.com/javisi/browse/ONB-12/">ONB-12 « Configurer Redis »</a> : confiance 0,55 (<b>Imhotep</b>)\n<blockquote>✅ Terminé. confidence: 0.55 — tests partiels</blockquote>',
    ])
    expect(await listReviews(store)).toMatchObject([
      { taskName: 'Configurer Redis', confidence: 0.55 },
    ])
    await pipeline.sightComment(comment('Corrigé après relecture. confidence: 0.85'), null)
    advance(5_000)
    await pipeline.flushDue()
    expect(await listReviews(store)).toEqual([])
  })

  it('should count one comment once, whichever source sees it first (tool, webhook echo, edit)', async () => {
    const { pipeline, outbox, advance } = setup()
    await pipeline.sightTask(makeSnapshot({ updatedAt: at(0) }), { source: 'poll' })
    const blocker = comment('❌ Failed: docker build exited 1', 'c-dup')
    expect(await pipeline.sightComment({ ...blocker, source: 'bridge' }, null)).toBe(true)
    expect(await pipeline.sightComment(blocker, null)).toBe(false)
    expect(await pipeline.sightComment({ ...blocker, text: '❌ Failed: edited' }, null)).toBe(false)
    advance(5_000)
    await pipeline.flushDue()
    expect((await outbox.pending()).map((i) => String(i.payload.text))).toHaveLength(1)
  })
})

describe('pipeline: a task deleted in Plane (issue 37)', () => {
  it('should drop its snapshot and waiting change, ignore sightings read before, and take it back when newer', async () => {
    const { pipeline, store, advance } = setup()
    const task = makeSnapshot({ updatedAt: at(0) })
    await pipeline.sightTask(task, { source: 'poll' })
    await pipeline.sightTask(
      { ...task, state: STATES.done, updatedAt: at(1) },
      { source: 'webhook' }
    )
    advance(10_000)
    const last = await pipeline.dropDeleted(task.id)
    expect(last?.state).toEqual(STATES.done)
    expect(await pipeline.snapshot(task.id)).toBeNull()
    expect(await store.sortedSize('index:task-pending')).toBe(0)
    // Until settled, the deletion is handed out again (a crash in the middle finishes it next time).
    expect((await pipeline.dropDeleted(task.id))?.id).toBe(task.id)
    await pipeline.settleDeleted(task.id)
    expect(await pipeline.dropDeleted(task.id)).toBeNull()
    // A delivery held back, a listing read before the deletion: not news.
    expect(
      await pipeline.sightTask(
        { ...task, priority: 'urgent', updatedAt: at(5) },
        { source: 'webhook' }
      )
    ).toBe('stale')
    expect(await pipeline.snapshot(task.id)).toBeNull()
    // A version newer than the deletion: Plane has the task again (restored), seen afresh.
    const back = { ...task, updatedAt: new Date(Date.UTC(2026, 10, 21, 6, 1, 0)).toISOString() }
    expect(await pipeline.sightTask(back, { source: 'poll' })).toBe('baseline')
    expect((await pipeline.snapshot(task.id))?.updatedAt).toBe(back.updatedAt)
  })

  it('should not know a task it never saw', async () => {
    const { pipeline } = setup()
    expect(await pipeline.dropDeleted(makeSnapshot().id)).toBeNull()
  })
})

describe('a flush Plane refuses', () => {
  const planeError = (status: number) =>
    createPlaneHttpError(
      { status, method: 'PATCH', path: '/work-items/x/', body: { error: 'nope' } },
      createRedactor()
    )
  /** Thot's task, finished and unassigned in one edit: a message to tell, and thot's label to take off. */
  const unassigned = async (pipeline: ReturnType<typeof setup>['pipeline'], id: string) => {
    const given = makeSnapshot({ id, assigneeIds: [USERS.thot], updatedAt: at(0) })
    await pipeline.sightTask(given, { source: 'poll' })
    const actor = { id: USERS.imhotep, name: 'Imhotep' }
    await pipeline.sightTask(
      { ...given, state: STATES.done, completedAt: at(10), assigneeIds: [], updatedAt: at(10) },
      { source: 'webhook', actor }
    )
  }

  it('should tell a change whose task is gone from Plane when its labels are synced (404), and not throw', async () => {
    const { pipeline, outbox, advance } = setup({
      syncAgentLabels: async () => {
        throw planeError(404)
      },
    })
    await unassigned(pipeline, makeSnapshot().id)
    advance(5_000)
    expect(await pipeline.flushDue()).toMatchObject({ flushed: 1 })
    expect((await outbox.pending('telegram')).length).toBeGreaterThan(0)
    expect(await pipeline.flushDue({ all: true })).toMatchObject({ flushed: 0 })
  })

  it('should hold back no other task while one task’s flush fails in Plane, and try that one again later', async () => {
    const failing = '00000000-0000-4000-8000-00000000c0f1'
    let calls = 0
    const { pipeline, outbox, store, advance } = setup({
      syncAgentLabels: async (task) => {
        if (task.id !== failing) return null
        calls++
        throw planeError(502)
      },
    })
    await unassigned(pipeline, failing)
    advance(1)
    await unassigned(pipeline, makeSnapshot().id)
    advance(5_000)
    // The failing task is due first: before, its error ended the pass and the other task waited behind it.
    expect(await pipeline.flushDue()).toMatchObject({ flushed: 1 })
    expect(calls).toBe(1)
    expect((await outbox.pending('telegram')).length).toBeGreaterThan(0)
    // Kept, and not tried again at every pass: later.
    expect(await store.sortedSize('index:task-pending')).toBe(1)
    await pipeline.flushDue()
    expect(calls).toBe(1)
    advance(60_000)
    await pipeline.flushDue()
    expect(calls).toBe(2)
  })
})
