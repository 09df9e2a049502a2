/**
 * @module Run records: kept in the store, mirrored into one bridge-owned comment per task (the run card),
 * rebuilt from that card when the store has lost them. Changes to one task's record are serialised.
 */

import type { Locale } from '../notify/i18n.ts'
import { errorMessage } from '../observe/errors.ts'
import type { Logger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import type { KeyedLocks } from '../store/keyed-lock.ts'
import type { Store } from '../store/store.ts'
import { isRunCard, parseRunCard, renderRunCard } from './card.ts'
import type { RunRecord } from './types.ts'

/** Comments and items the bridge writes carry this `external_source`; webhooks about them are the bridge's own echo. */
export const BRIDGE_EXTERNAL_SOURCE = 'plane-bridge'

export type TaskKey = { id: string; projectId: string; ref: string | null }

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
  /** Open runs (pending, active, awaiting, stale) by task id, oldest state change first. */
  open(limit?: number): Promise<RunRecord[]>
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

/** Runs still under way: listed in `runs:open` (score: when their state last changed). */
export const OPEN_RUN_STATES: ReadonlySet<RunRecord['state']> = new Set([
  'pending',
  'seen',
  'active',
  'awaiting',
  'stale',
])
export const OPEN_RUNS_INDEX = 'runs:open'

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

/** Records outlive any task worth asking about; a forgotten one comes back from its card. */
const RECORD_TTL_S = 400 * 24 * 60 * 60
const LOCK_TTL_S = 30
const LOCK_WAIT_MS = 10_000

export const runRecordKey = (taskId: string) => `run:record:${taskId}`
/**
 * Tasks whose card is to be written (score: when). A working session's calls a second apart make one card
 * write, not one each: the card is for people reading Plane, the record in the store is what the bridge uses.
 */
export const CARDS_DUE_INDEX = 'runs:cards:due'
export const CARD_DELAY_MS = 5_000
/** A card Plane refused to take (429, 5xx, down): tried again this much later. */
const CARD_RETRY_MS = 30_000
const CARDS_PER_FLUSH = 50
/** The latest mark of a task's card: a flush clears it only if no change came while it wrote. */
const cardMarkKey = (taskId: string) => `run:card-mark:${taskId}`
type CardMark = { id: string; names: Record<string, string> }
const cardLockKey = (taskId: string) => `run:card-lock:${taskId}`
/** Longer than a card's write can take (Plane's 30 s timeout, a wait for the key's window). */
const CARD_LOCK_TTL_S = 120
const CARD_BUSY_MS = 1_000

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

  const rebuild = async (task: TaskKey, via: PlaneClient): Promise<RunRecord | null> => {
    const comments = await via.comments.list(task.projectId, task.id)
    // The newest card wins if a crash ever left two.
    for (const comment of [...comments].reverse()) {
      const html = comment.comment_html ?? ''
      if (!isRunCard(html)) continue
      const record = parseRunCard(html)
      if (record && record.taskId === task.id) return { ...record, cardCommentId: comment.id }
    }
    return null
  }

  /** Stored, else rebuilt from the card and stored; null when there is neither. */
  const known = async (task: TaskKey, via: PlaneClient): Promise<RunRecord | null> => {
    const stored = await store.get<RunRecord>(key(task.id))
    if (stored) return stored
    const rebuilt = await rebuild(task, via)
    if (!rebuilt) return null
    log.info('run record rebuilt from its run card', { task: task.id })
    await store.set(key(task.id), rebuilt, { ttlSeconds: RECORD_TTL_S })
    return rebuilt
  }
  const load = async (task: TaskKey, via: PlaneClient = plane): Promise<RunRecord> =>
    (await known(task, via)) ?? emptyRunRecord(task)

  const writeCard = async (record: RunRecord, mark: CardMark): Promise<RunRecord> => {
    // Every agent the card names, by its name: whichever call writes it, the card reads the same.
    const ids = [
      ...new Set([record.agentId, ...(record.previous ?? []).map((p) => p.agentId)]),
    ].filter((id): id is string => typeof id === 'string')
    const names: Record<string, string> = {}
    for (const id of ids) names[id] = (await nameOf?.(id)) ?? mark.names[id] ?? id
    const html = renderRunCard(record, {
      locale,
      agentName: record.agentId ? (names[record.agentId] ?? null) : null,
      now: now(),
      agentNames: names,
    })
    if (record.cardCommentId) {
      try {
        await plane.comments.update(record.projectId, record.taskId, record.cardCommentId, {
          comment_html: html,
        })
        return record
      } catch (error) {
        // Someone deleted the card: write a new one.
        if (!(error instanceof PlaneApiError && error.kind === 'not_found')) throw error
      }
    }
    const created = await plane.comments.create(record.projectId, record.taskId, {
      comment_html: html,
      external_source: BRIDGE_EXTERNAL_SOURCE,
      // The mark's id: two processes writing the same mark (or a retry after a crash) make one card (Plane
      // answers the second create 409 with the first).
      external_id: `run-card:${record.taskId}:${mark.id}`,
    })
    return { ...record, cardCommentId: created.id }
  }

  /** Mark the task's card to be written, with the names the caller knows; the earliest due time stands. */
  const markCard = async (record: RunRecord, options: CardOptions): Promise<void> => {
    const names: Record<string, string> = { ...options.agentNames }
    if (options.agentName && record.agentId) names[record.agentId] = options.agentName
    const previous = await store.get<CardMark>(cardMarkKey(record.taskId))
    const mark: CardMark = { id: crypto.randomUUID(), names: { ...previous?.names, ...names } }
    await store.set(cardMarkKey(record.taskId), mark, { ttlSeconds: RECORD_TTL_S })
    await store.indexAdd(CARDS_DUE_INDEX, record.taskId, now() + CARD_DELAY_MS, {
      onlyIfAbsent: true,
    })
    onCardMarked?.(CARD_DELAY_MS)
  }

  /**
   * Write one marked card from the record as it stands. No lock is held while Plane is asked (a tool call's
   * update never waits for a card); the mark is cleared only if no change came meanwhile, else written again.
   */
  const writeMarked = async (taskId: string): Promise<boolean> => {
    // One writer per card at a time, in any process: two writes in flight could land in either order and leave
    // the older content on the card. A card being written stays marked; it is looked at again a second later.
    const writing = await store.lock(cardLockKey(taskId), CARD_LOCK_TTL_S)
    if (!writing) {
      await store.indexAdd(CARDS_DUE_INDEX, taskId, now() + CARD_BUSY_MS)
      return false
    }
    try {
      return await _writeMarked(taskId)
    } finally {
      await writing.release().catch(() => undefined)
    }
  }

  const _writeMarked = async (taskId: string): Promise<boolean> => {
    const mark = await store.get<CardMark>(cardMarkKey(taskId))
    const record = await store.get<RunRecord>(key(taskId))
    if (!mark || !record) {
      await store.indexRemove(CARDS_DUE_INDEX, taskId)
      return false
    }
    let written: RunRecord
    try {
      written = await writeCard(record, mark)
    } catch (error) {
      log.warn('run card not written (tried again later)', {
        task: taskId,
        error: errorMessage(error),
      })
      await store.indexAdd(CARDS_DUE_INDEX, taskId, now() + CARD_RETRY_MS)
      return false
    }
    await taskLock.run(`run:lock:${taskId}`, async () => {
      if (written.cardCommentId !== record.cardCommentId) {
        const current = await store.get<RunRecord>(key(taskId))
        if (current)
          await store.set(
            key(taskId),
            { ...current, cardCommentId: written.cardCommentId },
            { ttlSeconds: RECORD_TTL_S }
          )
      }
      if ((await store.get<CardMark>(cardMarkKey(taskId)))?.id !== mark.id) return
      await store.delete(cardMarkKey(taskId))
      await store.indexRemove(CARDS_DUE_INDEX, taskId)
    })
    return true
  }

  return {
    peek: (taskId) => store.get<RunRecord>(key(taskId)),
    peekMany: (taskIds) => store.getMany<RunRecord>(taskIds.map(key)),
    load: (task, via) => load(task, via ?? plane),
    update: (task, change, options) =>
      taskLock.run(`run:lock:${task.id}`, async () => {
        const stored = options.created ? await store.get<RunRecord>(key(task.id)) : null
        const before = options.created
          ? (stored ?? emptyRunRecord(task))
          : await load(task, options.via ?? plane)
        const next = await change({ ...before, ref: before.ref ?? task.ref })
        const moved = next.state !== before.state || !next.stateSince
        const changed = moved ? { ...next, stateSince: new Date(now()).toISOString() } : next
        const marked = (await ledger?.saving(before, changed)) ?? false
        await store.set(key(task.id), changed, { ttlSeconds: RECORD_TTL_S })
        if (OPEN_RUN_STATES.has(changed.state)) {
          if (moved) await store.indexAdd(OPEN_RUNS_INDEX, task.id, now())
        } else if (OPEN_RUN_STATES.has(before.state) || moved) {
          await store.indexRemove(OPEN_RUNS_INDEX, task.id)
        }
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
          !(shown && (changed.cardCommentId || (await store.has(cardMarkKey(task.id)))))
        )
          return changed
        await markCard(changed, options)
        return changed
      }),
    flushCards: async ({ all = false } = {}) => {
      const due = await store.indexRange(CARDS_DUE_INDEX, {
        ...(all ? {} : { maxScore: now() }),
        limit: CARDS_PER_FLUSH,
      })
      let written = 0
      for (const { member: taskId } of due) {
        if (await writeMarked(taskId)) written++
      }
      const [next] = await store.indexRange(CARDS_DUE_INDEX, { limit: 1 })
      return { written, nextDueInMs: next ? Math.max(0, next.score - now()) : null }
    },
    open: (limit) => openRunRecords(store, limit),
    async dropCard(taskId) {
      await store.indexRemove(CARDS_DUE_INDEX, taskId)
      await store.delete(cardMarkKey(taskId))
    },
    resync: (task, via) =>
      taskLock.run(`run:lock:${task.id}`, async () => {
        const record = await known(task, via ?? plane)
        if (record) await ledger?.saved(record, true)
        return record
      }),
  }
}

/** Runs under way (pending, seen, active, awaiting, stale), from the `runs:open` index: no key listing. */
export async function openRunRecords(store: Store, limit = 500): Promise<RunRecord[]> {
  const entries = await store.indexRange(OPEN_RUNS_INDEX, { limit })
  // One read for all of them (one MGET on Redis): 2,500 open runs (ten agents' listings) were 2,500 round trips.
  const records = await store.getMany<RunRecord>(entries.map((e) => runRecordKey(e.member)))
  return records.filter((r): r is RunRecord => r !== null && OPEN_RUN_STATES.has(r.state))
}
