/** @module Builds the store the Workers runtime uses: the `STORE` KV binding (best effort), or Redis over HTTP (exact). */
import kvBindingDriver from 'unstorage/drivers/cloudflare-kv-binding'
import memoryDriver from 'unstorage/drivers/memory'
import type { Config } from '../shared/core/config.ts'
import { createRedisHttpClient, redisHttpDriver } from '../shared/store/redis-http.ts'
import { createStore, type Store } from '../shared/store/store.ts'

/** The part of a KV namespace binding the unstorage driver uses. */
export type KvNamespaceLike = {
  get(key: string): Promise<string | null>
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>
  delete(key: string): Promise<void>
  list(options?: { prefix?: string; cursor?: string }): Promise<unknown>
}

export type WorkerStoreOptions = {
  /** The KV namespace bound as `STORE` in wrangler.jsonc; absent when the binding is missing. */
  kv: KvNamespaceLike | undefined
  onError?: (operation: string, error: unknown) => void
}

/**
 * `STORE_DRIVER=auto`: Redis over HTTP when REDIS_REST_URL is set, else KV. `redis` insists on Redis over
 * HTTP (a start error without it, as on Node). `memory` lives as long as the isolate. `fs` cannot work here.
 */
export function createWorkerStore(config: Config, { kv, onError }: WorkerStoreOptions): Store {
  const driver = config.STORE_DRIVER
  // unstorage's memory driver, which KV's isolate-local locks load anyway: the local store (what Node's
  // createMemoryStore is) would add ~2 KiB gzip to the bundle for a store that lives as long as the isolate.
  if (driver === 'memory') {
    return createStore({ driver: memoryDriver(), name: 'memory', location: 'isolate', onError })
  }
  if (driver === 'fs') throw new Error('STORE_DRIVER=fs: Workers have no file system (use auto)')
  if (config.REDIS_REST_URL) {
    if (!config.REDIS_REST_TOKEN) throw new Error('REDIS_REST_URL needs REDIS_REST_TOKEN')
    const client = createRedisHttpClient({
      url: config.REDIS_REST_URL,
      token: config.REDIS_REST_TOKEN,
    })
    return createStore({
      driver: redisHttpDriver({ client, base: config.REDIS_KEY_PREFIX }),
      name: 'redis-http',
      location: new URL(config.REDIS_REST_URL).origin,
      redis: client,
      redisPrefix: config.REDIS_KEY_PREFIX,
      onError,
    })
  }
  if (driver === 'redis') throw new Error('STORE_DRIVER=redis on Workers needs REDIS_REST_URL')
  if (!kv) throw new Error('no KV namespace bound as STORE (wrangler.jsonc kv_namespaces)')
  return createStore({
    // KV's minimum TTL is 60 s: the driver raises shorter ones, the envelope keeps the exact expiry.
    driver: kvBindingDriver({ binding: kv, base: config.REDIS_KEY_PREFIX }),
    name: 'cloudflare-kv',
    location: `kv:STORE/${config.REDIS_KEY_PREFIX}`,
    atomics: 'kv',
    onError,
  })
}
