/**
 * Run cards written after the fact (issue 32): a record's update is the store's alone; its card is marked and
 * written by `flushCards` once its coalescing delay has passed, one write for a burst of changes, with the mark
 * kept when a change comes during the write or Plane refuses it.
 */
import { describe, expect, it } from 'vitest'
import { createPlaneSim } from '../../sim/plane/index.ts'
import { silentLogger } from '../observe/log.ts'
import { createPlaneClient } from '../plane/client.ts'
import { type RateLimit, UNLIMITED_RATE } from '../plane/request-window.ts'
import { createKeyedLocks } from '../store/keyed-lock.ts'
import { createMemoryStore } from '../store/store.ts'
import { CARD_DELAY_MS, CARDS_DUE_SET, createRunStore, emptyRunRecord } from './records.ts'
import { parseRunCard } from './run-card.ts'

function setup({ rateLimit = UNLIMITED_RATE }: { rateLimit?: RateLimit } = {}) {
  let clock = Date.UTC(2026, 10, 25, 8, 0, 0)
  const now = () => clock
  const sim = createPlaneSim({ now })
  const admin = sim.seed.user({ role: 20, display_name: 'bridge' })
  const project = sim.seed.project({ name: 'Onboarding', identifier: 'ONB', creator: admin.id })
  const item = sim.seed.workItem(project.id, { name: 'Rédiger la FAQ' })
  const plane = createPlaneClient({
    baseUrl: sim.baseUrl,
    apiKey: admin.apiKey,
    workspaceSlug: sim.workspaceSlug,
    fetch: sim.fetch,
    rateLimit,
    now,
  })
  const store = createMemoryStore({ now })
  const marked: number[] = []
  /** The run store of a process on this store: the first one is the test's, another is another process's. */
  const runStore = () =>
    createRunStore({
      store,
      locks: createKeyedLocks({ store }),
      plane,
      nameOf: async (id) => (id === 'imhotep' ? 'Imhotep' : null),
      log: silentLogger,
      locale: 'fr',
      now,
      onCardMarked: (ms) => marked.push(ms),
    })
  const runs = runStore()
  const task = { id: item.id, projectId: project.id, ref: 'ONB-1' }
  const comments = () =>
    [...sim.state.comments.values()].filter((c) => c.issue === item.id && !c.deleted_at)
  const writes = () =>
    sim.requests.filter((r) => r.method !== 'GET' && r.path.includes('/comments/'))
  return {
    sim,
    store,
    runs,
    runStore,
    task,
    marked,
    comments,
    writes,
    advance: (ms: number) => {
      clock += ms
    },
  }
}

describe('run cards, written after the fact', () => {
  it('should write one card for a burst of changes once the delay has passed, then patch it', async () => {
    const { runs, task, marked, comments, writes, advance } = setup()
    await runs.update(task, (r) => ({ ...r, agentId: 'imhotep', state: 'active' }), {
      agentName: 'Imhotep',
      created: true,
    })
    for (let i = 1; i <= 3; i++)
      await runs.update(task, (r) => ({ ...r, timeSpentSeconds: i * 60 }), { agentName: 'Imhotep' })
    // The updates asked Plane nothing: the card waits for its delay.
    expect(writes()).toEqual([])
    expect(marked).toEqual([CARD_DELAY_MS, CARD_DELAY_MS, CARD_DELAY_MS, CARD_DELAY_MS])
    expect(await runs.flushCards()).toEqual({
      tried: 0,
      written: 0,
      nextDueInMs: CARD_DELAY_MS,
      elsewhere: [],
    })

    advance(CARD_DELAY_MS)
    expect(await runs.flushCards()).toEqual({
      tried: 1,
      written: 1,
      nextDueInMs: null,
      elsewhere: [],
    })
    expect(writes().map((r) => r.method)).toEqual(['POST'])
    const [card] = comments()
    expect(parseRunCard(card?.comment_html ?? '')).toMatchObject({
      agentId: 'imhotep',
      state: 'active',
      timeSpentSeconds: 180,
    })
    expect((await runs.peek(task.id))?.cardCommentId).toBe(card?.id)

    await runs.update(task, (r) => ({ ...r, state: 'done' }), { agentName: 'Imhotep' })
    advance(CARD_DELAY_MS)
    await runs.flushCards()
    expect(writes().map((r) => r.method)).toEqual(['POST', 'PATCH'])
    expect(comments()).toHaveLength(1)
    expect(parseRunCard(comments()[0]?.comment_html ?? '')?.state).toBe('done')
  })

  it('should leave a heartbeat in the store only', async () => {
    const { runs, task, writes, advance } = setup()
    await runs.update(task, (r) => ({ ...r, agentId: 'imhotep', state: 'active' }), {
      agentName: 'Imhotep',
      created: true,
    })
    advance(CARD_DELAY_MS)
    await runs.flushCards()
    await runs.update(task, (r) => ({ ...r, sessionId: 'run-1' }), { agentName: null, card: false })
    advance(CARD_DELAY_MS)
    expect(await runs.flushCards()).toEqual({
      tried: 0,
      written: 0,
      nextDueInMs: null,
      elsewhere: [],
    })
    expect(writes()).toHaveLength(1)
  })

  it('should keep the mark when Plane refuses the card, and write it on a later flush', async () => {
    const { sim, store, runs, task, comments, advance } = setup()
    await runs.update(task, (r) => ({ ...r, agentId: 'imhotep', state: 'active' }), {
      agentName: 'Imhotep',
      created: true,
    })
    sim.faults.failWhen((r) => r.method === 'POST' && r.path.includes('/comments/'), 1, 400)
    advance(CARD_DELAY_MS)
    expect(await runs.flushCards()).toEqual({
      tried: 1,
      written: 0,
      nextDueInMs: 30_000,
      elsewhere: [],
    })
    expect(comments()).toEqual([])
    expect(await store.sortedSize(CARDS_DUE_SET)).toBe(1)
    advance(30_000)
    expect((await runs.flushCards()).written).toBe(1)
    expect(comments()).toHaveLength(1)
    expect(await store.sortedSize(CARDS_DUE_SET)).toBe(0)
  })

  it('should give up a card waiting for the window when the flush’s signal aborts, and keep it marked as it was', async () => {
    const { store, runs, task, comments, writes, advance } = setup({
      rateLimit: { requests: 1, windowMs: 60_000 },
    })
    const work = (state: 'active' | 'done') =>
      runs.update(task, (r) => ({ ...r, agentId: 'imhotep', state }), {
        agentName: 'Imhotep',
        created: state === 'active',
      })
    await work('active')
    advance(CARD_DELAY_MS)
    expect((await runs.flushCards()).written).toBe(1)
    // The key's one request a minute is spent: the next write waits for the window, and the flush's deadline comes.
    await work('done')
    const due = await store.sortedRange(CARDS_DUE_SET, {})
    const giveUp = new AbortController()
    const flushing = runs.flushCards({ all: true, signal: giveUp.signal })
    await new Promise((resolve) => setTimeout(resolve, 20))
    giveUp.abort()
    expect(await flushing).toMatchObject({ written: 0 })
    expect(writes()).toHaveLength(1)
    expect(await store.sortedRange(CARDS_DUE_SET, {})).toEqual(due)
    // An aborted signal begins no card at all.
    expect(await runs.flushCards({ all: true, signal: AbortSignal.abort() })).toMatchObject({
      written: 0,
    })
    // The next flush, once the window has room, writes it.
    advance(61_001)
    expect(await runs.flushCards()).toEqual({
      tried: 1,
      written: 1,
      nextDueInMs: null,
      elsewhere: [],
    })
    expect(writes().map((r) => r.method)).toEqual(['POST', 'PATCH'])
    expect(parseRunCard(comments()[0]?.comment_html ?? '')?.state).toBe('done')
  })

  it('should write the card again when the record changed while it was being written', async () => {
    const { sim, runs, task, comments, advance } = setup()
    await runs.update(task, (r) => ({ ...r, agentId: 'imhotep', state: 'active' }), {
      agentName: 'Imhotep',
      created: true,
    })
    advance(CARD_DELAY_MS)
    const held = sim.faults.holdWhen((r) => r.method === 'POST' && r.path.includes('/comments/'))
    const flushing = runs.flushCards()
    await held.reached
    // The agent's call goes on while Plane is slow: it waits for no card.
    await runs.update(task, (r) => ({ ...r, state: 'done' }), { agentName: 'Imhotep' })
    held.release()
    expect((await flushing).written).toBe(1)
    expect(parseRunCard(comments()[0]?.comment_html ?? '')?.state).toBe('active')
    // Still marked: the next flush writes the change that came during the first write, on the same card.
    expect((await runs.flushCards({ all: true })).written).toBe(1)
    expect(comments()).toHaveLength(1)
    expect(parseRunCard(comments()[0]?.comment_html ?? '')?.state).toBe('done')
  })

  it('should tell a card another process is writing from one a pass of its own is writing', async () => {
    const { sim, store, runs, runStore, task, comments, advance } = setup()
    await runs.update(task, (r) => ({ ...r, agentId: 'imhotep', state: 'active' }), {
      agentName: 'Imhotep',
      created: true,
    })
    advance(CARD_DELAY_MS)
    // Another process on the same store is writing the card, and Plane is slow to answer it.
    const held = sim.faults.holdWhen((r) => r.method === 'POST' && r.path.includes('/comments/'))
    const other = runStore()
    const writing = other.flushCards()
    await held.reached
    expect(await runs.flushCards({ all: true })).toEqual({
      tried: 1,
      written: 0,
      nextDueInMs: 1_000,
      elsewhere: [task.id],
    })
    // A second pass in the process that writes it: its own card, not another's.
    expect(await other.flushCards({ all: true })).toMatchObject({
      tried: 1,
      written: 0,
      elsewhere: [],
    })
    held.release()
    expect(await writing).toMatchObject({ written: 1 })
    expect(comments()).toHaveLength(1)
    expect(await store.sortedSize(CARDS_DUE_SET)).toBe(0)
  })

  it('should read a record an earlier version stored with `held`, as `waitsFor`, and store it back as `waitsFor`', async () => {
    const { store, runs, task } = setup()
    const earlier = {
      ...emptyRunRecord(task),
      agentId: 'imhotep',
      costEstimate: 2,
      held: 'approval',
    }
    await store.set(`run:record:${task.id}`, earlier)
    expect(await runs.peek(task.id)).toEqual({
      ...emptyRunRecord(task),
      agentId: 'imhotep',
      costEstimate: 2,
      waitsFor: 'approval',
    })
    expect((await runs.peekMany([task.id]))[0]?.waitsFor).toBe('approval')
    const updated = await runs.update(task, (r) => ({ ...r, confidence: 0.5 }), { agentName: null })
    expect(updated.waitsFor).toBe('approval')
    const stored = await store.get<Record<string, unknown>>(`run:record:${task.id}`)
    expect(stored).toMatchObject({ waitsFor: 'approval', confidence: 0.5 })
    expect(stored).not.toHaveProperty('held')
  })

  it('should rebuild a lost record from the card through the caller’s client', async () => {
    const { store, runs, task, advance, sim } = setup()
    await runs.update(
      task,
      (r) => ({ ...r, agentId: 'imhotep', state: 'active', confidence: 0.8 }),
      {
        agentName: 'Imhotep',
        created: true,
      }
    )
    advance(CARD_DELAY_MS)
    await runs.flushCards()
    await store.delete(`run:record:${task.id}`)
    const agent = sim.seed.user({ display_name: 'imhotep' })
    sim.seed.member(task.projectId, agent.id, 15)
    const via = createPlaneClient({
      baseUrl: sim.baseUrl,
      apiKey: agent.apiKey,
      workspaceSlug: sim.workspaceSlug,
      fetch: sim.fetch,
      rateLimit: UNLIMITED_RATE,
    })
    const before = sim.requests.length
    const record = await runs.update(task, (r) => r, { agentName: 'Imhotep', via })
    expect(record).toMatchObject({ agentId: 'imhotep', state: 'active', confidence: 0.8 })
    expect(sim.requests.slice(before).map((r) => [r.method, r.apiKey])).toEqual([
      ['GET', agent.apiKey],
    ])
  })
})
