/**
 * @module The local store (memory, and fs with a journal): every operation works on this process's memory, so
 * claims, locks and counters are exact without a mutex; with a journal each change is also appended to it, and a
 * change's promise settles once the batch holding it is written.
 */

import { windowMember } from './atomics.ts'
import {
  assertKey,
  assertScore,
  assertTtl,
  assertWindow,
  inCallOrder,
  reportingErrors,
} from './envelope.ts'
import {
  applyRecord,
  createLocalState,
  dropIndex,
  dropValue,
  isExpired,
  type JournalRecord,
  type LocalState,
  replayRecord,
  type SortedIndex,
  snapshotRecords,
} from './local-state.ts'
import type { Store, StoreDriverName, StoreLock } from './types.ts'

/** Where a local store keeps its changes (runtime/node-journal.ts: a file in DATA_DIR). */
export type StoreJournal = {
  /** What the journal held when it was opened, oldest first: read as it is iterated, never held whole. */
  load(): Iterable<JournalRecord>
  /**
   * What other processes appended since the last call; `reset` when the journal was rewritten (compacted) by
   * another process: the state is then rebuilt from `records` alone. Null when nothing changed.
   */
  poll(): { reset: boolean; records: readonly JournalRecord[] } | null
  /** Write a batch; false when the journal was rewritten meanwhile (poll, then append again). Throws on I/O errors. */
  append(records: readonly JournalRecord[]): boolean
  /** Rewrite the journal as `snapshot()` when it has grown enough (the journal decides; it may skip). */
  compact(snapshot: () => Iterable<JournalRecord>): void
  /** Throws when the journal cannot be written. */
  check(): void
  close(): void
  /** How a batch is scheduled after the changes of this turn of the event loop (Node: setImmediate). */
  schedule(flush: () => void): void
}

export type LocalStoreOptions = {
  name: StoreDriverName
  location: string
  journal?: StoreJournal
  now?: () => number
  onError?: (operation: string, error: unknown) => void
  /**
   * The live data (estimated heap bytes, `LocalState.bytes`) past which a write that adds is refused with
   * `StoreTooLargeError`, until expired entries or deletes make room: what the heap can hold, so that the store
   * always loads again (runtime/node-store.ts picks it from the heap). Unset: no limit.
   */
  maxLiveBytes?: number
  /** Loading the journal stops with `StoreTooLargeError` once the live data passes this. Unset: no limit. */
  maxLoadBytes?: number
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

const RESOLVED = Promise.resolve()
// A rewrite by another process between our poll and our append is rare; three in a row means something is wrong.
const APPEND_ATTEMPTS = 3

/**
 * @example const store = createLocalStore({ name: 'memory', location: 'memory' })
 */
export function createLocalStore({
  name,
  location,
  journal,
  now = Date.now,
  onError,
  maxLiveBytes = Number.POSITIVE_INFINITY,
  maxLoadBytes = Number.POSITIVE_INFINITY,
}: LocalStoreOptions): Store {
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
  const guard = reportingErrors(onError)

  /** Whether the journal was read in this turn of the event loop. */
  let refreshed = false
  /**
   * Take in what other processes wrote (a CLI job beside the service): once per turn of the event loop, since
   * one read() per operation was ~5 % of the server's core under load, and appends landing within one turn are
   * as if they had come a moment later.
   */
  const refresh = () => {
    if (!journal || refreshed) return
    refreshed = true
    journal.schedule(() => {
      refreshed = false
    })
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

  const dropExpired = (nowMs: number) => {
    let removed = 0
    for (const [key, value] of state.values) {
      if (!isExpired(value.expiresAt, nowMs)) continue
      dropValue(state, key)
      removed++
    }
    for (const [key, index] of state.indexes) {
      if (!isExpired(index.expiresAt, nowMs)) continue
      dropIndex(state, key)
      removed++
    }
    return removed
  }

  const commit = (records: readonly JournalRecord[]): Promise<void> => {
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

  const writePending = (target: StoreJournal) => {
    for (let attempt = 1; ; attempt++) {
      refresh()
      if (target.append(pending)) break
      if (attempt >= APPEND_ATTEMPTS)
        throw new Error('the store journal was rewritten during every write attempt')
    }
    pending = []
    try {
      target.compact(() => snapshotRecords(state, now()))
    } catch (error) {
      // The batch is written: a failed compaction only leaves the journal longer.
      onError?.('compact', error)
    }
  }

  function flush() {
    scheduled = false
    const settled = waiters
    waiters = []
    if (!journal || pending.length === 0) {
      for (const waiter of settled) waiter.resolve()
      return
    }
    try {
      writePending(journal)
      for (const waiter of settled) waiter.resolve()
    } catch (error) {
      for (const waiter of settled) waiter.reject(error)
    }
  }

  const liveValue = (key: string) => {
    const value = state.values.get(key)
    if (value === undefined) return null
    if (!isExpired(value.expiresAt, now())) return value
    // Expired entries are dropped from memory only: the journal's copy goes at the next compaction.
    dropValue(state, key)
    return null
  }
  const liveIndex = (key: string) => {
    const index = state.indexes.get(key)
    if (index === undefined) return null
    if (!isExpired(index.expiresAt, now())) return index
    dropIndex(state, key)
    return null
  }
  const isLive = (key: string) => liveValue(key) !== null || liveIndex(key) !== null

  /**
   * The live index at `key`, and what must be written before using it: a value written as `{ member: score }` by
   * the unstorage-based store of earlier versions becomes an index; any other value is refused, as Redis refuses
   * ZADD on a string.
   */
  const indexAt = (key: string): { index: SortedIndex | null; records: JournalRecord[] } => {
    const index = liveIndex(key)
    const value = index === null ? liveValue(key) : null
    if (value === null) return { index, records: [] }
    const members = _legacyIndex(value.json)
    if (members === null) throw new TypeError(`store key "${key}" holds a value, not an index`)
    const records: JournalRecord[] = [['d', key]]
    for (const [member, score] of Object.entries(members)) records.push(['z', key, member, score])
    if (value.expiresAt !== 0) records.push(['e', key, value.expiresAt])
    return { index: null, records }
  }
  /** The index at `key` once a conversion `indexAt` asked for is written; without one, at once (no yield). */
  const readIndex = (key: string): SortedIndex | null | Promise<SortedIndex | null> => {
    const { index, records } = indexAt(key)
    return records.length === 0 ? index : commit(records).then(() => liveIndex(key))
  }

  const expiryOf = (ttlSeconds: number | undefined) => (ttlSeconds ? now() + ttlSeconds * 1000 : 0)

  return {
    driver: name,
    location,
    get: <T>(key: string) =>
      guard('get', async () => {
        assertKey(key)
        refresh()
        const value = liveValue(key)
        return value === null ? null : (JSON.parse(value.json) as T)
      }),
    getMany: <T>(keys: readonly string[]) =>
      guard('getMany', async () => {
        for (const key of keys) assertKey(key)
        refresh()
        return keys.map((key) => {
          const value = liveValue(key)
          return value === null ? null : (JSON.parse(value.json) as T)
        })
      }),
    set: (key, value, options) =>
      guard('set', async () => {
        assertKey(key)
        const ttl = options?.ttlSeconds
        if (ttl !== undefined) assertTtl(ttl)
        refresh()
        await commit([['s', key, JSON.stringify(value) ?? 'null', expiryOf(ttl)]])
      }),
    has: (key) =>
      guard('has', async () => {
        assertKey(key)
        refresh()
        return isLive(key)
      }),
    delete: (key) =>
      guard('delete', async () => {
        assertKey(key)
        refresh()
        if (state.values.has(key) || state.indexes.has(key)) await commit([['d', key]])
      }),
    keys: (prefix = '') =>
      guard('keys', async () => {
        refresh()
        const live: string[] = []
        for (const key of [...state.values.keys(), ...state.indexes.keys()]) {
          if (key.startsWith(prefix) && isLive(key)) live.push(key)
        }
        return live.sort()
      }),
    claim: (key, ttlSeconds, value = true) =>
      guard('claim', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        refresh()
        if (isLive(key)) return false
        await commit([['s', key, JSON.stringify(value) ?? 'true', expiryOf(ttlSeconds)]])
        return true
      }),
    lock: (key, ttlSeconds) =>
      guard('lock', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        refresh()
        if (isLive(key)) return null
        const token = JSON.stringify(crypto.randomUUID())
        await commit([['s', key, token, expiryOf(ttlSeconds)]])
        return _localLock(key, token)
      }),
    increment: (key, ttlSeconds) =>
      guard('increment', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        refresh()
        const current = liveValue(key)
        const previous = current === null ? 0 : Number(JSON.parse(current.json))
        const next = (Number.isFinite(previous) ? previous : 0) + 1
        // A fixed window: the expiry is set when the counter is created, never pushed out.
        const expiresAt = current === null ? expiryOf(ttlSeconds) : current.expiresAt
        await commit([['s', key, String(next), expiresAt]])
        return next
      }),
    indexAdd: (key, member, score, options = {}) =>
      guard('index-add', async () => {
        assertKey(key)
        assertScore(score)
        if (options.ttlSeconds !== undefined) assertTtl(options.ttlSeconds)
        refresh()
        // Without a conversion to write this never yields: concurrent adds of one member stay atomic.
        const found = readIndex(key)
        const index = found instanceof Promise ? await found : found
        const existing = index?.score(member) ?? null
        // A new index starts with a delete in the journal: an earlier one under this key that expired (and was
        // dropped from memory without a record) must not come back with it on replay.
        const records: JournalRecord[] = index === null ? [['d', key]] : []
        if (existing === null || (existing !== score && !options.onlyIfAbsent))
          records.push(['z', key, member, score])
        // As the Redis script: the expiry is (re)set even when NX kept the old score.
        if (options.ttlSeconds !== undefined) records.push(['e', key, expiryOf(options.ttlSeconds)])
        await commit(records)
        return existing === null
      }),
    indexRemove: (key, member) =>
      guard('index-remove', async () => {
        assertKey(key)
        refresh()
        const index = await readIndex(key)
        if (index === null || index.score(member) === null) return false
        await commit([['r', key, member]])
        return true
      }),
    indexRange: (key, { maxScore = Number.POSITIVE_INFINITY, limit = 1_000 } = {}) =>
      guard('index-range', async () => {
        assertKey(key)
        refresh()
        return (await readIndex(key))?.range(maxScore, limit) ?? []
      }),
    indexScore: (key, member) =>
      guard('index-score', async () => {
        assertKey(key)
        refresh()
        return (await readIndex(key))?.score(member) ?? null
      }),
    indexSize: (key) =>
      guard('index-size', async () => {
        assertKey(key)
        refresh()
        return (await readIndex(key))?.size ?? 0
      }),
    windowTake: (key, options) =>
      guard('window-take', async () => {
        assertKey(key)
        assertWindow(options)
        refresh()
        const { nowMs, windowMs, ceiling } = options
        const found = readIndex(key)
        const index = found instanceof Promise ? await found : found
        const gone = index?.range(nowMs - windowMs, Number.POSITIVE_INFINITY) ?? []
        const count = (index?.size ?? 0) - gone.length
        // As the Redis script: the starts that left the window go, whether or not one is taken.
        const records: JournalRecord[] = gone.map(({ member }) => ['r', key, member] as const)
        if (index !== null && count >= ceiling) {
          const oldest = index.range(Number.POSITIVE_INFINITY, gone.length + 1)[gone.length]
          await commit(records)
          const waitMs = Math.max(0, (oldest?.score ?? nowMs) + windowMs - nowMs)
          return { taken: false, count, waitMs }
        }
        // A new index starts with a delete in the journal, as in indexAdd.
        if (index === null) records.push(['d', key])
        records.push(['z', key, windowMember(nowMs), nowMs], ['e', key, nowMs + windowMs])
        await commit(records)
        return { taken: true, count: count + 1, waitMs: 0 }
      }),
    ping: () =>
      guard('ping', async () => {
        if (!journal) return
        journal.check()
        // A batch a failed write left behind is tried again now: /ready reports the store as it really is.
        if (pending.length > 0) writePending(journal)
      }),
    sweep: () => guard('sweep', async () => dropExpired(now())),
    dispose: async () => {
      if (!journal) return
      flush()
      journal.close()
    },
  }

  function _localLock(key: string, token: string): StoreLock {
    let held = true
    const stillHeld = () => held && liveValue(key)?.json === token
    const queue = inCallOrder()
    return {
      key,
      release: () =>
        queue(() =>
          guard('unlock', async () => {
            refresh()
            const mine = stillHeld()
            held = false
            if (mine) await commit([['d', key]])
            return mine
          })
        ),
      extend: (ttlSeconds: number) =>
        queue(() =>
          guard('lock-extend', async () => {
            assertTtl(ttlSeconds)
            refresh()
            held = stillHeld()
            if (held) await commit([['s', key, token, expiryOf(ttlSeconds)]])
            return held
          })
        ),
    }
  }
}

/** `{ member: score }` as the unstorage-based store kept an index, or null for any other value. */
function _legacyIndex(json: string): Record<string, number> | null {
  const value: unknown = JSON.parse(json)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const members = value as Record<string, unknown>
  for (const score of Object.values(members)) if (!Number.isFinite(score)) return null
  return members as Record<string, number>
}

function _mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}
