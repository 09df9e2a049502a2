/**
 * @module Redis over HTTP (the Upstash REST protocol): a fetch-only client and unstorage driver, so runtimes
 * without TCP sockets (Cloudflare Workers) get the exact SET NX EX claims and Lua scripts of the Redis store.
 */
import type { Driver } from 'unstorage'
import type { RedisLike } from './atomics.ts'
import { escapeGlob } from './envelope.ts'

export type RedisHttpOptions = {
  /** REST endpoint, e.g. `https://eu1-xyz.upstash.io` (no trailing path). */
  url: string
  /** Bearer token of the endpoint. */
  token: string
  fetch?: typeof fetch
  /** A command that takes longer fails, so /ready and webhooks answer 503 instead of hanging. */
  timeoutMs?: number
}

export type RedisHttpClient = RedisLike & {
  /** One Redis command as the REST API takes it: `['SET', 'k', 'v', 'EX', 60, 'NX']`. */
  command(args: ReadonlyArray<string | number>): Promise<unknown>
}

/** Thrown for an error the endpoint reports, or a non-JSON answer; never carries the token or the URL. */
export class RedisHttpError extends Error {
  override name = 'RedisHttpError'
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message)
  }
}

const DEFAULT_TIMEOUT_MS = 3000
const SCAN_COUNT = 500

/**
 * @example const redis = createRedisHttpClient({ url: config.REDIS_REST_URL, token: config.REDIS_REST_TOKEN })
 */
export function createRedisHttpClient({
  url,
  token,
  fetch: fetchImpl,
  timeoutMs = DEFAULT_TIMEOUT_MS,
}: RedisHttpOptions): RedisHttpClient {
  const endpoint = url.replace(/\/+$/, '')
  const command = async function redisHttpCommand(args: ReadonlyArray<string | number>) {
    const doFetch = fetchImpl ?? globalThis.fetch
    const response = await doFetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(args.map(String)),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = (await response.json().catch(() => null)) as {
      result?: unknown
      error?: string
    } | null
    if (!body) throw new RedisHttpError(`Redis over HTTP: HTTP ${response.status}`, response.status)
    if (body.error !== undefined || !response.ok) {
      throw new RedisHttpError(
        `Redis over HTTP: ${String(args[0])} failed (HTTP ${response.status}): ${body.error ?? 'no result'}`,
        response.status
      )
    }
    return body.result ?? null
  }
  return {
    command,
    set: async (key, value, ...args) =>
      (await command(['SET', key, value, ...args])) as string | null,
    eval: (script, numKeys, ...args) => command(['EVAL', script, numKeys, ...args]),
    ping: async () => String(await command(['PING'])),
  }
}

/** unstorage driver over the client; keys live under `base:` like the ioredis driver's. */
export function redisHttpDriver({
  client,
  base,
}: {
  client: RedisHttpClient
  base: string
}): Driver<{ base: string }, RedisHttpClient> {
  const prefix = base.replace(/:+$/, '')
  const k = (key: string) => (key ? `${prefix}:${key}` : prefix)
  // unstorage hands getKeys/clear a base with a trailing `:` (`outbox:item:`).
  const pattern = (keyBase: string) => `${escapeGlob(k(keyBase.replace(/:+$/, '')))}:*`
  const scan = async (pattern: string) => {
    const keys: string[] = []
    let cursor = '0'
    do {
      const reply = (await client.command([
        'SCAN',
        cursor,
        'MATCH',
        pattern,
        'COUNT',
        SCAN_COUNT,
      ])) as [string, string[]]
      cursor = String(reply[0])
      keys.push(...reply[1])
    } while (cursor !== '0')
    return keys
  }
  return {
    name: 'redis-http',
    options: { base: prefix },
    getInstance: () => client,
    hasItem: async (key) => Number(await client.command(['EXISTS', k(key)])) === 1,
    getItem: async (key) => ((await client.command(['GET', k(key)])) as string | null) ?? null,
    setItem: async (key, value, opts) => {
      const ttl = (opts as { ttl?: number } | undefined)?.ttl
      await client.command(ttl ? ['SET', k(key), value, 'EX', ttl] : ['SET', k(key), value])
    },
    removeItem: async (key) => {
      await client.command(['DEL', k(key)])
    },
    getKeys: async (keyBase) => {
      const keys = await scan(pattern(keyBase))
      return keys.map((key) => key.slice(prefix.length + 1))
    },
    clear: async (keyBase) => {
      const keys = await scan(pattern(keyBase))
      if (keys.length > 0) await client.command(['DEL', ...keys])
    },
  }
}
