/** @module What the Redis store's operations share: the connection, the key prefix, the error guard, the scripts run by SHA-1. */
import { hexOf } from '../hash.ts'
import { assertKey, reportingErrors, unwrap, wrap } from './envelope.ts'
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

export type RedisContext = {
  client: RedisClient
  /** The key prefix without its trailing colons. */
  base: string
  k: (key: string) => string
  now: () => number
  guard: <T>(operation: string, fn: () => Promise<T>) => Promise<T>
  script: ReturnType<typeof _scripts>
  read: (key: string) => Promise<unknown>
  setIfAbsent: (key: string, value: unknown, ttlSeconds: number) => Promise<string | null>
}

export type RedisContextOptions = {
  client: RedisClient
  prefix: string
  location: string
  onError?: ((operation: string, error: unknown) => void) | undefined
  now: () => number
  sha1?: ((text: string) => Promise<string>) | undefined
  setting: string
  whyUnavailable?: ((error: unknown) => string) | undefined
}

/** The context the Redis store's operations are built on (redis.ts). */
export function createRedisContext({
  client,
  prefix,
  location,
  onError,
  now,
  sha1 = _sha1Hex,
  setting,
  whyUnavailable,
}: RedisContextOptions): RedisContext {
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
    return unwrap(parseStored((await client.call('GET', k(key))) as string | null), now()).value
  }
  const setIfAbsent = async (key: string, value: unknown, ttlSeconds: number) => {
    const marker = JSON.stringify(wrap(value, ttlSeconds, now()))
    return (await client.call('SET', k(key), marker, 'EX', ttlSeconds, 'NX')) === 'OK'
      ? marker
      : null
  }
  return { client, base, k, now, guard, script, read, setIfAbsent }
}

/** What unstorage stored: JSON text; anything else (a bare string) as it is. */
export function parseStored(text: string | null): unknown {
  if (text === null) return null
  try {
    return JSON.parse(text)
  } catch {
    // A value written as plain text (by hand, or an earlier version): read as it is.
    return text
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
