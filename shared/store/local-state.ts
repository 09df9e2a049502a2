/**
 * @module The local store's state: values (kept as JSON text, so every read is a copy) and sorted indexes in this
 * process's memory, changed only by journal records, so that replaying a journal rebuilds exactly the same state.
 */

import type { IndexEntry } from './types.ts'

/**
 * One change. Expiries are epoch milliseconds, 0 for none. `s` sets a value, `d` deletes a key (value or index),
 * `z` adds or re-scores an index member, `r` removes one, `e` sets an index's expiry.
 */
export type JournalRecord =
  | readonly ['s', key: string, json: string, expiresAt: number]
  | readonly ['d', key: string]
  | readonly ['z', key: string, member: string, score: number]
  | readonly ['r', key: string, member: string]
  | readonly ['e', key: string, expiresAt: number]

export type StoredValue = { json: string; expiresAt: number }

export type LocalState = {
  values: Map<string, StoredValue>
  indexes: Map<string, SortedIndex>
}

export function createLocalState(): LocalState {
  return { values: new Map(), indexes: new Map() }
}

/** Members ordered by score, then by member (as Redis orders a sorted set), with a score lookup. */
export class SortedIndex {
  expiresAt = 0
  readonly #scores = new Map<string, number>()
  readonly #order: IndexEntry[] = []

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
    return previous === undefined
  }

  remove(member: string): boolean {
    const score = this.#scores.get(member)
    if (score === undefined) return false
    this.#order.splice(this.#find(score, member), 1)
    this.#scores.delete(member)
    return true
  }

  /** Members scored ≤ maxScore, lowest first, at most `limit`. */
  range(maxScore: number, limit: number): IndexEntry[] {
    const out: IndexEntry[] = []
    for (const entry of this.#order) {
      if (entry.score > maxScore || out.length >= limit) break
      out.push({ member: entry.member, score: entry.score })
    }
    return out
  }

  entries(): readonly IndexEntry[] {
    return this.#order
  }

  /** Where (score, member) is or would go: binary search over the order. */
  #find(score: number, member: string): number {
    let low = 0
    let high = this.#order.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const entry = this.#order[middle] as IndexEntry
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
      state.indexes.delete(record[1])
      state.values.set(record[1], { json: record[2], expiresAt: record[3] })
      return
    case 'd':
      state.values.delete(record[1])
      state.indexes.delete(record[1])
      return
    case 'z': {
      let index = state.indexes.get(record[1])
      if (index === undefined) {
        state.values.delete(record[1])
        index = new SortedIndex()
        state.indexes.set(record[1], index)
      }
      index.add(record[2], record[3])
      return
    }
    case 'r': {
      const index = state.indexes.get(record[1])
      if (index === undefined) return
      index.remove(record[2])
      // An empty index is gone, as a Redis sorted set is.
      if (index.size === 0) state.indexes.delete(record[1])
      return
    }
    case 'e': {
      const index = state.indexes.get(record[1])
      if (index) index.expiresAt = record[2]
      return
    }
  }
}

/** Whether an entry has expired at `nowMs` (0: never). */
export function isExpired(expiresAt: number, nowMs: number): boolean {
  return expiresAt !== 0 && expiresAt <= nowMs
}

/** The records that rebuild what is live at `nowMs`: what a compacted journal holds. */
export function* snapshotRecords(state: LocalState, nowMs: number): Generator<JournalRecord> {
  for (const [key, value] of state.values) {
    if (!isExpired(value.expiresAt, nowMs)) yield ['s', key, value.json, value.expiresAt]
  }
  for (const [key, index] of state.indexes) {
    if (isExpired(index.expiresAt, nowMs)) continue
    for (const { member, score } of index.entries()) yield ['z', key, member, score]
    if (index.expiresAt !== 0) yield ['e', key, index.expiresAt]
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
    default:
      return false
  }
}
