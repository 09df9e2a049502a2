/**
 * @module A durable queue in the store: one entry per item plus a sorted set scored by due
 * time, so a drain reads what is due without listing keys — its cost never grows with the size of the database.
 */
import type { Store } from './types.ts'

export type QueueEntry<T> = { id: string; value: T; score: number }

export type StoreQueueOptions = {
  store: Store
  /**
   * The sorted set's key (`index:outbox:telegram`). Never a prefix of the items' keys: unstorage's fs
   * driver (the layout earlier versions wrote) maps `:` to folders, and one name cannot be a file and a folder.
   */
  sortedSet: string
  /** Where items live: `<itemPrefix><id>`. */
  itemPrefix: string
  /** Items expire after this long (the set's entry of an expired item is dropped when next read). */
  ttlSeconds?: number
  /**
   * An entry in the set whose item is missing is left alone while it is younger than this: `put` writes the set's entry
   * first, so a reader may see the entry a moment before the item.
   */
  danglingGraceMs?: number
  /**
   * When the item behind an entry in the set was made (ms), for the grace above. Default: its score, which is wrong for
   * a queue that scores an item in the past to put it ahead (the outbox's `first` replies, a day early): a reader
   * between the two writes took the young entry for an old dangling one and dropped it, and the item, written a
   * moment later, was never listed.
   */
  bornAt?: (id: string, score: number) => number
  now?: () => number
}

export type StoreQueue<T> = {
  readonly sortedSet: string
  /** The store key of item `id`. */
  key(id: string): string
  /**
   * A new item at `score` (ms, its creation time or later). The set's entry is written first: a crash in
   * between leaves an entry without item (dropped once older than the grace), never an item no drain would
   * ever list. An item written again with an older score goes through `update` (item first).
   */
  put(id: string, value: T, score: number): Promise<void>
  /**
   * `put`, only when `claim` is taken, as one step of the store (`claimAndEnqueue`): false, and nothing written,
   * when it was taken already.
   */
  claimAndPut(
    claim: { key: string; ttlSeconds: number },
    id: string,
    value: T,
    score: number
  ): Promise<boolean>
  /**
   * `claimAndPut` of a text kept as it is (no JSON, no envelope: a Redis string, a journal line), read back with
   * `Store.getText(key(id))`: the Plane webhook's body as it came.
   */
  claimAndPutText(
    claim: { key: string; ttlSeconds: number },
    id: string,
    text: string,
    score: number
  ): Promise<boolean>
  /** Rewrite an item and move it to `score` (retries, backoff). */
  update(id: string, value: T, score: number): Promise<void>
  /** Rewrite an item that is in the set already, keeping its score: one write. */
  rewrite(id: string, value: T): Promise<void>
  get(id: string): Promise<T | null>
  /** The item and its entry in the set, as one step of the store (`dequeue`; on KV the item first). */
  remove(id: string): Promise<void>
  /**
   * Items due at `maxScore` or earlier (default: all), lowest score first, at most `limit`. With `known`, an
   * entry whose item it holds is not read again (a reader that alone writes these items, between its reads), and
   * `known` is left holding exactly what was returned.
   */
  range(
    options?: { maxScore?: number; limit?: number },
    known?: Map<string, T>
  ): Promise<Array<QueueEntry<T>>>
  /** How many entries the set holds (entries of items that expired moments ago included until read). */
  size(): Promise<number>
}

const DEFAULT_DANGLING_GRACE_MS = 60_000
const DEFAULT_LIMIT = 1_000

export function createStoreQueue<T>({
  store,
  sortedSet,
  itemPrefix,
  ttlSeconds,
  danglingGraceMs = DEFAULT_DANGLING_GRACE_MS,
  bornAt = (_id, score) => score,
  now = Date.now,
}: StoreQueueOptions): StoreQueue<T> {
  const key = (id: string) => `${itemPrefix}${id}`
  /** Where item `id` goes: its key, its place in the sorted set, its expiry. */
  const placed = (id: string, score: number) => ({
    sortedSet,
    member: id,
    score,
    key: key(id),
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
  })
  const write = (id: string, value: T) =>
    store.set(key(id), value, ttlSeconds === undefined ? undefined : { ttlSeconds })
  return {
    sortedSet,
    key,
    async put(id, value, score) {
      await store.sortedAdd(sortedSet, id, score)
      await write(id, value)
    },
    claimAndPut: (claim, id, value, score) =>
      store.claimAndEnqueue(claim, { ...placed(id, score), value }),
    claimAndPutText: (claim, id, text, score) =>
      store.claimAndEnqueue(claim, { ...placed(id, score), text }),
    async update(id, value, score) {
      await write(id, value)
      await store.sortedAdd(sortedSet, id, score)
    },
    rewrite: (id, value) => write(id, value),
    get: (id) => store.get<T>(key(id)),
    remove: (id) => store.dequeue({ sortedSet, member: id, key: key(id) }),
    async range({ maxScore, limit = DEFAULT_LIMIT } = {}, known) {
      const entries = await store.sortedRange(sortedSet, {
        ...(maxScore === undefined ? {} : { maxScore }),
        limit,
      })
      const values = await Promise.all(
        entries.map((e) => known?.get(e.member) ?? store.get<T>(key(e.member)))
      )
      known?.clear()
      const out: Array<QueueEntry<T>> = []
      const dangling: string[] = []
      entries.forEach((entry, i) => {
        const value = values[i]
        if (value !== null && value !== undefined) {
          out.push({ id: entry.member, value, score: entry.score })
          known?.set(entry.member, value)
        } else if (bornAt(entry.member, entry.score) < now() - danglingGraceMs)
          dangling.push(entry.member)
      })
      await Promise.all(dangling.map((id) => store.sortedRemove(sortedSet, id)))
      return out
    },
    size: () => store.sortedSize(sortedSet),
  }
}
