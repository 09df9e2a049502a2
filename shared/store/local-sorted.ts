/** @module The local store's sorted sets: found (an earlier version's value converted), added to, read, and windows taken on them. */

import { windowMember } from './atomics.ts'
import { assertKey, assertScore, assertTtl, assertWindow } from './envelope.ts'
import type { LocalContext } from './local-context.ts'
import type { JournalRecord, SortedList } from './local-state.ts'
import type { Store } from './types.ts'

export type LocalSortedAccess = {
  sortedAt: (key: string) => { sorted: SortedList | null; records: JournalRecord[] }
  readSorted: (key: string) => SortedList | null | Promise<SortedList | null>
}

/** How the local store's operations find the sorted set at a key (the sorted sets here, the queue's steps in local-queue.ts). */
export function createLocalSortedAccess({ journaled }: LocalContext): LocalSortedAccess {
  const { commit, liveValue, liveSortedSet } = journaled
  /**
   * The live sorted set at `key`, and what must be written before using it: a value written as `{ member: score }` by
   * the unstorage-based store of earlier versions becomes a sorted set; any other value is refused, as Redis refuses
   * ZADD on a string.
   */
  const sortedAt = (key: string): { sorted: SortedList | null; records: JournalRecord[] } => {
    const sorted = liveSortedSet(key)
    const value = sorted === null ? liveValue(key) : null
    if (value === null) return { sorted, records: [] }
    const members = _legacyIndex(value.json)
    if (members === null) throw new TypeError(`store key "${key}" holds a value, not an index`)
    const records: JournalRecord[] = [['d', key]]
    for (const [member, score] of Object.entries(members)) records.push(['z', key, member, score])
    if (value.expiresAt !== 0) records.push(['e', key, value.expiresAt])
    return { sorted: null, records }
  }
  /** The sorted set at `key` once a conversion `sortedAt` asked for is written; without one, at once (no yield). */
  const readSorted = (key: string): SortedList | null | Promise<SortedList | null> => {
    const { sorted, records } = sortedAt(key)
    return records.length === 0 ? sorted : commit(records).then(() => liveSortedSet(key))
  }
  return { sortedAt, readSorted }
}

export function createLocalSortedSets(
  { journaled, guard, expiryOf }: LocalContext,
  { readSorted }: LocalSortedAccess
): Pick<
  Store,
  'sortedAdd' | 'sortedRemove' | 'sortedRange' | 'sortedScore' | 'sortedSize' | 'windowTake'
> {
  const { refresh, commit } = journaled
  return {
    sortedAdd: (key, member, score, options = {}) =>
      guard('index-add', async () => {
        assertKey(key)
        assertScore(score)
        if (options.ttlSeconds !== undefined) assertTtl(options.ttlSeconds)
        refresh()
        // Without a conversion to write this never yields: concurrent adds of one member stay atomic.
        const found = readSorted(key)
        const sorted = found instanceof Promise ? await found : found
        const existing = sorted?.score(member) ?? null
        // A new sorted set starts with a delete in the journal: an earlier one under this key that expired (and was
        // dropped from memory without a record) must not come back with it on replay.
        const records: JournalRecord[] = sorted === null ? [['d', key]] : []
        if (existing === null || (existing !== score && !options.onlyIfAbsent))
          records.push(['z', key, member, score])
        // As the Redis script: the expiry is (re)set even when NX kept the old score.
        if (options.ttlSeconds !== undefined) records.push(['e', key, expiryOf(options.ttlSeconds)])
        await commit(records)
        return existing === null
      }),
    sortedRemove: (key, member) =>
      guard('index-remove', async () => {
        assertKey(key)
        refresh()
        const sorted = await readSorted(key)
        if (sorted === null || sorted.score(member) === null) return false
        await commit([['r', key, member]])
        return true
      }),
    sortedRange: (key, { maxScore = Number.POSITIVE_INFINITY, limit = 1_000 } = {}) =>
      guard('index-range', async () => {
        assertKey(key)
        refresh()
        return (await readSorted(key))?.range(maxScore, limit) ?? []
      }),
    sortedScore: (key, member) =>
      guard('index-score', async () => {
        assertKey(key)
        refresh()
        return (await readSorted(key))?.score(member) ?? null
      }),
    sortedSize: (key) =>
      guard('index-size', async () => {
        assertKey(key)
        refresh()
        return (await readSorted(key))?.size ?? 0
      }),
    windowTake: (key, options) =>
      guard('window-take', async () => {
        assertKey(key)
        assertWindow(options)
        refresh()
        const { nowMs, windowMs, ceiling } = options
        const found = readSorted(key)
        const sorted = found instanceof Promise ? await found : found
        const gone = sorted?.range(nowMs - windowMs, Number.POSITIVE_INFINITY) ?? []
        const count = (sorted?.size ?? 0) - gone.length
        // As the Redis script: the starts that left the window go, whether or not one is taken.
        const records: JournalRecord[] = gone.map(({ member }) => ['r', key, member] as const)
        if (sorted !== null && count >= ceiling) {
          const oldest = sorted.range(Number.POSITIVE_INFINITY, gone.length + 1)[gone.length]
          await commit(records)
          const waitMs = Math.max(0, (oldest?.score ?? nowMs) + windowMs - nowMs)
          return { taken: false, count, waitMs }
        }
        // A new sorted set starts with a delete in the journal, as in sortedAdd.
        if (sorted === null) records.push(['d', key])
        records.push(['z', key, windowMember(nowMs), nowMs], ['e', key, nowMs + windowMs])
        await commit(records)
        return { taken: true, count: count + 1, waitMs: 0 }
      }),
  }
}

/** `{ member: score }` as the unstorage-based store kept a sorted set, or null for any other value. */
function _legacyIndex(json: string): Record<string, number> | null {
  const value: unknown = JSON.parse(json)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const members = value as Record<string, unknown>
  for (const score of Object.values(members)) if (!Number.isFinite(score)) return null
  return members as Record<string, number>
}
