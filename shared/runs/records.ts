/**
 * @module Run records: kept in the store, mirrored into one bridge-owned comment per task (the run card),
 * rebuilt from that card when the store has lost them. Changes to one task's record are serialised.
 */

import type { Locale } from '../notify/i18n.ts'
import type { Logger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import type { KeyedLocks } from '../store/keyed-lock.ts'
import type { Store } from '../store/store.ts'
import { createRunCards } from './record-cards.ts'
import {
  RECORD_TTL_S,
  readRunRecord,
  readRunRecords,
  runRecordKey,
  type TaskKey,
} from './record-keys.ts'
import { createKnownRecords } from './record-rebuild.ts'
import type { RunRecord } from './types.ts'

export { BRIDGE_EXTERNAL_SOURCE } from './external-source.ts'
export { CARD_DELAY_MS, CARDS_DUE_SET } from './record-cards.ts'
export { readRunRecord, runRecordKey, type TaskKey }

export type RunStore = {
  /** The stored record, without asking Plane. */
  peek(taskId: string): Promise<RunRecord | null>
  /** Several tasks' records as stored, in one read, in their order. */
  peekMany(taskIds: readonly string[]): Promise<Array<RunRecord | null>>
  /**
   * The record: stored, else rebuilt from the task's run card in Plane (read with `via`, the caller's client at
   * its priority; default the run store's own), else a fresh one (not saved).
   */
  load(task: TaskKey, via?: PlaneClient): Promise<RunRecord>
  /**
   * Read, change and save one task's record under its lock, and mark its run card to be written (`flushCards`):
   * the caller never waits for Plane on the card's account. The card's failure does not undo the change (the
   * store is ahead; the card is written again).
   */
  update(
    task: TaskKey,
    change: (record: RunRecord) => RunRecord | Promise<RunRecord>,
    card: CardOptions
  ): Promise<RunRecord>
  /**
   * Write the cards marked since their coalescing delay (`all`: every marked one), with the bridge key at
   * background priority; returns how many were written and when the next one is due (null: none marked).
   */
  flushCards(options?: { all?: boolean }): Promise<{ written: number; nextDueInMs: number | null }>
  /**
   * Open runs: those under way (pending, active, awaiting, stale; at most `limit`, oldest state change first) and
   * the seen ones (checked in, not started: who and since when, no record read).
   */
  open(limit?: number): Promise<OpenRuns>
  /** The task is gone from Plane: its card is no longer written (a write already under way may still land). */
  dropCard(taskId: string): Promise<void>
  /**
   * The record as stored, else rebuilt from its card (and stored), handed to the ledger under the task's lock; null
   * when the task has neither. What the budget job settles a task with, or rebuilds a lost ledger from.
   */
  resync(task: TaskKey, via?: PlaneClient): Promise<RunRecord | null>
}

/**
 * What keeps a copy of every record's money (the budget's ledger, OPENCLAW-11), told under the task's lock: before a
 * changed record is saved (true: a trace was left, which a process that dies next leaves behind) and once it is (with
 * whether to clear a trace: this update's own, or any when the record is settled again).
 */
export type RunLedger = {
  saving(before: RunRecord, next: RunRecord): Promise<boolean>
  saved(record: RunRecord, marked: boolean): Promise<void>
}

export type CardOptions = {
  agentName: string | null
  /**
   * false: the store only (a heartbeat: activity time, session id), the card catching up at the next change;
   * a change of the run's agent or state is written to a card that exists all the same.
   */
  card?: boolean
  agentNames?: Readonly<Record<string, string>>
  /**
   * Where to read the task's comments when the store has no record (the card to rebuild it from): the caller's
   * client, at its priority. Default: the run store's own (background).
   */
  via?: PlaneClient
  /** A task the caller has just created: it has no card to rebuild a record from. */
  created?: boolean
}

/** Runs not finished: under way (`runs:open`) or seen (`runs:seen`). */
export const OPEN_RUN_STATES: ReadonlySet<RunRecord['state']> = new Set([
  'pending',
  'seen',
  'active',
  'awaiting',
  'stale',
])
/**
 * Runs under way (pending, active, awaiting, stale) by task id, score: when their state last changed. Seen runs are
 * not in it: ten agents who list ~250 tasks each have ~2,500, and a bounded read of the oldest under way would
 * then hold only them (a run started after them, its timer, were missing from `/plane status` and get_team_status).
 * An earlier version kept them here: such a run leaves with its next change of state, and is read as seen until then.
 */
export const OPEN_RUNS_SET = 'runs:open'
/** Seen runs (checked in, not started), member `<agent>|<task>`, score: since when: counted and listed without a record read. */
export const SEEN_RUNS_SET = 'runs:seen'
/** Seen runs read at most (ten agents × 1,000 listed tasks); past it the oldest are shown and counted. */
export const SEEN_RUNS_READ = 10_000
/** Runs under way read at most to count them (the `plane_bridge_runs` gauge). */
const UNDER_WAY_COUNT_READ = 5_000

/** A seen run as its index holds it: no record read. */
export type SeenRun = { taskId: string; agentId: string; since: number }
export type OpenRuns = { underWay: RunRecord[]; seen: SeenRun[] }

export type RunStoreOptions = {
  store: Store
  /** The keyed locks on `store`, shared with the pipeline (one record's updates go one at a time). */
  locks: KeyedLocks
  plane: PlaneClient
  /** An agent's display name by id (the registry's), for the card: its agent and those before it. */
  nameOf?: (agentId: string) => Promise<string | null>
  log: Logger
  locale: Locale
  now: () => number
  /** A card was marked to be written: wake whatever calls `flushCards` (the bridge's background). */
  onCardMarked?: (dueInMs: number) => void
  /** The budget's ledger (OPENCLAW-11), when a budget is set. */
  ledger?: RunLedger
}

const LOCK_TTL_S = 30
const LOCK_WAIT_MS = 10_000

export function emptyRunRecord(task: TaskKey): RunRecord {
  return {
    v: 1,
    taskId: task.id,
    projectId: task.projectId,
    ref: task.ref,
    agentId: null,
    state: 'pending',
    startedAt: null,
    finishedAt: null,
    timeSpentSeconds: 0,
    timerStartedAt: null,
    confidence: null,
    costEstimate: null,
    cost: null,
    sessionId: null,
    dependencies: [],
    deliverables: [],
    lastActivityAt: null,
    summary: null,
    cardCommentId: null,
  }
}

/** Seconds on the clock now: closed intervals plus a running timer. */
export function timeSpentNow(record: RunRecord, now: number): number {
  const running = record.timerStartedAt
    ? Math.max(0, Math.round((now - Date.parse(record.timerStartedAt)) / 1000))
    : 0
  return record.timeSpentSeconds + running
}

export function createRunStore({
  store,
  locks,
  plane,
  nameOf,
  log,
  locale,
  now,
  onCardMarked,
  ledger,
}: RunStoreOptions): RunStore {
  const key = runRecordKey
  const taskLock = locks.lock({
    ttlSeconds: LOCK_TTL_S,
    waitMs: LOCK_WAIT_MS,
    onLost: (lockKey) =>
      log.warn('run record lock lost while a call held it (the process stalled past its lease)', {
        key: lockKey,
      }),
  })

  const known = createKnownRecords({ store, log })
  const load = async (task: TaskKey, via: PlaneClient = plane): Promise<RunRecord> =>
    (await known(task, via)) ?? emptyRunRecord(task)

  const cards = createRunCards({ store, plane, nameOf, log, locale, now, onCardMarked, taskLock })

  return {
    peek: (taskId) => readRunRecord(store, taskId),
    peekMany: (taskIds) => readRunRecords(store, taskIds),
    load: (task, via) => load(task, via ?? plane),
    update: (task, change, options) =>
      taskLock.run(`run:lock:${task.id}`, async () => {
        const stored = options.created ? await readRunRecord(store, task.id) : null
        const before = options.created
          ? (stored ?? emptyRunRecord(task))
          : await load(task, options.via ?? plane)
        const next = await change({ ...before, ref: before.ref ?? task.ref })
        const moved = next.state !== before.state || !next.stateSince
        const changed = moved ? { ...next, stateSince: new Date(now()).toISOString() } : next
        const marked = (await ledger?.saving(before, changed)) ?? false
        await store.set(key(task.id), changed, { ttlSeconds: RECORD_TTL_S })
        await _reindex(store, before, changed, moved, now())
        await ledger?.saved(changed, marked)
        // A card, once written, always shows who holds the run and in what state (the record is rebuilt from it):
        // only a heartbeat (activity time, session id) stays in the store until the next change. A run the tracker
        // starts (a wake, a deploy's adoption) writes no card of its own: a first cycle of hundreds of wakes would
        // spend the key's window on them.
        // A card still to be written (marked, perhaps being created right now, its comment id not back yet) counts
        // as written: the change marks it again, or the write in flight would clear the mark and leave the card
        // showing the state before this one.
        const shown = changed.state !== before.state || changed.agentId !== before.agentId
        if (
          options.card === false &&
          !(shown && (changed.cardCommentId || (await cards.isMarked(task.id))))
        )
          return changed
        await cards.markCard(changed, options)
        return changed
      }),
    flushCards: cards.flushCards,
    open: (limit) => readOpenRuns(store, limit),
    dropCard: cards.dropCard,
    resync: (task, via) =>
      taskLock.run(`run:lock:${task.id}`, async () => {
        const record = await known(task, via ?? plane)
        if (record) await ledger?.saved(record, true)
        return record
      }),
  }
}

/**
 * Open runs from their indexes, no key listing: the records of those under way (at most `limit`, oldest state change
 * first) and, unless `seen: false`, the seen ones as their index holds them (an earlier version's, kept among those
 * under way, from their records), oldest first.
 */
export async function readOpenRuns(
  store: Store,
  limit = 500,
  { seen: withSeen = true }: { seen?: boolean } = {}
): Promise<OpenRuns> {
  const [entries, seenEntries] = await Promise.all([
    store.sortedRange(OPEN_RUNS_SET, { limit }),
    withSeen ? store.sortedRange(SEEN_RUNS_SET, { limit: SEEN_RUNS_READ }) : [],
  ])
  // One read for all of them (one MGET on Redis): 2,500 open runs (ten agents' listings) were 2,500 round trips.
  const records = await readRunRecords(
    store,
    entries.map((e) => e.member)
  )
  const underWay: RunRecord[] = []
  const seen = seenEntries.flatMap(({ member, score }) => {
    const at = member.lastIndexOf('|')
    return at > 0
      ? [{ taskId: member.slice(at + 1), agentId: member.slice(0, at), since: score }]
      : []
  })
  const indexed = new Set(seen.map((r) => r.taskId))
  for (const r of records) {
    if (r === null || !OPEN_RUN_STATES.has(r.state)) continue
    if (r.state !== 'seen' || !r.agentId) underWay.push(r)
    else if (!indexed.has(r.taskId))
      seen.push({ taskId: r.taskId, agentId: r.agentId, since: _since(r) })
  }
  seen.sort((a, b) => a.since - b.since)
  return { underWay, seen }
}

/** Open runs by state (the `plane_bridge_runs` gauge): the seen ones by their index's size, no record read. */
export async function countOpenRuns(store: Store): Promise<Record<string, number>> {
  const [{ underWay, seen }, indexed] = await Promise.all([
    readOpenRuns(store, UNDER_WAY_COUNT_READ),
    store.sortedSize(SEEN_RUNS_SET),
  ])
  const counts: Record<string, number> = { pending: 0, seen: 0, active: 0, awaiting: 0, stale: 0 }
  for (const r of underWay) counts[r.state] = (counts[r.state] ?? 0) + 1
  // Past the read's cap, the index's size; below it, what was read (an earlier version's seen runs included).
  counts.seen = Math.max(indexed, seen.length)
  return counts
}

// --- Internal helpers ---

/** Where an open run is indexed: seen runs by agent, the others under way; null once finished. */
function _indexOf(r: RunRecord): { key: string; member: string } | null {
  if (!OPEN_RUN_STATES.has(r.state)) return null
  if (r.state === 'seen' && r.agentId)
    return { key: SEEN_RUNS_SET, member: `${r.agentId}|${r.taskId}` }
  return { key: OPEN_RUNS_SET, member: r.taskId }
}

function _since(r: RunRecord): number {
  return Date.parse(r.stateSince ?? '') || 0
}

/**
 * The run's indexes follow its record (under the task's lock, after the record is saved): out of the one it was
 * in, into the one it is in now, scored by its change of state.
 */
async function _reindex(
  store: Store,
  before: RunRecord,
  changed: RunRecord,
  moved: boolean,
  at: number
): Promise<void> {
  const from = _indexOf(before)
  const to = _indexOf(changed)
  const same = from !== null && to !== null && from.key === to.key && from.member === to.member
  if (from && !same) await store.sortedRemove(from.key, from.member)
  // A run an earlier version indexed under way while seen leaves that index with its next change too.
  if (from?.key === SEEN_RUNS_SET && (moved || !same))
    await store.sortedRemove(OPEN_RUNS_SET, changed.taskId)
  // A record found finished whose run was never seen finished (a lost record, rebuilt): out of the index all the same.
  if (!from && !to && moved) await store.sortedRemove(OPEN_RUNS_SET, changed.taskId)
  if (to && (moved || !same))
    await store.sortedAdd(to.key, to.member, to.key === SEEN_RUNS_SET ? _since(changed) || at : at)
}
