/**
 * @module The Redis store: the Store contract in native Redis commands over one ioredis connection, without
 * unstorage in between. Keys and values are those the unstorage Redis driver wrote (`<prefix>:<key>`, JSON
 * envelopes), so data written before this driver existed is read as it was.
 *
 * Why not unstorage here: on the webhook path every delivery costs a dozen store operations, and unstorage's
 * key normalisation, mount lookup and `destr` parsing around each ioredis call took ~18 % of the server's CPU
 * under load (profiled). Sorted sets go out as ZADD/ZRANGEBYSCORE, not EVAL of a script text.
 */
import { hexOf } from '../hash.ts'
import { windowMember } from './atomics.ts'
import {
  assertDequeued,
  assertIncrement,
  assertKey,
  assertQueuedClaim,
  assertScore,
  assertTtl,
  assertWindow,
  escapeGlob,
  inCallOrder,
  reportingErrors,
  unwrap,
  wrap,
} from './envelope.ts'
import {
  CLAIM_AND_ENQUEUE,
  claimAndEnqueueArgs,
  DELETE_IF_EQUALS,
  DEQUEUE,
  INCREMENT,
  INDEX_ADD,
  parseWindowTake,
  REPLACE_IF_EQUALS,
  WINDOW_TAKE,
} from './redis-scripts.ts'
import type { IndexEntry, Store, StoreLock } from './types.ts'
import { asStoreUnavailable } from './unavailable.ts'

/**
 * The part of an ioredis client this store uses (structural, so `shared/` imports no Node-only package). Built
 * with `enableAutoPipelining`: commands issued in the same tick leave in one write.
 */
export type RedisClient = {
  /** One command: `call('SET', key, value, 'EX', 60)`. */
  call(command: string, ...args: Array<string | number>): Promise<unknown>
  quit(): Promise<unknown>
}

export type RedisStoreOptions = {
  client: RedisClient
  /** Key prefix (`REDIS_KEY_PREFIX`): every key is `<prefix>:<key>`. */
  prefix: string
  /** For /ready and logs, without credentials. */
  location: string
  onError?: (operation: string, error: unknown) => void
  now?: () => number
  /** SHA-1 of a script's text, to run it with EVALSHA (WebCrypto's digest; injected in tests). */
  sha1?: (text: string) => Promise<string>
  /** The setting a failure to answer names (StoreUnavailableError). */
  setting?: string
  /**
   * Why a command found no Redis, in better words than the client's own ("Reached the max retries per request
   * limit"): the Node store gives the connection's last error (`connect ECONNREFUSED …`).
   */
  whyUnavailable?: (error: unknown) => string
}

const SCAN_COUNT = 1000

/**
 * @example createRedisStore({ client: new Redis(url, { enableAutoPipelining: true }), prefix: 'plane', location })
 */
export function createRedisStore({
  client,
  prefix,
  location,
  onError,
  now = Date.now,
  sha1 = _sha1Hex,
  setting = 'REDIS_URL',
  whyUnavailable,
}: RedisStoreOptions): Store {
  const base = prefix.replace(/:+$/, '')
  const k = (key: string) => `${base}:${key}`
  const script = _scripts(client, sha1)

  const report = reportingErrors(onError)
  // A connection that does not answer is one typed error naming the setting (unavailable.ts); counted as it came.
  const guard = <T>(operation: string, fn: () => Promise<T>): Promise<T> =>
    report(operation, fn).catch((error: unknown) => {
      throw asStoreUnavailable(error, setting, location, whyUnavailable) ?? error
    })
  const read = async (key: string): Promise<unknown> => {
    assertKey(key)
    return unwrap(_parse((await client.call('GET', k(key))) as string | null), now()).value
  }
  const setIfAbsent = async (key: string, value: unknown, ttlSeconds: number) => {
    const marker = JSON.stringify(wrap(value, ttlSeconds, now()))
    return (await client.call('SET', k(key), marker, 'EX', ttlSeconds, 'NX')) === 'OK'
      ? marker
      : null
  }

  return {
    driver: 'redis',
    location,
    get: <T>(key: string) => guard('get', async () => (await read(key)) as T | null),
    getMany: <T>(keys: readonly string[]) =>
      guard('getMany', async () => {
        if (keys.length === 0) return []
        for (const key of keys) assertKey(key)
        const texts = (await client.call('MGET', ...keys.map(k))) as Array<string | null>
        const at = now()
        return texts.map((text) => unwrap(_parse(text), at).value as T | null)
      }),
    set: (key, value, options) =>
      guard('set', async () => {
        assertKey(key)
        const ttl = options?.ttlSeconds
        if (ttl !== undefined) assertTtl(ttl)
        const text = JSON.stringify(wrap(value, ttl, now()))
        if (ttl) await client.call('SET', k(key), text, 'EX', ttl)
        else await client.call('SET', k(key), text)
      }),
    getText: (key) =>
      guard('get-text', async () => {
        assertKey(key)
        return ((await client.call('GET', k(key))) as string | null) ?? null
      }),
    has: (key) => guard('has', async () => (await read(key)) !== null),
    delete: (key) =>
      guard('delete', async () => {
        assertKey(key)
        await client.call('DEL', k(key))
      }),
    keys: (keyPrefix = '') =>
      guard('keys', async () => {
        const pattern = `${escapeGlob(k(keyPrefix))}*`
        const found = new Set<string>()
        let cursor = '0'
        do {
          const [next, batch] = (await client.call(
            'SCAN',
            cursor,
            'MATCH',
            pattern,
            'COUNT',
            SCAN_COUNT
          )) as [string, string[]]
          for (const key of batch) found.add(key.slice(base.length + 1))
          cursor = next
        } while (cursor !== '0')
        return [...found].sort()
      }),
    claim: (key, ttlSeconds, value = true) =>
      guard('claim', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        return (await setIfAbsent(key, value, ttlSeconds)) !== null
      }),
    claimAndEnqueue: (claim, item) =>
      guard('claim-enqueue', async () => {
        assertQueuedClaim(claim, item)
        const keys = [k(claim.key), k(item.index), k(item.key)]
        const args = claimAndEnqueueArgs(claim, item, now())
        return Number(await script(CLAIM_AND_ENQUEUE, keys, args)) === 1
      }),
    dequeue: (item) =>
      guard('dequeue', async () => {
        assertDequeued(item)
        await script(DEQUEUE, [k(item.key), k(item.index)], [item.member])
      }),
    lock: (key, ttlSeconds) =>
      guard('lock', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        const token = crypto.randomUUID()
        let held = await setIfAbsent(key, token, ttlSeconds)
        if (held === null) return null
        const queue = inCallOrder()
        const lock: StoreLock = {
          key,
          release: () =>
            queue(() =>
              guard('unlock', async () => {
                const current = held
                held = null
                if (current === null) return false
                return Number(await script(DELETE_IF_EQUALS, [k(key)], [current])) === 1
              })
            ),
          extend: (ttl: number) =>
            queue(() =>
              guard('lock-extend', async () => {
                assertTtl(ttl)
                if (held === null) return false
                const next = JSON.stringify(wrap(token, ttl, now()))
                const ok =
                  Number(await script(REPLACE_IF_EQUALS, [k(key)], [held, next, ttl])) === 1
                held = ok ? next : null
                return ok
              })
            ),
        }
        return lock
      }),
    increment: (key, ttlSeconds, by = 1) =>
      guard('increment', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        assertIncrement(by)
        return Number(await script(INCREMENT, [k(key)], [ttlSeconds, by]))
      }),
    indexAdd: (key, member, score, { onlyIfAbsent = false, ttlSeconds } = {}) =>
      guard('index-add', async () => {
        assertKey(key)
        assertScore(score)
        if (ttlSeconds !== undefined) {
          // Member and expiry in one step: the shared script (atomics.ts) sets the TTL when one is given.
          assertTtl(ttlSeconds)
          const flag = onlyIfAbsent ? '1' : '0'
          const added = await script(INDEX_ADD, [k(key)], [member, score, flag, ttlSeconds])
          return Number(added) === 1
        }
        const added = onlyIfAbsent
          ? await client.call('ZADD', k(key), 'NX', score, member)
          : await client.call('ZADD', k(key), score, member)
        return Number(added) === 1
      }),
    indexRemove: (key, member) =>
      guard('index-remove', async () => {
        assertKey(key)
        return Number(await client.call('ZREM', k(key), member)) === 1
      }),
    indexRange: (key, { maxScore = Number.POSITIVE_INFINITY, limit = 1_000 } = {}) =>
      guard('index-range', async () => {
        assertKey(key)
        const max = maxScore === Number.POSITIVE_INFINITY ? '+inf' : maxScore
        const flat = (await client.call(
          'ZRANGEBYSCORE',
          k(key),
          '-inf',
          max,
          'WITHSCORES',
          'LIMIT',
          0,
          limit
        )) as string[]
        const out: IndexEntry[] = []
        for (let i = 0; i + 1 < flat.length; i += 2)
          out.push({ member: String(flat[i]), score: Number(flat[i + 1]) })
        return out
      }),
    indexScore: (key, member) =>
      guard('index-score', async () => {
        assertKey(key)
        const score = (await client.call('ZSCORE', k(key), member)) as string | null
        return score === null ? null : Number(score)
      }),
    indexSize: (key) =>
      guard('index-size', async () => {
        assertKey(key)
        return Number(await client.call('ZCARD', k(key)))
      }),
    windowTake: (key, options) =>
      guard('window-take', async () => {
        assertKey(key)
        assertWindow(options)
        const { nowMs, windowMs, ceiling } = options
        const args = [nowMs, windowMs, ceiling, windowMember(nowMs)]
        return parseWindowTake(await script(WINDOW_TAKE, [k(key)], args))
      }),
    ping: () =>
      guard('ping', async () => {
        await client.call('PING')
      }),
    // Redis expires entries itself.
    sweep: async () => 0,
    dispose: async () => {
      await client.quit().catch(() => undefined)
    },
  }
}

// --- Internal helpers ---

/** Runs a script by its SHA-1 (EVALSHA), loading it with EVAL the first time a server does not know it. */
function _scripts(client: RedisClient, sha1: (text: string) => Promise<string>) {
  const shas = new Map<string, Promise<string>>()
  return async function runScript(
    text: string,
    keys: string[],
    args: Array<string | number>
  ): Promise<unknown> {
    let sha = shas.get(text)
    if (!sha) {
      sha = sha1(text)
      shas.set(text, sha)
    }
    try {
      return await client.call('EVALSHA', await sha, keys.length, ...keys, ...args)
    } catch (error) {
      // A restarted or flushed Redis forgot its script cache: EVAL loads it again.
      if (!String((error as Error)?.message ?? error).startsWith('NOSCRIPT')) throw error
      return client.call('EVAL', text, keys.length, ...keys, ...args)
    }
  }
}

async function _sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text))
  return hexOf(digest)
}

/** What unstorage stored: JSON text; anything else (a bare string) as it is. */
function _parse(text: string | null): unknown {
  if (text === null) return null
  try {
    return JSON.parse(text)
  } catch {
    // A value written as plain text (by hand, or an earlier version): read as it is.
    return text
  }
}
