/**
 * @module The budget's ledger (OPENCLAW-11): where each task's money counts — spent in the month it finished, committed
 * while it is open, waiting while the task awaits the human's approval — derived from its run record alone, and kept in the
 * store as one member per task in sorted indexes (score: micro-dollars). A task's placement is replaced, never added
 * to: a completion told twice, by two replicas, leaves one member. Sums are read from the indexes.
 */
import { OPEN_RUN_STATES } from '../runs/records.ts'
import type { RunRecord } from '../runs/types.ts'
import type { Store } from '../store/store.ts'
import { monthOf } from './month.ts'

export type EntryKind = 'open' | 'waiting' | 'spent'

/** Where one task's money counts. */
export type LedgerEntry = {
  kind: EntryKind
  /** `YYYY-MM` in TIMEZONE for spent, null otherwise. */
  month: string | null
  /** Micro-dollars: whole numbers, so sums are exact on every store. */
  micros: number
  /** Spent counted from the estimate: the agent reported no cost. */
  estimated: boolean
  agentId: string | null
  projectId: string
  ref: string | null
}

/** One task's line as the indexes give it back. */
export type LedgerLine = {
  taskId: string
  agentId: string | null
  projectId: string
  ref: string | null
  micros: number
  estimated: boolean
}

export type LedgerMonth = { spent: LedgerLine[]; open: LedgerLine[]; waiting: LedgerLine[] }

/** A task's placement as stored: where it counts now, and earlier placements not yet taken out of their index. */
type StoredEntry = { now: LedgerEntry | null; was: LedgerEntry[]; settled: boolean }
/** A placement as earlier versions stored it: the kind `waiting` was first `held`. */
type EarlierEntry = Omit<LedgerEntry, 'kind'> & { kind: EntryKind | 'held' }
type EarlierStoredEntry = { now: EarlierEntry | null; was: EarlierEntry[]; settled: boolean }

export const MICROS_PER_USD = 1_000_000
/** Ledger keys outlive the month they count by a year, as run records do. */
const LEDGER_TTL_S = 400 * 24 * 60 * 60
/** Most tasks one index is read with (~100 bytes each): ten agents finishing 50 tasks a day is 15,000 a month. */
const MAX_LINES = 50_000

const OPEN_KEY = 'budget:open'
/** The stored format since the first version (tasks waiting for approval were first called held): kept as it is. */
const WAITING_KEY = 'budget:held'
const spentKey = (month: string) => `budget:spent:${month}`
const entryKey = (taskId: string) => `budget:entry:${taskId}`
/**
 * Tasks whose placement is being changed (member `<taskId> <projectId>`): marked before their run record is saved,
 * cleared once the ledger shows it. A process that dies in between leaves the mark, and the budget job settles the
 * task again from its record.
 */
export const MOVING_KEY = 'budget:moving'

export function toMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD)
}

/**
 * Where a run record's money counts, or null when nowhere: an open task without an estimate, a finished one with
 * neither cost nor estimate, a cancelled one that reported no cost (nothing was spent that anyone knows of).
 */
export function entryOf(record: RunRecord, timeZone: string): LedgerEntry | null {
  const base = { agentId: record.agentId, projectId: record.projectId, ref: record.ref }
  if (OPEN_RUN_STATES.has(record.state)) {
    if (record.costEstimate === null) return null
    return {
      ...base,
      kind: record.waitsFor ? 'waiting' : 'open',
      month: null,
      micros: toMicros(record.costEstimate),
      estimated: true,
    }
  }
  // A cancelled or failed run counts only what its agent says it spent.
  const amount = record.state === 'done' ? (record.cost ?? record.costEstimate) : record.cost
  if (amount === null) return null
  const at = Date.parse(record.finishedAt ?? record.stateSince ?? record.lastActivityAt ?? '')
  if (Number.isNaN(at)) return null
  return {
    ...base,
    kind: 'spent',
    month: monthOf(at, timeZone),
    micros: toMicros(amount),
    estimated: record.cost === null,
  }
}

export function sameEntry(a: LedgerEntry | null, b: LedgerEntry | null): boolean {
  if (a === null || b === null) return a === b
  return (
    a.kind === b.kind &&
    a.month === b.month &&
    a.micros === b.micros &&
    a.estimated === b.estimated &&
    a.agentId === b.agentId &&
    a.projectId === b.projectId &&
    a.ref === b.ref
  )
}

export type Ledger = {
  /** Mark a task whose placement is about to change (before its record is saved). */
  mark(taskId: string, projectId: string): Promise<void>
  /**
   * Place the task as its record says, replacing where it counted before, and clear its mark (`marked`: there may be
   * one to clear even when nothing moves); true when its placement changed. Called under the task's lock, after its
   * record is saved.
   */
  place(record: RunRecord, options?: { marked?: boolean }): Promise<boolean>
  /** The month's spent lines and every open or waiting task. */
  read(month: string): Promise<LedgerMonth>
  /** Tasks left marked (a process died while moving them), oldest first. */
  marked(limit?: number): Promise<Array<{ taskId: string; projectId: string }>>
}

export type LedgerOptions = { store: Store; timeZone: string; now: () => number }

export function createLedger({ store, timeZone, now }: LedgerOptions): Ledger {
  const ttl = { ttlSeconds: LEDGER_TTL_S }
  const keyOf = (entry: LedgerEntry) =>
    entry.kind === 'spent'
      ? spentKey(entry.month as string)
      : entry.kind === 'open'
        ? OPEN_KEY
        : WAITING_KEY

  return {
    async mark(taskId, projectId) {
      await store.sortedAdd(MOVING_KEY, `${taskId} ${projectId}`, now(), ttl)
    },
    async place(record, { marked = true } = {}) {
      const taskId = record.taskId
      const next = entryOf(record, timeZone)
      const earlier = await store.get<EarlierStoredEntry>(entryKey(taskId))
      const stored = earlier && _upgradeStored(earlier)
      const moving = `${taskId} ${record.projectId}`
      const was = stored?.was ?? []
      // Settled and the same: nothing to do (a heartbeat, a completion told twice).
      if (sameEntry(stored?.now ?? null, next) && (stored === null || stored.settled)) {
        // A heartbeat's update writes nothing (on KV every write counts).
        if (marked) await store.sortedRemove(MOVING_KEY, moving)
        return false
      }
      // What may still count somewhere and is to go: written down first, so a process that dies while the indexes
      // change leaves the next placement of this task (a retry, the budget job) what to take out.
      const stale = [...was, ...(stored?.now ? [stored.now] : [])].filter(
        (e) => !next || keyOf(e) !== keyOf(next) || _member(taskId, e) !== _member(taskId, next)
      )
      await store.set(
        entryKey(taskId),
        { now: next, was: stale, settled: false } satisfies StoredEntry,
        ttl
      )
      // Out of where it was before it counts anywhere new: a sum read meanwhile (another replica's check) may miss
      // this task for a moment, never count it twice.
      for (const entry of stale) await store.sortedRemove(keyOf(entry), _member(taskId, entry))
      if (next) await store.sortedAdd(keyOf(next), _member(taskId, next), next.micros, ttl)
      if (next)
        await store.set(
          entryKey(taskId),
          { now: next, was: [], settled: true } satisfies StoredEntry,
          ttl
        )
      else await store.delete(entryKey(taskId))
      await store.sortedRemove(MOVING_KEY, moving)
      return true
    },
    async read(month) {
      const [spent, open, waiting] = await Promise.all(
        [spentKey(month), OPEN_KEY, WAITING_KEY].map((key) =>
          store.sortedRange(key, { limit: MAX_LINES })
        )
      )
      return {
        spent: (spent ?? []).flatMap(_line),
        open: (open ?? []).flatMap(_line),
        waiting: (waiting ?? []).flatMap(_line),
      }
    },
    async marked(limit = 100) {
      return (await store.sortedRange(MOVING_KEY, { limit })).flatMap(({ member }) => {
        const [taskId, projectId] = member.split(' ')
        return taskId && projectId ? [{ taskId, projectId }] : []
      })
    },
  }
}

// --- Internal helpers ---

/** A placement stored by an earlier version read in today's words (`held` is `waiting`); written back as such. */
function _upgradeStored(stored: EarlierStoredEntry): StoredEntry {
  const upgrade = (e: EarlierEntry): LedgerEntry => ({
    ...e,
    kind: e.kind === 'held' ? 'waiting' : e.kind,
  })
  return {
    now: stored.now && upgrade(stored.now),
    was: stored.was.map(upgrade),
    settled: stored.settled,
  }
}

/**
 * `<taskId> <agentId|-> <projectId> <ref|-> <e|a>`: what the breakdowns need, read with the score in one range.
 * Task and project ids are UUIDs, agent ids `[a-z0-9_-]`, refs `ONB-12`: none holds a space.
 */
function _member(taskId: string, entry: LedgerEntry): string {
  return [
    taskId,
    entry.agentId ?? '-',
    entry.projectId,
    entry.ref ?? '-',
    entry.estimated ? 'e' : 'a',
  ].join(' ')
}

function _line({ member, score }: { member: string; score: number }): LedgerLine[] {
  const [taskId, agentId, projectId, ref, flag] = member.split(' ')
  if (!taskId || !agentId || !projectId || !ref || !flag) return []
  return [
    {
      taskId,
      agentId: agentId === '-' ? null : agentId,
      projectId,
      ref: ref === '-' ? null : ref,
      micros: score,
      estimated: flag === 'e',
    },
  ]
}
