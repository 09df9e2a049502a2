/**
 * @module The local store's state and its journal: what this process holds in memory, the changes of each turn of
 * the event loop written to the journal in one batch, and what other processes appended taken in once a turn.
 */

import { createExpiry } from './local-expiry.ts'
import {
  applyRecord,
  createLocalState,
  type JournalRecord,
  type LocalState,
  replayRecord,
  snapshotRecords,
} from './local-state.ts'
import { StoreUnavailableError } from './unavailable.ts'

/** Where a local store keeps its changes (runtime/node-journal.ts: a file in DATA_DIR). */
export type StoreJournal = {
  /** What the journal held when it was opened, oldest first: read as it is iterated, never held whole. */
  load(): Iterable<JournalRecord>
  /**
   * What other processes appended since the last call; `reset` when the journal was rewritten (compacted) by
   * another process: the state is then rebuilt from `records` alone. Null when nothing changed.
   */
  poll(): { reset: boolean; records: readonly JournalRecord[] } | null
  /**
   * Write a batch; false when the journal was rewritten meanwhile (poll, then append again). Throws on I/O errors.
   * `readBack`: the batch is handed out by the next poll like another process's, in its place in the file (a lock's
   * records, decided by that order).
   */
  append(records: readonly JournalRecord[], options?: { readBack?: boolean }): boolean
  /** Rewrite the journal as `snapshot()` when it has grown enough (the journal decides; it may skip). */
  compact(snapshot: () => Iterable<JournalRecord>): void
  /** Throws when the journal cannot be written. */
  check(): void
  close(): void
  /** How a batch is scheduled after the changes of this turn of the event loop (Node: setImmediate). */
  schedule(flush: () => void): void
}

/**
 * The largest value (its JSON) a local store keeps. A journal line longer than the journal reads is skipped as
 * damaged (runtime/node-journal.ts); no value the bridge writes comes near it once text from outside is cut.
 */
export const MAX_VALUE_CHARS = 4 * 1024 * 1024

/** The store's live data would not fit the heap it was given: at load (the start is refused) or at a write. */
export class StoreTooLargeError extends Error {
  override readonly name = 'StoreTooLargeError'
  constructor(
    readonly phase: 'load' | 'write',
    readonly liveBytes: number,
    readonly limitBytes: number
  ) {
    super(
      phase === 'load'
        ? `the store's live data passes ${_mb(limitBytes)} (what this heap can hold) while loading`
        : `the store holds ${_mb(liveBytes)} of live data, its limit is ${_mb(limitBytes)}: the write is refused until entries expire`
    )
  }
}

export type JournaledStateOptions = {
  journal?: StoreJournal | undefined
  /** Where the journal is (DATA_DIR), for the error a write after `close` gets. */
  location: string
  now: () => number
  onError?: ((operation: string, error: unknown) => void) | undefined
  /** Past this (estimated heap bytes), a write that adds is refused with `StoreTooLargeError`. */
  maxLiveBytes: number
  /** Loading the journal stops with `StoreTooLargeError` once the live data passes this. */
  maxLoadBytes: number
}

export type JournaledState = ReturnType<typeof createJournaledState>

const RESOLVED = Promise.resolve()
// A rewrite by another process between our poll and our append is rare; three in a row means something is wrong.
const APPEND_ATTEMPTS = 3

/** The state as the journal left it (loaded record by record), and how changes reach both. */
export function createJournaledState({
  journal,
  location,
  now,
  onError,
  maxLiveBytes,
  maxLoadBytes,
}: JournaledStateOptions) {
  let state: LocalState = createLocalState()
  if (journal) {
    // Record by record as the journal reads them: the heap holds the live state and one line, never the file.
    const loadedAt = now()
    for (const record of journal.load()) {
      replayRecord(state, record, loadedAt)
      if (state.bytes > maxLoadBytes)
        throw new StoreTooLargeError('load', state.bytes, maxLoadBytes)
    }
  }
  /** Applied here, not yet written: kept until a write succeeds, so a failed write is retried by the next one. */
  let pending: JournalRecord[] = []
  let waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = []
  let scheduled = false
  /**
   * Closed (the process is stopping): a write now would be kept in memory only, so it is refused, and the journal
   * is never touched again. Its file descriptor is released at the first close: a second one, were it passed on,
   * would close whatever file or socket the process opened since under the same number.
   */
  let closed = false
  const { dropExpired, liveValue, liveSortedSet, isLive } = createExpiry(() => state, now)

  /** Whether the journal was read in this turn of the event loop. */
  let refreshed = false
  /**
   * Take in what other processes wrote (a CLI job beside the service): once per turn of the event loop, since
   * one read() per operation was ~5 % of the server's core under load, and appends landing within one turn are
   * as if they had come a moment later.
   */
  const refresh = (force = false) => {
    if (!journal || closed || (refreshed && !force)) return
    if (!refreshed)
      journal.schedule(() => {
        refreshed = false
      })
    refreshed = true
    const polled = journal.poll()
    if (!polled) return
    if (polled.reset) state = createLocalState()
    for (const record of polled.records) applyRecord(state, record)
    // Our unwritten changes will land after theirs: apply them again on top.
    for (const record of pending) applyRecord(state, record)
  }

  /** Refuse a write that cannot be read back, or that adds to a state already past its limit. */
  const assertRoom = (records: readonly JournalRecord[]) => {
    for (const record of records)
      if (record[0] === 's' && record[2].length > MAX_VALUE_CHARS)
        throw new RangeError(
          `store value at "${record[1]}" is ${record[2].length} characters; the limit is ${MAX_VALUE_CHARS}`
        )
    if (state.bytes <= maxLiveBytes) return
    if (!records.some((r) => r[0] === 's' || r[0] === 'z')) return
    dropExpired(now())
    if (state.bytes > maxLiveBytes) throw new StoreTooLargeError('write', state.bytes, maxLiveBytes)
  }

  const closedError = () =>
    new StoreUnavailableError(
      'DATA_DIR',
      location,
      'closed, this process is stopping',
      'the write was refused, not kept'
    )

  const commit = (records: readonly JournalRecord[]): Promise<void> => {
    if (closed) throw closedError()
    assertRoom(records)
    for (const record of records) applyRecord(state, record)
    if (!journal || records.length === 0) return RESOLVED
    pending.push(...records)
    return new Promise<void>((resolve, reject) => {
      waiters.push({ resolve, reject })
      if (scheduled) return
      scheduled = true
      journal.schedule(flush)
    })
  }

  const appendNow = (
    target: StoreJournal,
    records: readonly JournalRecord[],
    options?: { readBack: boolean }
  ) => {
    for (let attempt = 1; ; attempt++) {
      // A retry reads again whatever the turn's first look saw: another process rewrote the journal since.
      refresh(attempt > 1)
      if (target.append(records, options)) return
      if (attempt >= APPEND_ATTEMPTS)
        throw new Error('the store journal was rewritten during every write attempt')
    }
  }

  const writePending = (target: StoreJournal) => {
    appendNow(target, pending)
    pending = []
    try {
      target.compact(() => snapshotRecords(state, now()))
    } catch (error) {
      // The batch is written: a failed compaction only leaves the journal longer.
      onError?.('compact', error)
    }
  }

  /** The turn's batch written now, its waiters told; throws (after rejecting them) when it cannot be. */
  const flushNow = () => {
    const settled = waiters
    waiters = []
    if (!journal || pending.length === 0) {
      for (const waiter of settled) waiter.resolve()
      return
    }
    try {
      writePending(journal)
    } catch (error) {
      for (const waiter of settled) waiter.reject(error)
      throw error
    }
    for (const waiter of settled) waiter.resolve()
  }

  function flush() {
    scheduled = false
    try {
      flushNow()
    } catch {
      // Its waiters have the error.
    }
  }

  /**
   * A lock's conditional records (`c`, `x`, `D`: local-state.ts), decided by the journal's order, the one every
   * process reads: the turn's batch is written first, then these at once, and the journal is read to its end, these
   * included, so each process applies them where the file has them. Two processes taking one lock: the first line
   * wins in both. Without a journal (memory) they are applied here.
   */
  const decide = (records: readonly JournalRecord[]) => {
    if (closed) throw closedError()
    if (!journal) {
      for (const record of records) applyRecord(state, record)
      return
    }
    flushNow()
    appendNow(journal, records, { readBack: true })
    refresh(true)
  }

  /** A batch a failed write left behind is tried again now (the store's ping). */
  const retryPending = () => {
    if (journal && !closed && pending.length > 0) writePending(journal)
  }
  /** Writes what is pending, then closes the journal, once: a second call does nothing. */
  const close = () => {
    if (!journal || closed) return
    flush()
    closed = true
    journal.close()
  }

  return {
    /** The state now: replaced when another process rewrote the journal (read it again after `refresh`). */
    current: () => state,
    refresh,
    commit,
    decide,
    dropExpired,
    liveValue,
    liveSortedSet,
    isLive,
    retryPending,
    close,
  }
}

function _mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}
