/**
 * @module Work on one key (a task) one call at a time, without polling: calls in this process queue behind each
 * other on a promise chain; the store lock only keeps other replicas out, so it is taken only on a store that
 * several processes share (Redis). Replaces the 25 ms sleep-and-retry loops (issue 14).
 */
import type { Store } from './store.ts'

export type KeyedLockOptions = {
  store: Store
  /** The store lock's expiry: longest one call may hold the key if its process dies. */
  ttlSeconds: number
  /** Longest a call waits for another replica to let the key go, then it fails. */
  waitMs: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export type KeyedLock = {
  /** Run `fn` holding `key`: after the calls queued before it in this process, and alone across replicas. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>
}

/** Calls queued in this process, per store: every part built on the same store shares the same order. */
const chainsByStore = new WeakMap<Store, Map<string, Promise<unknown>>>()
/** Backoff while another replica holds a key (only then: never within one process). */
const REPLICA_BACKOFF_MS = [10, 25, 50, 100, 200] as const

export function createKeyedLock({
  store,
  ttlSeconds,
  waitMs,
  now = Date.now,
  sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
}: KeyedLockOptions): KeyedLock {
  const chains = chainsByStore.get(store) ?? new Map<string, Promise<unknown>>()
  chainsByStore.set(store, chains)
  // fs and memory serve one process; KV keeps locks in the isolate: the chain is the whole lock there.
  const shared = store.driver === 'redis' || store.driver === 'redis-http'

  const holdAcrossReplicas = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    if (!shared) return fn()
    const deadline = now() + waitMs
    for (let attempt = 0; ; attempt++) {
      const lock = await store.lock(key, ttlSeconds)
      if (lock) {
        try {
          return await fn()
        } finally {
          await lock.release().catch(() => false)
        }
      }
      if (now() > deadline) throw new Error(`${key} is held by another replica`)
      await sleep(REPLICA_BACKOFF_MS[Math.min(attempt, REPLICA_BACKOFF_MS.length - 1)] as number)
    }
  }

  return {
    run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const previous = chains.get(key) ?? Promise.resolve()
      const result = previous.then(
        () => holdAcrossReplicas(key, fn),
        () => holdAcrossReplicas(key, fn)
      )
      const tail = result.catch(() => undefined)
      chains.set(key, tail)
      void tail.then(() => {
        if (chains.get(key) === tail) chains.delete(key)
      })
      return result
    },
  }
}
