import { describe, expect, it } from 'vitest'
import { createLogger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import { createRunStore, emptyRunRecord } from '../runs/records.ts'
import type { RunRecord } from '../runs/types.ts'
import { createKeyedLocks } from '../store/keyed-lock.ts'
import { createMemoryStore } from '../store/store.ts'
import { createBudget } from './budget.ts'
import { createLedger, entryOf } from './ledger.ts'
import { daysElapsed, daysInMonth, monthOf, nextMonth } from './month.ts'
import { keepLedger } from './rebuild.ts'

const PARIS = 'Europe/Paris'
const record = (overrides: Partial<RunRecord>): RunRecord => ({
  ...emptyRunRecord({ id: 'task-1', projectId: 'project-1', ref: 'ONB-1' }),
  agentId: 'imhotep',
  ...overrides,
})

describe('months in TIMEZONE', () => {
  it('should put an instant in the month of its wall clock, and count the month’s days', () => {
    // 31 July, 23:30 in Paris is already August 1st there, still July in UTC.
    expect(monthOf(Date.parse('2026-07-31T22:30:00Z'), PARIS)).toBe('2026-08')
    expect(monthOf(Date.parse('2026-07-31T22:30:00Z'), 'UTC')).toBe('2026-07')
    expect([daysInMonth('2026-02'), daysInMonth('2028-02'), daysInMonth('2026-12')]).toEqual([
      28, 29, 31,
    ])
    expect(nextMonth('2026-12')).toBe('2027-01')
    expect(daysElapsed(Date.parse('2026-07-11T10:00:00Z'), PARIS)).toBe(10.5)
    expect(daysElapsed(Date.parse('2026-06-30T22:00:00Z'), PARIS)).toBeCloseTo(1 / 24)
  })
})

describe('entryOf: where a task’s money counts', () => {
  const done = { state: 'done' as const, finishedAt: '2026-07-31T22:30:00Z' }
  it('should commit an open task’s estimate, set it aside while it waits for approval, count nothing without one', () => {
    expect(entryOf(record({ state: 'active', costEstimate: 12 }), PARIS)).toMatchObject({
      kind: 'open',
      micros: 12_000_000,
    })
    expect(entryOf(record({ costEstimate: 12, waitsFor: 'budget' }), PARIS)).toMatchObject({
      kind: 'waiting',
    })
    expect(entryOf(record({ state: 'stale', costEstimate: null }), PARIS)).toBeNull()
  })

  it('should spend a finished task’s cost in the month it finished, else its estimate marked as estimated', () => {
    expect(entryOf(record({ ...done, cost: 7.25, costEstimate: 10 }), PARIS)).toMatchObject({
      kind: 'spent',
      month: '2026-08',
      micros: 7_250_000,
      estimated: false,
    })
    expect(entryOf(record({ ...done, cost: null, costEstimate: 10 }), PARIS)).toMatchObject({
      micros: 10_000_000,
      estimated: true,
    })
    expect(entryOf(record({ ...done, cost: null, costEstimate: null }), PARIS)).toBeNull()
  })

  it('should count a cancelled task only for what it reported spending', () => {
    const cancelled = { state: 'cancelled' as const, finishedAt: done.finishedAt, costEstimate: 10 }
    expect(entryOf(record({ ...cancelled, cost: null }), PARIS)).toBeNull()
    expect(entryOf(record({ ...cancelled, cost: 3 }), PARIS)).toMatchObject({
      kind: 'spent',
      micros: 3_000_000,
    })
  })
})

describe('the ledger in the store', () => {
  it('should replace a task’s placement, never add to it, and forget it when it counts nowhere', async () => {
    const store = createMemoryStore()
    const ledger = createLedger({ store, timeZone: PARIS, now: Date.now })
    const open = record({ state: 'active', costEstimate: 10 })
    expect(await ledger.place(open)).toBe(true)
    expect(await ledger.place(open)).toBe(false)
    const finished = record({
      state: 'done',
      finishedAt: '2026-07-10T10:00:00Z',
      costEstimate: 10,
      cost: 4,
    })
    expect(await ledger.place(finished)).toBe(true)
    expect(await ledger.place(finished)).toBe(false)
    const july = await ledger.read('2026-07')
    expect([
      july.open,
      july.waiting,
      july.spent.map((l) => [l.taskId, l.micros, l.estimated]),
    ]).toEqual([[], [], [['task-1', 4_000_000, false]]])
    // Reopened, then finished in August: out of July.
    await ledger.place(record({ state: 'active', costEstimate: 10 }))
    await ledger.place({ ...finished, finishedAt: '2026-08-02T10:00:00Z' })
    expect((await ledger.read('2026-07')).spent).toEqual([])
    expect((await ledger.read('2026-08')).spent).toHaveLength(1)
    await ledger.place(
      record({ state: 'cancelled', finishedAt: '2026-08-03T10:00:00Z', costEstimate: 10 })
    )
    expect((await ledger.read('2026-08')).spent).toEqual([])
    expect(await store.keys('budget:entry:')).toEqual([])
  })

  it('should read a placement an earlier version stored as `held`, as `waiting`, in the same index', async () => {
    const store = createMemoryStore()
    const ledger = createLedger({ store, timeZone: PARIS, now: Date.now })
    const waiting = record({ state: 'pending', costEstimate: 6, waitsFor: 'budget' })
    expect(await ledger.place(waiting)).toBe(true)
    // The index's key is the stored format since the first version.
    expect(await store.sortedRange('budget:held', {})).toHaveLength(1)
    // As an earlier version wrote the task's placement: its kind named `held`.
    const stored = await store.get<{ now: { kind: string } }>('budget:entry:task-1')
    await store.set('budget:entry:task-1', { ...stored, now: { ...stored?.now, kind: 'held' } })
    expect(await ledger.place(waiting)).toBe(false)
    expect((await ledger.read('2026-07')).waiting.map((l) => l.micros)).toEqual([6_000_000])
    // Approved: out of the waiting tasks, committed.
    expect(await ledger.place({ ...waiting, waitsFor: null })).toBe(true)
    expect(await ledger.read('2026-07')).toMatchObject({
      waiting: [],
      open: [{ micros: 6_000_000 }],
    })
    expect(await store.get('budget:entry:task-1')).toMatchObject({ now: { kind: 'open' }, was: [] })
  })

  it('should settle a task a process left marked between its record and its placement', async () => {
    const store = createMemoryStore()
    const budget = createBudget({ store, teamUsd: 100, agents: [], timeZone: PARIS, now: Date.now })
    const plane = {} as PlaneClient
    const log = createLogger({ level: 'error' })
    const runs = createRunStore({
      store,
      locks: createKeyedLocks({ store }),
      plane,
      log,
      locale: 'fr',
      now: Date.now,
      ledger: budget,
    })
    const key = { id: 'task-1', projectId: 'project-1', ref: 'ONB-1' }
    await runs.update(key, (r) => ({ ...r, agentId: 'imhotep', costEstimate: 30 }), {
      agentName: null,
      created: true,
    })
    // The process dies after saving the finished record, before its placement: the mark stays.
    const dying = createRunStore({
      store,
      locks: createKeyedLocks({ store }),
      plane,
      log,
      locale: 'fr',
      now: Date.now,
      ledger: { saving: budget.saving, saved: async () => undefined },
    })
    await dying.update(
      key,
      (r) => ({ ...r, state: 'done', finishedAt: new Date().toISOString(), cost: 20 }),
      { agentName: null }
    )
    expect((await budget.view()).team).toMatchObject({ spentUsd: 0, committedUsd: 30 })
    expect(await budget.ledger.marked()).toEqual([{ taskId: 'task-1', projectId: 'project-1' }])
    await budget.markBuilt()
    const kept = await keepLedger({
      store,
      budget,
      runs,
      plane,
      directory: { projectsOrThrow: async () => [], agentById: async () => null },
      agentIds: [],
      log,
      now: Date.now,
      deadline: Date.now() + 60_000,
    })
    expect(kept).toEqual({ settled: 1, rebuilt: 0, complete: true })
    expect((await budget.view()).team).toMatchObject({ spentUsd: 20, committedUsd: 0 })
    expect(await budget.ledger.marked()).toEqual([])
  })
})
