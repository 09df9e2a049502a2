/**
 * @module The store's interface and its types: what every part of the bridge is written against. The drivers
 * (local.ts for memory and fs, store.ts over unstorage, redis.ts) implement it; nothing here imports them.
 */
/** A member of a sorted index and its score. */
export type SortedEntry = { member: string; score: number }

export type StoreDriverName = 'redis' | 'redis-http' | 'fs' | 'memory' | 'cloudflare-kv'

export type WindowTakeOptions = { nowMs: number; windowMs: number; ceiling: number }
export type WindowTake = { taken: boolean; count: number; waitMs: number }

/**
 * An item put in a store queue (queue.ts): its value under `key`, and `member` in the sorted index `index`. A
 * `value` is kept as JSON in the store's envelope, read with `get`; a `text` is kept as it is, character for
 * character (a Redis string, a journal line), read with `getText`, its expiry the backend's own.
 */
export type QueuedItem = {
  sortedSet: string
  member: string
  score: number
  key: string
  ttlSeconds?: number
} & ({ value: unknown; text?: never } | { text: string; value?: never })

/** A queued item to remove (queue.ts): its value under `key`, and `member` in the sorted index `index`. */
export type DequeuedItem = Pick<QueuedItem, 'sortedSet' | 'member' | 'key'>

export type StoreLock = {
  readonly key: string
  /** Give the lock up; false when it had already expired and someone else may hold it. */
  release(): Promise<boolean>
  /** Push the expiry out while work goes on; false when the lock was lost. */
  extend(ttlSeconds: number): Promise<boolean>
}

export type Store = {
  readonly driver: StoreDriverName
  /** Where the data lives, without credentials (for /ready and logs). */
  readonly location: string
  get<T = unknown>(key: string): Promise<T | null>
  /** Several keys at once, in their order (one Redis `MGET`: a listing of 250 tasks read 750 keys one by one). */
  getMany<T = unknown>(keys: readonly string[]): Promise<Array<T | null>>
  set(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void>
  /**
   * What a queue's `text` item holds, as written (null when absent or expired). A key written with `set` reads
   * back as its stored form (JSON, in an envelope on some drivers): only texts are read this way.
   */
  getText(key: string): Promise<string | null>
  has(key: string): Promise<boolean>
  delete(key: string): Promise<void>
  /** Keys under a prefix (`'outbox:'`), expired ones left out. */
  keys(prefix?: string): Promise<string[]>
  /**
   * Atomically take `key` for `ttlSeconds`: true for exactly one caller until it expires (Redis `SET NX EX`).
   * The key then holds `value` (default `true`), readable with `get`.
   */
  claim(key: string, ttlSeconds: number, value?: unknown): Promise<boolean>
  /**
   * `claim(claim.key, claim.ttlSeconds)` and, only when it is taken, `item` put in its queue, as one step: a
   * Redis script, one batch of the local store; on KV (no multi-key step) the item first, then the claim, and the
   * item taken back when the claim is lost. False, and nothing kept, when the key was taken already. The webhook's
   * one write before its answer: the delivery claimed and kept, or neither.
   */
  claimAndEnqueue(claim: { key: string; ttlSeconds: number }, item: QueuedItem): Promise<boolean>
  /**
   * A queue's item and its index entry removed as one step: one Redis script, one batch of the local store; on KV
   * (no multi-key step) the item first, then the entry (a crash in between leaves an entry the next read drops).
   * Processing a webhook delivery ends with it (two round trips would be one more write to wait for).
   */
  dequeue(item: DequeuedItem): Promise<void>
  /** A lock with expiry; null when someone else holds it. */
  lock(key: string, ttlSeconds: number): Promise<StoreLock | null>
  /**
   * Atomic counter, raised by `by` (default 1, a whole number ≥ 1); the TTL is set when the counter is created (a
   * fixed window). Returns the count after it.
   */
  increment(key: string, ttlSeconds: number, by?: number): Promise<number>
  /**
   * A sorted index under `key` (Redis sorted set): queues and deadlines are read by score, never by
   * listing keys. Adding returns true when the member is new; `onlyIfAbsent` keeps an existing score;
   * `ttlSeconds` (re)sets the whole index's expiry.
   */
  sortedAdd(
    key: string,
    member: string,
    score: number,
    options?: { onlyIfAbsent?: boolean; ttlSeconds?: number }
  ): Promise<boolean>
  sortedRemove(key: string, member: string): Promise<boolean>
  /** Members scored ≤ `maxScore` (default: all), lowest first, at most `limit` (default 1,000). */
  sortedRange(key: string, options?: { maxScore?: number; limit?: number }): Promise<SortedEntry[]>
  sortedScore(key: string, member: string): Promise<number | null>
  sortedSize(key: string): Promise<number>
  /**
   * A sliding window of starts under `key`, shared by every process on the store (Plane's rate limit, one window
   * per API key): drops the starts older than `windowMs` before `nowMs`, then records one at `nowMs` when fewer than
   * `ceiling` are left, atomically. `count`: the starts in the window after the call; `waitMs`: when none was
   * taken, how long until the oldest leaves it.
   */
  windowTake(key: string, options: WindowTakeOptions): Promise<WindowTake>
  /** Throws when the backing store cannot be reached. */
  ping(): Promise<void>
  /** Remove expired entries (drivers without native expiry); returns how many. */
  sweep(): Promise<number>
  dispose(): Promise<void>
}
