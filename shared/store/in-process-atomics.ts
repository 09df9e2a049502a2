/** @module The store's atomics without compare-and-set in the backend: an in-process key mutex over an unstorage driver, and KV's best effort. */
import type { Storage } from 'unstorage'
import { type StoreAtomics, windowMember } from './atomics.ts'
import { type Envelope, unwrap, wrap } from './envelope.ts'

export type InProcessAtomicsOptions = {
  /** Hand each entry's remaining TTL to the driver, for drivers that expire entries themselves (KV). */
  passTtl?: boolean
}

/**
 * Atomic within this process only (an unstorage driver without compare-and-set); several replicas need Redis.
 */
export function createInProcessAtomics(
  storage: Storage,
  now: () => number,
  { passTtl = false }: InProcessAtomicsOptions = {}
): StoreAtomics {
  const exclusive = _keyMutex()
  // The envelope keeps the exact expiry; the driver's own TTL only lets the backend reclaim the entry.
  const put = (key: string, envelope: Envelope) =>
    storage.setItem(key, envelope, passTtl ? _ttlOptions(envelope, now()) : undefined)
  // A text has no envelope: the driver's own TTL is its only expiry (a store without one keeps it until removed).
  const putText = (key: string, text: string, ttlSeconds: number | undefined) =>
    storage.setItemRaw(key, text, passTtl && ttlSeconds ? { ttl: ttlSeconds } : undefined)
  const current = async (key: string) => {
    const raw = await storage.getItem(key)
    const { value, expired } = unwrap(raw, now())
    return { raw, live: value !== null && !expired }
  }
  const atomics: StoreAtomics = {
    setIfAbsent: (key, value, ttlSeconds) =>
      exclusive(key, async () => {
        if ((await current(key)).live) return null
        const envelope = wrap(value, ttlSeconds, now())
        await put(key, envelope)
        return JSON.stringify(envelope)
      }),
    deleteIfEquals: (key, marker) =>
      exclusive(key, async () => {
        const { raw, live } = await current(key)
        if (!live || JSON.stringify(raw) !== marker) return false
        await storage.removeItem(key)
        return true
      }),
    replaceIfEquals: (key, marker, value, ttlSeconds) =>
      exclusive(key, async () => {
        const { raw, live } = await current(key)
        if (!live || JSON.stringify(raw) !== marker) return null
        const envelope = wrap(value, ttlSeconds, now())
        await put(key, envelope)
        return JSON.stringify(envelope)
      }),
    increment: (key, ttlSeconds, by) =>
      exclusive(key, async () => {
        const { raw, live } = await current(key)
        const previous = live ? Number((raw as { $v: unknown }).$v) : 0
        const next = (Number.isFinite(previous) ? previous : 0) + by
        const envelope = live
          ? { $v: next, $e: (raw as { $e: number | null }).$e }
          : wrap(next, ttlSeconds, now())
        await put(key, envelope)
        return next
      }),
    sortedAdd: (key, member, score, { onlyIfAbsent, ttlSeconds }) =>
      exclusive(key, async () => {
        const members = await readSorted(key)
        const isNew = !(member in members)
        if (!isNew && onlyIfAbsent) return false
        members[member] = score
        const envelope =
          ttlSeconds === null
            ? { $v: members, $e: await expiryOf(key) }
            : wrap(members, ttlSeconds, now())
        await put(key, envelope)
        return isNew
      }),
    sortedRemove: (key, member) =>
      exclusive(key, async () => {
        const members = await readSorted(key)
        if (!(member in members)) return false
        delete members[member]
        if (Object.keys(members).length === 0) await storage.removeItem(key)
        else await put(key, { $v: members, $e: await expiryOf(key) })
        return true
      }),
    sortedRange: async (key, maxScore, limit) =>
      Object.entries(await readSorted(key))
        .filter(([, score]) => score <= maxScore)
        .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1))
        .slice(0, limit)
        .map(([member, score]) => ({ member, score })),
    sortedScore: async (key, member) => (await readSorted(key))[member] ?? null,
    sortedSize: async (key) => Object.keys(await readSorted(key)).length,
    windowTake: (key, { nowMs, windowMs, ceiling }) =>
      exclusive(key, async () => {
        const live = Object.entries(await readSorted(key)).filter(
          ([, score]) => score > nowMs - windowMs
        )
        if (live.length >= ceiling) {
          const oldest = Math.min(...live.map(([, score]) => score))
          return {
            taken: false,
            count: live.length,
            waitMs: Math.max(0, oldest + windowMs - nowMs),
          }
        }
        const members = Object.assign(Object.create(null), Object.fromEntries(live))
        members[windowMember(nowMs)] = nowMs
        await put(key, wrap(members, Math.ceil(windowMs / 1000), now()))
        return { taken: true, count: live.length + 1, waitMs: 0 }
      }),
    // No step over several keys here: the item first, then the claim (a crash in between leaves a copy that a
    // replay processes), and the item taken back when a twin had the claim.
    async claimAndEnqueue(claim, item) {
      await atomics.sortedAdd(item.sortedSet, item.member, item.score, {
        onlyIfAbsent: false,
        ttlSeconds: null,
      })
      if (item.text === undefined) await put(item.key, wrap(item.value, item.ttlSeconds, now()))
      else await putText(item.key, item.text, item.ttlSeconds)
      if ((await atomics.setIfAbsent(claim.key, true, claim.ttlSeconds)) !== null) return true
      await storage.removeItem(item.key)
      await atomics.sortedRemove(item.sortedSet, item.member)
      return false
    },
    // No step over several keys here either: the item first, then its entry (what StoreQueue.remove did).
    async dequeue(item) {
      await storage.removeItem(item.key)
      await atomics.sortedRemove(item.sortedSet, item.member)
    },
  }
  return atomics

  /** One entry holds the whole index: fine for the bridge's queues (hundreds of members, not millions). */
  async function readSorted(key: string): Promise<Record<string, number>> {
    const { raw, live } = await current(key)
    if (!live) return Object.create(null)
    return Object.assign(Object.create(null), (raw as Envelope).$v as Record<string, number>)
  }
  async function expiryOf(key: string): Promise<number | null> {
    return ((await storage.getItem(key)) as Envelope | null)?.$e ?? null
  }
}

/**
 * Cloudflare KV, best effort. KV has no compare-and-set, is eventually consistent (a write can take up to
 * 60 s to be seen in other locations) and accepts one write per second per key. Claims are therefore a
 * read-then-write: exact within one isolate (the key mutex), best effort across isolates and locations.
 * Entries get KV's own expiry too (at least 60 s, the KV minimum; the envelope keeps the exact one).
 * The store keeps locks and counters in the isolate on KV (see createStore). Exact dedupe across isolates
 * needs the Redis-over-HTTP store (docs/workers.md).
 */
export function createKvAtomics(storage: Storage, now: () => number): StoreAtomics {
  return createInProcessAtomics(storage, now, { passTtl: true })
}

// --- Internal helpers ---

/** What is left of an envelope's TTL, in whole seconds (≥ 1); drivers raise it to their minimum (KV: 60 s). */
function _ttlOptions(envelope: Envelope, nowMs: number): { ttl: number } | undefined {
  if (envelope.$e === null) return undefined
  return { ttl: Math.max(1, Math.ceil((envelope.$e - nowMs) / 1000)) }
}

/** Runs callbacks for the same key one after another. */
function _keyMutex() {
  const tails = new Map<string, Promise<unknown>>()
  return function exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve()
    const run = previous.then(fn, fn)
    const tail = run.catch(() => undefined)
    tails.set(key, tail)
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return run
  }
}
