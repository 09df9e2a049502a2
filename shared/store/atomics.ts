/** @module The atomic operations a store asks of its backend (redis-atomics.ts, in-process-atomics.ts), and the part of ioredis they use. */
import type {
  DequeuedItem,
  QueuedItem,
  SortedEntry,
  WindowTake,
  WindowTakeOptions,
} from './types.ts'

export type { SortedEntry as IndexEntry }

/** Values come back as opaque markers (the exact stored text) so that a later compare-and-act can match them. */
export type StoreAtomics = {
  setIfAbsent(key: string, value: unknown, ttlSeconds: number): Promise<string | null>
  deleteIfEquals(key: string, marker: string): Promise<boolean>
  replaceIfEquals(
    key: string,
    marker: string,
    value: unknown,
    ttlSeconds: number
  ): Promise<string | null>
  increment(key: string, ttlSeconds: number, by: number): Promise<number>
  /** Sorted index (Redis sorted set): true when the member is new. `onlyIfAbsent` keeps an existing score. */
  sortedAdd(
    key: string,
    member: string,
    score: number,
    options: { onlyIfAbsent: boolean; ttlSeconds: number | null }
  ): Promise<boolean>
  sortedRemove(key: string, member: string): Promise<boolean>
  /** Members with score ≤ maxScore, lowest first, at most `limit`. */
  sortedRange(key: string, maxScore: number, limit: number): Promise<SortedEntry[]>
  sortedScore(key: string, member: string): Promise<number | null>
  sortedSize(key: string): Promise<number>
  windowTake(key: string, options: WindowTakeOptions): Promise<WindowTake>
  /** The claim and, when taken, the queued item (Store.claimAndEnqueue). */
  claimAndEnqueue(claim: { key: string; ttlSeconds: number }, item: QueuedItem): Promise<boolean>
  /** The queued item and its index entry (Store.dequeue). */
  dequeue(item: DequeuedItem): Promise<void>
}

/** The part of ioredis the store uses. */
export type RedisLike = {
  set(key: string, value: string, ...args: Array<string | number>): Promise<string | null>
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>
  ping(): Promise<string>
}

/** A start's member in a window: unique across processes, its time first for whoever reads the set by hand. */
export function windowMember(nowMs: number): string {
  return `${nowMs}:${crypto.randomUUID()}`
}
