/**
 * @module The store: a small interface, and its implementation over an unstorage driver (Cloudflare KV, Redis over
 * HTTP) with TTLs that expire on every driver and atomic claims. Memory and fs are the local store (local.ts),
 * Redis the native one (redis.ts).
 */
import { createStorage, type Driver } from 'unstorage'
import memoryDriver from 'unstorage/drivers/memory'
import type { RedisLike, StoreAtomics } from './atomics.ts'
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
  unwrap,
  wrap,
} from './envelope.ts'
import { createInProcessAtomics, createKvAtomics } from './in-process-atomics.ts'
import { createLocalStore } from './local.ts'
import { createRedisAtomics } from './redis-atomics.ts'

import type { Store, StoreDriverName } from './types.ts'

export type { SortedEntry as IndexEntry, Store, StoreDriverName, StoreLock } from './types.ts'

export type CreateStoreOptions = {
  driver: Driver
  name: StoreDriverName
  location: string
  /** Redis client for atomic operations (the unstorage redis driver's `getInstance()`); in-process otherwise. */
  redis?: RedisLike
  /** Redis key prefix used by the driver, so raw commands address the same keys. */
  redisPrefix?: string
  /**
   * How claims, locks and counters work without `redis`: `in-process` (one process) or `kv`
   * (Cloudflare KV: claims best effort across isolates, locks and counters per isolate; see createKvAtomics).
   */
  atomics?: 'in-process' | 'kv'
  /** Called for every failed operation before it is rethrown (metrics, logs). */
  onError?: (operation: string, error: unknown) => void
  now?: () => number
}

/**
 * @example const store = createStore({ driver: kvBindingDriver({ binding }), name: 'cloudflare-kv', location: 'STORE', atomics: 'kv' })
 */
export function createStore({
  driver,
  name,
  location,
  redis,
  redisPrefix = 'plane',
  atomics: atomicsMode = 'in-process',
  onError,
  now = Date.now,
}: CreateStoreOptions): Store {
  const storage = createStorage({ driver })
  const onKv = !redis && atomicsMode === 'kv'
  const atomics: StoreAtomics = redis
    ? createRedisAtomics(redis, redisPrefix, now)
    : onKv
      ? createKvAtomics(storage, now)
      : createInProcessAtomics(storage, now)
  // KV takes one write per second per key: hot lock and counter keys would fail (429) in a burst, and
  // KV could not exclude another isolate anyway, so on KV they live in this isolate only.
  const local: StoreAtomics = onKv
    ? createInProcessAtomics(createStorage({ driver: memoryDriver() }), now)
    : atomics
  // Redis and KV expire entries themselves: no sweeping, no deleting what a read finds expired.
  const nativeExpiry = redis !== undefined || onKv

  const guard = reportingErrors(onError)
  const read = async (key: string) => {
    const { value, expired } = unwrap(await storage.getItem(key), now())
    if (expired && !nativeExpiry) await storage.removeItem(key)
    return expired ? null : value
  }

  return {
    driver: name,
    location,
    get: <T>(key: string) =>
      guard('get', async () => {
        assertKey(key)
        return (await read(key)) as T | null
      }),
    getMany: <T>(keys: readonly string[]) =>
      guard('getMany', async () => {
        for (const key of keys) assertKey(key)
        return (await Promise.all(keys.map(read))) as Array<T | null>
      }),
    set: (key, value, options) =>
      guard('set', async () => {
        assertKey(key)
        const ttl = options?.ttlSeconds
        if (ttl !== undefined) assertTtl(ttl)
        await storage.setItem(key, wrap(value, ttl, now()), ttl ? { ttl } : undefined)
      }),
    getText: (key) =>
      guard('get-text', async () => {
        assertKey(key)
        const raw: unknown = await storage.getItemRaw(key)
        if (raw === null || raw === undefined) return null
        return typeof raw === 'string' ? raw : JSON.stringify(raw)
      }),
    has: (key) =>
      guard('has', async () => {
        assertKey(key)
        return (await read(key)) !== null
      }),
    delete: (key) =>
      guard('delete', async () => {
        assertKey(key)
        await storage.removeItem(key)
      }),
    keys: (prefix = '') =>
      guard('keys', async () => {
        const all = await storage.getKeys(prefix.replace(/:$/, ''))
        const live: string[] = []
        for (const key of all) {
          if (!key.startsWith(prefix)) continue
          // Drivers without native expiry still hold expired entries: read to filter (and drop) them.
          if (redis || (await read(key)) !== null) live.push(key)
        }
        return live.sort()
      }),
    claim: (key, ttlSeconds, value = true) =>
      guard('claim', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        return (await atomics.setIfAbsent(key, value, ttlSeconds)) !== null
      }),
    claimAndEnqueue: (claim, item) =>
      guard('claim-enqueue', async () => {
        assertQueuedClaim(claim, item)
        return atomics.claimAndEnqueue(claim, item)
      }),
    dequeue: (item) =>
      guard('dequeue', async () => {
        assertDequeued(item)
        await atomics.dequeue(item)
      }),
    lock: (key, ttlSeconds) =>
      guard('lock', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        const token = crypto.randomUUID()
        let held = await local.setIfAbsent(key, token, ttlSeconds)
        if (held === null) return null
        const queue = inCallOrder()
        return {
          key,
          release: () =>
            queue(() =>
              guard('unlock', async () => {
                const current = held
                held = null
                return current !== null && local.deleteIfEquals(key, current)
              })
            ),
          extend: (ttl: number) =>
            queue(() =>
              guard('lock-extend', async () => {
                assertTtl(ttl)
                if (held === null) return false
                held = await local.replaceIfEquals(key, held, token, ttl)
                return held !== null
              })
            ),
        }
      }),
    increment: (key, ttlSeconds, by = 1) =>
      guard('increment', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        assertIncrement(by)
        return local.increment(key, ttlSeconds, by)
      }),
    sortedAdd: (key, member, score, options = {}) =>
      guard('index-add', async () => {
        assertKey(key)
        assertScore(score)
        if (options.ttlSeconds !== undefined) assertTtl(options.ttlSeconds)
        return atomics.sortedAdd(key, member, score, {
          onlyIfAbsent: options.onlyIfAbsent ?? false,
          ttlSeconds: options.ttlSeconds ?? null,
        })
      }),
    sortedRemove: (key, member) =>
      guard('index-remove', async () => {
        assertKey(key)
        return atomics.sortedRemove(key, member)
      }),
    sortedRange: (key, { maxScore = Number.POSITIVE_INFINITY, limit = 1_000 } = {}) =>
      guard('index-range', async () => {
        assertKey(key)
        return atomics.sortedRange(key, maxScore, limit)
      }),
    sortedScore: (key, member) =>
      guard('index-score', async () => {
        assertKey(key)
        return atomics.sortedScore(key, member)
      }),
    sortedSize: (key) =>
      guard('index-size', async () => {
        assertKey(key)
        return atomics.sortedSize(key)
      }),
    windowTake: (key, options) =>
      guard('window-take', async () => {
        assertKey(key)
        assertWindow(options)
        // On KV, in this isolate: a shared window would write its key at every request (KV takes one a second).
        return local.windowTake(key, options)
      }),
    ping: () =>
      guard('ping', async () => {
        if (redis) {
          await redis.ping()
          return
        }
        // KV: a read (writes are limited and billed). Other drivers: a write proves they take writes.
        if (onKv) {
          await storage.getItem('health:ping')
          return
        }
        await storage.setItem('health:ping', wrap(now(), 60, now()))
      }),
    sweep: () =>
      guard('sweep', async () => {
        if (nativeExpiry) return 0
        let removed = 0
        for (const key of await storage.getKeys()) {
          if (unwrap(await storage.getItem(key), now()).expired) {
            await storage.removeItem(key)
            removed++
          }
        }
        return removed
      }),
    dispose: () => storage.dispose(),
  }
}

/**
 * Claim `key` (dedupe), then store what it stands for. If storing fails the claim is released: nothing
 * half-written may swallow the sender's next try. `claimed: false` when the key was already taken.
 * @example const r = await claimAndWrite(store, `digest:sent:${day}`, ttl, () => outbox.enqueue(...))
 */
export async function claimAndWrite<T>(
  store: Store,
  key: string,
  ttlSeconds: number,
  write: () => Promise<T>
): Promise<{ claimed: true; value: T } | { claimed: false }> {
  if (!(await store.claim(key, ttlSeconds))) return { claimed: false }
  try {
    return { claimed: true, value: await write() }
  } catch (error) {
    await store.delete(key).catch(() => undefined)
    throw error
  }
}

/**
 * What is stored under each name's key, by name, for the names that have something (one read for all of them).
 * @example const runs = await readByName<JobExecutionRecord>(store, ['poll', 'notify'], (job) => `job:last-run:${job}`)
 */
export async function readByName<T>(
  store: Pick<Store, 'getMany'>,
  names: readonly string[],
  keyOf: (name: string) => string
): Promise<Record<string, T>> {
  const found = await store.getMany<T>(names.map(keyOf))
  const out: Record<string, T> = {}
  for (const [i, name] of names.entries()) {
    const value = found[i]
    if (value !== null && value !== undefined) out[name] = value
  }
  return out
}

/** An in-memory store: tests, and runs that need nothing kept. */
export function createMemoryStore(
  options: { now?: () => number; onError?: (operation: string, error: unknown) => void } = {}
): Store {
  return createLocalStore({ name: 'memory', location: 'memory', ...options })
}
