/**
 * @module The local store's state: values (kept as JSON text, so every read is a copy) and sorted sets in this
 * process's memory, changed only by journal records, so that replaying a journal rebuilds exactly the same state.
 */

import type { SortedEntry } from './types.ts'

/**
 * One change. Expiries are epoch milliseconds, 0 for none. `s` sets a value, `d` deletes a key (value or sorted set),
 * `z` adds or re-scores a sorted set member, `r` removes one, `e` sets a sorted set's expiry.
 *
 * A lock's records are conditional, and decided by their order in the journal, which every process reads the same
 * (local-journaled.ts `decide`): `c` takes `key` for `json` if no live value holds it at `at`, `x` moves its expiry
 * if it still holds `json` (live at `at`), `D` deletes it if it holds `json`. Otherwise they change nothing.
 */
export type JournalRecord =
  | readonly ['s', key: string, json: string, expiresAt: number]
  | readonly ['d', key: string]
  | readonly ['z', key: string, member: string, score: number]
  | readonly ['r', key: string, member: string]
  | readonly ['e', key: string, expiresAt: number]
  | readonly ['c', key: string, json: string, expiresAt: number, at: number]
  | readonly ['x', key: string, json: string, expiresAt: number, at: number]
  | readonly ['D', key: string, json: string]

/**
 * `lock`: written by a lock's records. Such a value is not dropped once expired, as others are on reading, until
 * LOCK_KEPT_EXPIRED_MS later: a renewal another process wrote before the expiry, and not yet read here, still finds
 * it, and this process decides as the others do (`x` renews it, a `c` after it loses).
 */
export type StoredValue = { json: string; expiresAt: number; lock?: true }

/** How long an expired lock's value is kept (it is only read as free): far past any line written before it expired. */
export const LOCK_KEPT_EXPIRED_MS = 60 * 60 * 1000

/** Whether an expired entry may be dropped from memory at `nowMs` (a lock's, only an hour after). */
export function droppable(value: StoredValue, nowMs: number): boolean {
  return isExpired(value.lock ? value.expiresAt + LOCK_KEPT_EXPIRED_MS : value.expiresAt, nowMs)
}

export type LocalState = {
  values: Map<string, StoredValue>
  sortedSets: Map<string, SortedList>
  /**
   * What the state takes in the heap, estimated (`valueBytes`, `SortedList.bytes`): kept up to date by every
   * change, so that the fs store can refuse to load, or to grow past, what its heap can hold (principle 10).
   */
  bytes: number
}

/**
 * A value's heap cost beyond its key's and its JSON's characters: the Map entry, the `{ json, expiresAt }` object,
 * two string headers. Measured on Node 22 (100,000 of each, after a GC): a dedupe claim (a 77-character key, `true`)
 * takes ~216 bytes in all, estimated 241; a 330-character snapshot ~600, estimated 510.
 */
const VALUE_OVERHEAD_BYTES = 160
/** A sorted set member's beyond its characters: its `{ member, score }` entry, its slot, its score Map entry (a UUID member: ~150 bytes measured, 132 estimated). */
const MEMBER_OVERHEAD_BYTES = 96
/** A sorted set's own: its object, its two collections, its key's Map entry. */
const INDEX_OVERHEAD_BYTES = 160

export function createLocalState(): LocalState {
  return { values: new Map(), sortedSets: new Map(), bytes: 0 }
}

/** The estimated heap cost of a value under `key`. */
export function valueBytes(key: string, value: StoredValue): number {
  return key.length + value.json.length + VALUE_OVERHEAD_BYTES
}

/** Remove the value at `key` (if any), keeping `bytes` right. */
export function dropValue(state: LocalState, key: string): void {
  const value = state.values.get(key)
  if (value === undefined) return
  state.values.delete(key)
  state.bytes -= valueBytes(key, value)
}

/** Remove the sorted set at `key` (if any), keeping `bytes` right. */
export function dropSortedSet(state: LocalState, key: string): void {
  const sorted = state.sortedSets.get(key)
  if (sorted === undefined) return
  state.sortedSets.delete(key)
  state.bytes -= key.length + sorted.bytes
}

/** Members ordered by score, then by member (as Redis orders a sorted set), with a score lookup. */
export class SortedList {
  expiresAt = 0
  /** Estimated heap cost of the sorted set and its members (its key's characters aside). */
  bytes = INDEX_OVERHEAD_BYTES
  readonly #scores = new Map<string, number>()
  readonly #order: SortedEntry[] = []

  get size(): number {
    return this.#order.length
  }

  score(member: string): number | null {
    return this.#scores.get(member) ?? null
  }

  /** True when the member is new. */
  add(member: string, score: number): boolean {
    const previous = this.#scores.get(member)
    if (previous === score) return false
    if (previous !== undefined) this.#order.splice(this.#find(previous, member), 1)
    this.#order.splice(this.#find(score, member), 0, { member, score })
    this.#scores.set(member, score)
    if (previous === undefined) this.bytes += member.length + MEMBER_OVERHEAD_BYTES
    return previous === undefined
  }

  remove(member: string): boolean {
    const score = this.#scores.get(member)
    if (score === undefined) return false
    this.#order.splice(this.#find(score, member), 1)
    this.#scores.delete(member)
    this.bytes -= member.length + MEMBER_OVERHEAD_BYTES
    return true
  }

  /** Members scored ≤ maxScore, lowest first, at most `limit`. */
  range(maxScore: number, limit: number): SortedEntry[] {
    const out: SortedEntry[] = []
    for (const entry of this.#order) {
      if (entry.score > maxScore || out.length >= limit) break
      out.push({ member: entry.member, score: entry.score })
    }
    return out
  }

  entries(): readonly SortedEntry[] {
    return this.#order
  }

  /** Where (score, member) is or would go: binary search over the order. */
  #find(score: number, member: string): number {
    let low = 0
    let high = this.#order.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const entry = this.#order[middle] as SortedEntry
      const before = entry.score < score || (entry.score === score && entry.member < member)
      if (before) low = middle + 1
      else high = middle
    }
    return low
  }
}

/** Apply one record. Records are facts already decided: applying never fails and never decides. */
export function applyRecord(state: LocalState, record: JournalRecord): void {
  switch (record[0]) {
    case 's':
      _setValue(state, record[1], { json: record[2], expiresAt: record[3] })
      return
    case 'd':
      dropValue(state, record[1])
      dropSortedSet(state, record[1])
      return
    case 'z': {
      let sorted = state.sortedSets.get(record[1])
      if (sorted === undefined) {
        dropValue(state, record[1])
        sorted = new SortedList()
        state.sortedSets.set(record[1], sorted)
        state.bytes += record[1].length + sorted.bytes
      }
      const before = sorted.bytes
      sorted.add(record[2], record[3])
      state.bytes += sorted.bytes - before
      return
    }
    case 'r': {
      const sorted = state.sortedSets.get(record[1])
      if (sorted === undefined) return
      const before = sorted.bytes
      sorted.remove(record[2])
      state.bytes += sorted.bytes - before
      // An empty sorted set is gone, as a Redis sorted set is.
      if (sorted.size === 0) dropSortedSet(state, record[1])
      return
    }
    case 'e': {
      const sorted = state.sortedSets.get(record[1])
      if (sorted) sorted.expiresAt = record[2]
      return
    }
    case 'c': {
      const held = state.values.get(record[1])
      if (held && !isExpired(held.expiresAt, record[4])) return
      _setValue(state, record[1], { json: record[2], expiresAt: record[3], lock: true })
      return
    }
    case 'x': {
      const held = state.values.get(record[1])
      if (held?.json === record[2] && !isExpired(held.expiresAt, record[4]))
        held.expiresAt = record[3]
      return
    }
    case 'D':
      if (state.values.get(record[1])?.json === record[2]) dropValue(state, record[1])
      return
  }
}

/**
 * Apply `record` as replaying a journal at `nowMs` should: a value or a sorted set expiry already past removes the key
 * (the entry would be dropped at its first read anyway), so a journal's dead entries never take the loading heap.
 */
export function replayRecord(state: LocalState, record: JournalRecord, nowMs: number): void {
  // A lock's records as they were decided: its values are kept an hour past their expiry (StoredValue.lock).
  if (record[0] === 'c' || record[0] === 'x') {
    applyRecord(state, record)
    const value = state.values.get(record[1])
    if (value && droppable(value, nowMs)) dropValue(state, record[1])
  } else if (record[0] === 's' && isExpired(record[3], nowMs)) {
    dropValue(state, record[1])
    dropSortedSet(state, record[1])
  } else if (record[0] === 'e' && isExpired(record[2], nowMs)) {
    dropSortedSet(state, record[1])
  } else {
    applyRecord(state, record)
  }
}

/** Whether an entry has expired at `nowMs` (0: never). */
export function isExpired(expiresAt: number, nowMs: number): boolean {
  return expiresAt !== 0 && expiresAt <= nowMs
}

/** The records that rebuild what is live at `nowMs`: what a compacted journal holds. */
export function* snapshotRecords(state: LocalState, nowMs: number): Generator<JournalRecord> {
  for (const [key, value] of state.values) {
    // A lock's value stays one (taken at 0: nothing held it before the rewrite), expired or not.
    if (value.lock && !droppable(value, nowMs)) yield ['c', key, value.json, value.expiresAt, 0]
    else if (!isExpired(value.expiresAt, nowMs)) yield ['s', key, value.json, value.expiresAt]
  }
  for (const [key, sorted] of state.sortedSets) {
    if (isExpired(sorted.expiresAt, nowMs)) continue
    for (const { member, score } of sorted.entries()) yield ['z', key, member, score]
    if (sorted.expiresAt !== 0) yield ['e', key, sorted.expiresAt]
  }
}

/** Whether a parsed journal line is a record this version understands (a damaged line is skipped, not applied). */
export function isJournalRecord(value: unknown): value is JournalRecord {
  if (!Array.isArray(value) || typeof value[1] !== 'string') return false
  switch (value[0]) {
    case 's':
      return value.length === 4 && typeof value[2] === 'string' && Number.isFinite(value[3])
    case 'd':
      return value.length === 2
    case 'z':
      return value.length === 4 && typeof value[2] === 'string' && Number.isFinite(value[3])
    case 'r':
      return value.length === 3 && typeof value[2] === 'string'
    case 'e':
      return value.length === 3 && Number.isFinite(value[2])
    case 'c':
    case 'x':
      return (
        value.length === 5 &&
        typeof value[2] === 'string' &&
        Number.isFinite(value[3]) &&
        Number.isFinite(value[4])
      )
    case 'D':
      return value.length === 3 && typeof value[2] === 'string'
    default:
      return false
  }
}

// --- Internal helpers ---

/** `key` holds `value` now, whatever it held before (a value or a sorted set). */
function _setValue(state: LocalState, key: string, value: StoredValue): void {
  dropSortedSet(state, key)
  dropValue(state, key)
  state.values.set(key, value)
  state.bytes += valueBytes(key, value)
}
