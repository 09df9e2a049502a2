/** @module Atomic store operations over unstorage drivers: Redis commands (SET NX EX, Lua), an in-process key mutex, or best effort over KV. */
import type { Storage } from 'unstorage'
import { type Envelope, unwrap, wrap } from './envelope.ts'
import type {
  DequeuedItem,
  IndexEntry,
  QueuedItem,
  WindowTake,
  WindowTakeOptions,
} from './types.ts'

export type { IndexEntry }

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
  indexAdd(
    key: string,
    member: string,
    score: number,
    options: { onlyIfAbsent: boolean; ttlSeconds: number | null }
  ): Promise<boolean>
  indexRemove(key: string, member: string): Promise<boolean>
  /** Members with score ≤ maxScore, lowest first, at most `limit`. */
  indexRange(key: string, maxScore: number, limit: number): Promise<IndexEntry[]>
  indexScore(key: string, member: string): Promise<number | null>
  indexSize(key: string): Promise<number>
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

// unstorage has no set-if-absent (style-anchors.md B2): these go to Redis directly, under the same prefix.
export const DELETE_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`
export const REPLACE_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 else return 0 end`
// EXPIRE … NX needs Redis 7; a script sets the window's TTL on creation on any version.
// ARGV: the TTL, then how much (the counter was created by this call when it equals that much).
export const INCREMENT = `local by = tonumber(ARGV[2] or '1') local n = redis.call('INCRBY', KEYS[1], by) if n == by then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n`
// Sorted sets through EVAL: the same call works over ioredis and the Redis-over-HTTP client.
export const INDEX_ADD = `local n if ARGV[3] == '1' then n = redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) else n = redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end if tonumber(ARGV[4]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end return n`
// The webhook's one write before its answer: a claim and, only when it is taken, a queue's item and its index entry.
// KEYS: claim, index, item. ARGV: the claim's text and TTL, the score and member, the item's text and TTL (0: none).
export const CLAIM_AND_ENQUEUE = `if not redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
if tonumber(ARGV[6]) > 0 then redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[6]) else redis.call('SET', KEYS[3], ARGV[5]) end
return 1`
const INDEX_REMOVE = `return redis.call('ZREM', KEYS[1], ARGV[1])`
// A queue's item and its index entry in one step (Store.dequeue). KEYS: item, index. ARGV: the member.
export const DEQUEUE = `redis.call('DEL', KEYS[1]) redis.call('ZREM', KEYS[2], ARGV[1]) return 1`
const INDEX_RANGE = `return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])`
const INDEX_SCORE = `return redis.call('ZSCORE', KEYS[1], ARGV[1])`
const INDEX_SIZE = `return redis.call('ZCARD', KEYS[1])`
// A sliding window in a sorted set (member: a unique start, score: its time): the old starts go, one is added
// while the window has room. ARGV: now, span (ms), ceiling, member. Returns {taken, count, wait (ms, as text)}.
export const WINDOW_TAKE = `local now = tonumber(ARGV[1]) local span = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local n = redis.call('ZCARD', KEYS[1])
if n < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], span)
  return {1, n + 1, '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, n, tostring(tonumber(oldest[2]) + span - now)}`

/** A start's member in a window: unique across processes, its time first for whoever reads the set by hand. */
export function windowMember(nowMs: number): string {
  return `${nowMs}:${crypto.randomUUID()}`
}

/** What the window script answered, typed. */
export function parseWindowTake(reply: unknown): WindowTake {
  const [taken, count, wait] = reply as [unknown, unknown, unknown]
  return { taken: Number(taken) === 1, count: Number(count), waitMs: Math.max(0, Number(wait)) }
}

export function createRedisAtomics(
  redis: RedisLike,
  prefix: string,
  now: () => number
): StoreAtomics {
  const k = (key: string) => `${prefix}:${key}`
  return {
    async setIfAbsent(key, value, ttlSeconds) {
      const marker = JSON.stringify(wrap(value, ttlSeconds, now()))
      return (await redis.set(k(key), marker, 'EX', ttlSeconds, 'NX')) === 'OK' ? marker : null
    },
    async deleteIfEquals(key, marker) {
      return Number(await redis.eval(DELETE_IF_EQUALS, 1, k(key), marker)) === 1
    },
    async replaceIfEquals(key, marker, value, ttlSeconds) {
      const next = JSON.stringify(wrap(value, ttlSeconds, now()))
      const ok =
        Number(await redis.eval(REPLACE_IF_EQUALS, 1, k(key), marker, next, ttlSeconds)) === 1
      return ok ? next : null
    },
    async increment(key, ttlSeconds, by) {
      return Number(await redis.eval(INCREMENT, 1, k(key), ttlSeconds, by))
    },
    async indexAdd(key, member, score, { onlyIfAbsent, ttlSeconds }) {
      const flag = onlyIfAbsent ? '1' : '0'
      const added = await redis.eval(INDEX_ADD, 1, k(key), member, score, flag, ttlSeconds ?? 0)
      return Number(added) === 1
    },
    async indexRemove(key, member) {
      return Number(await redis.eval(INDEX_REMOVE, 1, k(key), member)) === 1
    },
    async indexRange(key, maxScore, limit) {
      const max = maxScore === Number.POSITIVE_INFINITY ? '+inf' : maxScore
      const flat = (await redis.eval(INDEX_RANGE, 1, k(key), max, limit)) as unknown[]
      const out: IndexEntry[] = []
      for (let i = 0; i + 1 < flat.length; i += 2)
        out.push({ member: String(flat[i]), score: Number(flat[i + 1]) })
      return out
    },
    async indexScore(key, member) {
      const score = await redis.eval(INDEX_SCORE, 1, k(key), member)
      return score === null || score === undefined || score === false ? null : Number(score)
    },
    async indexSize(key) {
      return Number(await redis.eval(INDEX_SIZE, 1, k(key)))
    },
    async windowTake(key, { nowMs, windowMs, ceiling }) {
      const member = windowMember(nowMs)
      return parseWindowTake(
        await redis.eval(WINDOW_TAKE, 1, k(key), nowMs, windowMs, ceiling, member)
      )
    },
    async claimAndEnqueue(claim, item) {
      const args = claimAndEnqueueArgs(claim, item, now())
      const keys = [k(claim.key), k(item.index), k(item.key)]
      return Number(await redis.eval(CLAIM_AND_ENQUEUE, 3, ...keys, ...args)) === 1
    },
    async dequeue(item) {
      await redis.eval(DEQUEUE, 2, k(item.key), k(item.index), item.member)
    },
  }
}

/** CLAIM_AND_ENQUEUE's ARGV: a value in the envelope every other write of the store uses, a text as it is. */
export function claimAndEnqueueArgs(
  claim: { key: string; ttlSeconds: number },
  item: QueuedItem,
  nowMs: number
): Array<string | number> {
  return [
    JSON.stringify(wrap(true, claim.ttlSeconds, nowMs)),
    claim.ttlSeconds,
    item.score,
    item.member,
    item.text ?? JSON.stringify(wrap(item.value, item.ttlSeconds, nowMs)),
    item.ttlSeconds ?? 0,
  ]
}

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
    indexAdd: (key, member, score, { onlyIfAbsent, ttlSeconds }) =>
      exclusive(key, async () => {
        const members = await readIndex(key)
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
    indexRemove: (key, member) =>
      exclusive(key, async () => {
        const members = await readIndex(key)
        if (!(member in members)) return false
        delete members[member]
        if (Object.keys(members).length === 0) await storage.removeItem(key)
        else await put(key, { $v: members, $e: await expiryOf(key) })
        return true
      }),
    indexRange: async (key, maxScore, limit) =>
      Object.entries(await readIndex(key))
        .filter(([, score]) => score <= maxScore)
        .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1))
        .slice(0, limit)
        .map(([member, score]) => ({ member, score })),
    indexScore: async (key, member) => (await readIndex(key))[member] ?? null,
    indexSize: async (key) => Object.keys(await readIndex(key)).length,
    windowTake: (key, { nowMs, windowMs, ceiling }) =>
      exclusive(key, async () => {
        const live = Object.entries(await readIndex(key)).filter(
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
      await atomics.indexAdd(item.index, item.member, item.score, {
        onlyIfAbsent: false,
        ttlSeconds: null,
      })
      if (item.text === undefined) await put(item.key, wrap(item.value, item.ttlSeconds, now()))
      else await putText(item.key, item.text, item.ttlSeconds)
      if ((await atomics.setIfAbsent(claim.key, true, claim.ttlSeconds)) !== null) return true
      await storage.removeItem(item.key)
      await atomics.indexRemove(item.index, item.member)
      return false
    },
    // No step over several keys here either: the item first, then its entry (what StoreQueue.remove did).
    async dequeue(item) {
      await storage.removeItem(item.key)
      await atomics.indexRemove(item.index, item.member)
    },
  }
  return atomics

  /** One entry holds the whole index: fine for the bridge's queues (hundreds of members, not millions). */
  async function readIndex(key: string): Promise<Record<string, number>> {
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
