/** @module Reading the local store's state at a time: expired entries read as absent and leave memory (a lock's an hour later). */
import {
  droppable,
  dropSortedSet,
  dropValue,
  isExpired,
  type LocalState,
  type SortedList,
  type StoredValue,
} from './local-state.ts'

/** Reads and drops against `now`, on the state `current()` gives (replaced when another process rewrote the journal). */
export function createExpiry(current: () => LocalState, now: () => number) {
  /** Drop what has expired at `nowMs` from memory (the sweep, a write short of room); returns how many. */
  const dropExpired = (nowMs: number): number => {
    const state = current()
    let removed = 0
    for (const [key, value] of state.values) {
      if (!droppable(value, nowMs)) continue
      dropValue(state, key)
      removed++
    }
    for (const [key, sorted] of state.sortedSets) {
      if (!isExpired(sorted.expiresAt, nowMs)) continue
      dropSortedSet(state, key)
      removed++
    }
    return removed
  }

  const liveValue = (key: string): StoredValue | null => {
    const state = current()
    const value = state.values.get(key)
    if (value === undefined) return null
    const nowMs = now()
    if (!isExpired(value.expiresAt, nowMs)) return value
    // Expired entries are dropped from memory only (the journal's copy goes at the next compaction); a lock's an hour
    // later (StoredValue.lock).
    if (droppable(value, nowMs)) dropValue(state, key)
    return null
  }

  const liveSortedSet = (key: string): SortedList | null => {
    const state = current()
    const sorted = state.sortedSets.get(key)
    if (sorted === undefined) return null
    if (!isExpired(sorted.expiresAt, now())) return sorted
    dropSortedSet(state, key)
    return null
  }

  const isLive = (key: string) => liveValue(key) !== null || liveSortedSet(key) !== null

  return { dropExpired, liveValue, liveSortedSet, isLive }
}
