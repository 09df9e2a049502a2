/**
 * @module Run records: kept in the store, mirrored into one bridge-owned comment per task (the run card),
 * rebuilt from that card when the store has lost them. Changes to one task's record are serialised.
 */

import type { Locale } from '../notify/i18n.ts'
import type { Logger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import type { KeyedLocks } from '../store/keyed-lock.ts'
import type { Store } from '../store/store.ts'
import { type OpenRuns, readOpenRuns, reindexOpenRun } from './open-runs.ts'
import { type CardsFlushed, createRunCards, type FlushCardsOptions } from './record-cards.ts'
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
export {
  countOpenRuns,
  OPEN_RUN_STATES,
  OPEN_RUNS_SET,
  type OpenRuns,
  readOpenRuns,
  SEEN_RUNS_SET,
  type SeenRun,
} from './open-runs.ts'
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
   * background priority; returns how many it tried and wrote, when the next one is due (null: none marked), and
   * those another process is writing (`CardsFlushed`). When
   * `signal` aborts, no further card is begun and a write still waiting for the key's window is given up: those
   * cards stay marked, as they were, for the next flush (a card already sent to Plane is finished).
   */
  flushCards(options?: FlushCardsOptions): Promise<CardsFlushed>
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
        await reindexOpenRun(store, before, changed, moved, now())
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
