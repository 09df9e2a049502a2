/**
 * @module The local store (memory, and fs with a journal): every operation works on this process's memory, so
 * claims, locks and counters are exact without a mutex; with a journal each change is also appended to it, and a
 * change's promise settles once the batch holding it is written (local-journaled.ts).
 */

import { windowMember } from './atomics.ts'
import {
  assertDequeued,
  assertIncrement,
  assertKey,
  assertQueuedClaim,
  assertScore,
  assertTtl,
  assertWindow,
  inCallOrder,
  reportingErrors,
} from './envelope.ts'
import { createJournaledState, type StoreJournal } from './local-journaled.ts'
import type { JournalRecord, SortedIndex } from './local-state.ts'
import type { Store, StoreDriverName, StoreLock } from './types.ts'

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
  const journaled = createJournaledState({ journal, now, onError, maxLiveBytes, maxLoadBytes })
  const { refresh, commit, dropExpired, liveValue, liveIndex, isLive } = journaled
  const guard = reportingErrors(onError)

  /** Whether anything sits at `key`, live or expired (a delete journals nothing for an empty key). */
  const holds = (key: string) => {
    const { values, indexes } = journaled.current()
    return values.has(key) || indexes.has(key)
  }
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
    // A text item's slot holds the text itself, not JSON (claimAndEnqueue).
    getText: (key) =>
      guard('get-text', async () => {
        assertKey(key)
        refresh()
        return liveValue(key)?.json ?? null
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
        if (holds(key)) await commit([['d', key]])
      }),
    keys: (prefix = '') =>
      guard('keys', async () => {
        refresh()
        const live: string[] = []
        const { values, indexes } = journaled.current()
        for (const key of [...values.keys(), ...indexes.keys()]) {
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
    claimAndEnqueue: (claim, item) =>
      guard('claim-enqueue', async () => {
        assertQueuedClaim(claim, item)
        refresh()
        if (isLive(claim.key)) return false
        // Decided here, without a yield, and journaled as one batch: the claim and the item, or neither.
        const found = indexAt(item.index)
        const records: JournalRecord[] = [...found.records]
        if (found.index === null && found.records.length === 0) records.push(['d', item.index])
        records.push(
          ['s', claim.key, 'true', expiryOf(claim.ttlSeconds)],
          ['z', item.index, item.member, item.score],
          [
            's',
            item.key,
            item.text ?? JSON.stringify(item.value) ?? 'null',
            expiryOf(item.ttlSeconds),
          ]
        )
        await commit(records)
        return true
      }),
    dequeue: (item) =>
      guard('dequeue', async () => {
        assertDequeued(item)
        refresh()
        // One batch, as claimAndEnqueue's: both gone, or neither.
        const { index, records: converted } = indexAt(item.index)
        const records: JournalRecord[] = [...converted]
        if (holds(item.key)) records.push(['d', item.key])
        // An index of an earlier version, converted just above, may hold the member: removing none is nothing.
        if (converted.length > 0 || (index?.score(item.member) ?? null) !== null)
          records.push(['r', item.index, item.member])
        if (records.length > 0) await commit(records)
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
    increment: (key, ttlSeconds, by = 1) =>
      guard('increment', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        assertIncrement(by)
        refresh()
        const current = liveValue(key)
        const previous = current === null ? 0 : Number(JSON.parse(current.json))
        const next = (Number.isFinite(previous) ? previous : 0) + by
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
        journaled.retryPending()
      }),
    sweep: () => guard('sweep', async () => dropExpired(now())),
    dispose: async () => journaled.close(),
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
