/** @module Read-through cache in the store with a TTL, and one load at a time per key in this process. */
import { errorMessage } from '../observe/errors.ts'
import type { Logger } from '../observe/log.ts'
import type { Store } from '../store/store.ts'

export type StoreCache = {
  <T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T>
  /**
   * Load the key again and keep the result, unless a load of it is under way; what is cached stays until then (a
   * failed load is logged, and leaves it). For a value served while its successor is made.
   */
  renew<T>(key: string, ttlSeconds: number, load: () => Promise<T>): void
}

/**
 * Values are wrapped (`{ v }`) so that a cached `null` (no current cycle) is a hit. A store that fails is
 * skipped, not fatal: the answer then costs Plane requests, it is not lost.
 * @example const projects = await cached('cache:plane:projects', 600, () => plane.projects.list())
 */
export function createStoreCache({ store, log }: { store: Store; log: Logger }): StoreCache {
  const inflight = new Map<string, Promise<unknown>>()
  const loadAndKeep = <T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> => {
    const pending = inflight.get(key) as Promise<T> | undefined
    if (pending) return pending
    const loading = load()
      .then(async (value) => {
        await store.set(key, { v: value }, { ttlSeconds }).catch((error: unknown) =>
          log.warn('cache write failed', {
            key,
            error: errorMessage(error),
          })
        )
        return value
      })
      .finally(() => inflight.delete(key))
    inflight.set(key, loading)
    return loading
  }
  const cached = async <T>(key: string, ttlSeconds: number, load: () => Promise<T>) => {
    const hit = await store.get<{ v: T }>(key).catch(() => null)
    if (hit && typeof hit === 'object' && 'v' in hit) return hit.v
    return loadAndKeep(key, ttlSeconds, load)
  }
  return Object.assign(cached, {
    renew<T>(key: string, ttlSeconds: number, load: () => Promise<T>) {
      if (inflight.has(key)) return
      loadAndKeep(key, ttlSeconds, load).catch((error: unknown) =>
        log.warn('cache renewal failed; the cached value is used meanwhile', {
          key,
          error: errorMessage(error),
        })
      )
    },
  })
}
