/**
 * @module Work on one key (a task) one call at a time, without polling: calls in this process queue behind each
 * other on a promise chain; the store lock only keeps other replicas out, so it is taken only on a store that
 * several processes share (Redis), and passed from one queued call to the next for up to a second. Replaces
 * the 25 ms sleep-and-retry loops.
 *
 * With `linger`, the store lock is also kept after the last queued call, until that second is over: a task seen
 * again within it (Plane sends one delivery per changed field; a busy task, one every few ms under load) costs no
 * lock and no release, and what the calls read and wrote under it can be kept in the lock's memo, since no other
 * process can write those keys meanwhile.
 *
 * On Redis (the Node runtime's driver: its timers fire between requests) the store lock is a lease: a few seconds,
 * renewed while a call runs, which is all a key stays held after its process dies (a crash, a kill), however long
 * calls take. Redis over HTTP (a Workers isolate, dropped with its timers) keeps `ttlSeconds`.
 */
import { LOCK_LEASE, type LockLease } from './lease.ts'
import type { Store, StoreLock } from './types.ts'

export { LOCK_LEASE, type LockLease }

export type KeyedLocksOptions = {
  store: Store
}

/**
 * The keyed locks on one store, built once with it by the composition root (runtime/parts.ts): every lock it
 * makes shares one order per key and one set of store locks kept between calls, which the process releases when
 * it stops. On a store whose locks live in the process (memory, files, KV) the table's order is the whole lock:
 * every runtime of a process on such a store object must use one table (runtime/parts.ts `PartsOptions.locks`).
 */
export type KeyedLocks = {
  /** A lock on the table's keys, with its own expiry, wait and renewals. */
  lock(options: KeyedLockOptions): KeyedLock
  /**
   * Release every store lock the table's locks keep between calls (lingering or handed over), for a process that
   * is about to stop: another replica then has the keys at once instead of after their TTL. Returns how many.
   */
  releaseHeld(): Promise<number>
}

export type KeyedLockOptions = {
  /**
   * The store lock's expiry when it is not a lease: how long the key stays held after its process dies, and the
   * longest one call may run before another replica may take the key.
   */
  ttlSeconds: number
  /** Longest a call waits for another replica to let the key go, then it fails. */
  waitMs: number
  /**
   * Keep the store lock after the last queued call until its handover window closes (a timer releases it), and
   * with it the memo. Only for a long-lived process that releases what it holds when it stops
   * (`KeyedLocks.releaseHeld`): a lock left behind by a crash holds its key until its TTL.
   */
  linger?: boolean
  /**
   * The lease: its length, and how long a call runs before its lock is renewed, and as often after (a timer per
   * keyed lock, running while calls do). Default: `LOCK_LEASE` on Redis, none elsewhere.
   */
  lease?: LockLease | null
  /**
   * A renewal found the lock gone (the process stalled past `ttlSeconds`, or the key was deleted): another replica
   * may have written the key's data meanwhile. The call goes on; its memo is emptied and its lock not kept.
   */
  onLost?: (key: string) => void
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

/**
 * What the calls on one key remember while this process holds that key's store lock without a break (store keys
 * to the values last read or written under it). A call that fails clears it; a new lock starts with an empty one;
 * a store whose chain is the whole lock gives every call an empty one. Values are shared: never mutate them.
 */
export type LockMemo = Map<string, unknown>

export type KeyedLock = {
  /**
   * Run `fn` holding `key`: after the calls queued before it in this process, and alone across replicas. Throws
   * `KeyLockedError` when another replica still holds the key after `waitMs` (the lock's, or this call's: 0 tries
   * once, for a caller with other work to do meanwhile).
   */
  run<T>(key: string, fn: (memo: LockMemo) => Promise<T>, options?: { waitMs?: number }): Promise<T>
}

/** Another replica (or a process that died holding it, until its TTL) has the key. */
export class KeyLockedError extends Error {
  override name = 'KeyLockedError'
  constructor(readonly key: string) {
    super(`${key} is held by another replica`)
  }
}

/** Per table, so that every part given the same table shares the same order and the same held locks. */
type KeyState = {
  /** The tail of each key's queue of calls in this process. */
  chains: Map<string, Promise<unknown>>
  /** Calls queued or running per key. */
  queued: Map<string, number>
  /** A store lock the last call left to the next one queued behind it. */
  held: Map<string, HeldLock>
}
/** A store lock and when it was taken (the handover keeps it only while it is fresh). */
type HeldLock = {
  key: string
  lock: StoreLock
  takenAt: number
  /** When the lock was taken or last renewed. */
  renewedAt: number
  /** A renewal found it gone. */
  lost: boolean
  /** The renewal in flight: one at a time, and the handover waits for it to know whether the lock was lost. */
  renewing?: Promise<void>
  memo: LockMemo
  /** Releases a lingering lock when its window closes. */
  timer?: ReturnType<typeof setTimeout>
}
/** Backoff while another replica holds a key (only then: never within one process). */
const REPLICA_BACKOFF_MS = [10, 25, 50, 100, 200] as const
/**
 * How long a store lock may pass from one queued call to the next before it is released and taken again: a
 * burst on one task costs one lock and one release instead of two commands per call, and another replica
 * waits at most this long (plus one call) for its turn, well inside its `waitMs`.
 */
const HANDOVER_MS = 1_000

export function createKeyedLocks({ store }: KeyedLocksOptions): KeyedLocks {
  const shared: KeyState = { chains: new Map(), queued: new Map(), held: new Map() }
  return {
    lock: (options) => _createKeyedLock(store, shared, options),
    async releaseHeld() {
      const locks = [...shared.held.values()]
      shared.held.clear()
      for (const held of locks) clearTimeout(held.timer)
      await Promise.all(locks.map((held) => held.lock.release().catch(() => false)))
      return locks.length
    },
  }
}

function _createKeyedLock(
  store: Store,
  { chains, queued, held }: KeyState,
  {
    ttlSeconds,
    waitMs,
    linger = false,
    lease = store.driver === 'redis' ? LOCK_LEASE : null,
    onLost,
    now = Date.now,
    sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
  }: KeyedLockOptions
): KeyedLock {
  // Memory serves one process, and fs claims between processes are best effort; KV keeps locks in the isolate.
  // In all three the chain is the whole lock.
  const shared = store.driver === 'redis' || store.driver === 'redis-http'
  const lockSeconds = lease ? lease.seconds : ttlSeconds
  // Store locks whose call is running, renewed by one timer while there are any.
  const running = new Set<HeldLock>()
  let renewer: ReturnType<typeof setInterval> | null = null

  const renewDue = () => {
    const at = now()
    for (const mine of running) {
      if (mine.lost || mine.renewing || at - mine.renewedAt < (lease?.renewMs ?? 0)) continue
      mine.renewedAt = at
      mine.renewing = mine.lock.extend(lockSeconds).then(
        (kept) => {
          mine.renewing = undefined
          if (kept || mine.lost) return
          mine.lost = true
          onLost?.(mine.key)
        },
        // The store did not answer: the next tick tries again, and the lease tells if it lapsed meanwhile.
        () => {
          mine.renewing = undefined
        }
      )
    }
    if (running.size === 0 && renewer) {
      clearInterval(renewer)
      renewer = null
    }
  }
  const track = (mine: HeldLock) => {
    if (!lease) return
    running.add(mine)
    if (renewer) return
    renewer = setInterval(renewDue, lease.renewMs)
    // Never what keeps a process alive.
    ;(renewer as { unref?: () => void }).unref?.()
  }

  const acquire = async (key: string, wait: number): Promise<HeldLock> => {
    const left = held.get(key)
    held.delete(key)
    if (left) {
      clearTimeout(left.timer)
      if (!left.lost && now() - left.takenAt < HANDOVER_MS) return left
      await left.lock.release().catch(() => false)
    }
    const deadline = now() + wait
    for (let attempt = 0; ; attempt++) {
      const lock = await store.lock(key, lockSeconds)
      if (lock) {
        const at = now()
        return { key, lock, takenAt: at, renewedAt: at, lost: false, memo: new Map() }
      }
      if (now() >= deadline) throw new KeyLockedError(key)
      await sleep(REPLICA_BACKOFF_MS[Math.min(attempt, REPLICA_BACKOFF_MS.length - 1)] as number)
    }
  }

  /** Kept while still fresh for the next call queued on the key, or with `linger` until the window closes. */
  const handOver = async (key: string, mine: HeldLock): Promise<void> => {
    // A renewal sent while the call ran answers first: it may have found the lock gone.
    if (mine.renewing) await mine.renewing
    // A lost lock's memo may be stale: nothing of it is kept.
    if (mine.lost) mine.memo.clear()
    const left = mine.lost ? 0 : HANDOVER_MS - (now() - mine.takenAt)
    if (left > 0 && (queued.get(key) ?? 0) > 1) held.set(key, mine)
    else if (left > 0 && linger) {
      held.set(key, mine)
      mine.timer = setTimeout(() => {
        if (held.get(key) !== mine) return
        held.delete(key)
        void mine.lock.release().catch(() => false)
      }, left)
      // Never what keeps a process alive; a process that stops releases it first (`releaseHeld`).
      ;(mine.timer as { unref?: () => void }).unref?.()
    } else await mine.lock.release().catch(() => false)
  }

  const holdAcrossReplicas = async <T>(
    key: string,
    fn: (memo: LockMemo) => Promise<T>,
    wait: number
  ): Promise<T> => {
    try {
      if (!shared) return await fn(new Map())
      const mine = await acquire(key, wait)
      track(mine)
      try {
        return await fn(mine.memo)
      } catch (error) {
        // What a failed call left in the store is unknown: read it again.
        mine.memo.clear()
        throw error
      } finally {
        running.delete(mine)
        await handOver(key, mine)
      }
    } finally {
      const left = (queued.get(key) ?? 1) - 1
      if (left > 0) queued.set(key, left)
      else queued.delete(key)
    }
  }

  return {
    run<T>(
      key: string,
      fn: (memo: LockMemo) => Promise<T>,
      options: { waitMs?: number } = {}
    ): Promise<T> {
      const wait = options.waitMs ?? waitMs
      queued.set(key, (queued.get(key) ?? 0) + 1)
      const previous = chains.get(key) ?? Promise.resolve()
      const result = previous.then(
        () => holdAcrossReplicas(key, fn, wait),
        () => holdAcrossReplicas(key, fn, wait)
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
