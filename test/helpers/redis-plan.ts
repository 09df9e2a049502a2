/** @module What `npm test` does for its Redis (issue 40), decided from what was found: use it, start one, or stop. */
import { delimiter, join } from 'node:path'

/** The Redis the tests use when REDIS_URL is unset: the machine's own. */
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379/0'

/** How a PING went: PONG, no Redis reached (connection refused, timed out), or a Redis that refused us (NOAUTH…). */
export type PingOutcome =
  | { kind: 'pong' }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'refused'; reply: string }

export type TestRedisPlan =
  | { action: 'use'; url: string }
  | { action: 'start'; wanted: string; redisServer: string }
  | { action: 'stop'; message: string }

export type PlanTestRedisOptions = {
  /** The URL REDIS_URL names (or the default), as described for people: no credentials. */
  described: string
  /** The URL itself, credentials included: what the tests connect to when it answers. */
  url: string
  ping: PingOutcome
  /** Where `redis-server` is on PATH, or null. */
  redisServer: string | null
}

/** The REDIS_URL the tests want: the environment's when set and not empty, else the default. */
export function wantedRedisUrl(env: Readonly<Record<string, string | undefined>>): string {
  return env.REDIS_URL || DEFAULT_TEST_REDIS_URL
}

/** Said when REDIS_URL cannot be a Redis (its value is not repeated: it may hold a password). */
export const NOT_A_REDIS_URL =
  'npm test needs Redis: REDIS_URL is not a redis:// or rediss:// URL; fix it, or unset it to use redis://127.0.0.1:6379/0'

/** `redis://host:port/db` without credentials, or null when `url` is no redis:// or rediss:// URL. */
export function describeTestRedisUrl(url: string): string | null {
  if (!URL.canParse(url)) return null
  const u = new URL(url)
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return null
  const db = u.pathname && u.pathname !== '/' ? u.pathname : '/0'
  return `${u.protocol}//${u.hostname}:${u.port || '6379'}${db}`
}

/**
 * A Redis that answers is used as it is (.ci/run's REDIS_URL wins); when none answers, a throwaway
 * `redis-server` is started if there is one; otherwise the run stops with one line saying how to get one.
 */
export function planTestRedis({
  described,
  url,
  ping,
  redisServer,
}: PlanTestRedisOptions): TestRedisPlan {
  if (ping.kind === 'pong') return { action: 'use', url }
  if (ping.kind === 'refused')
    return {
      action: 'stop',
      message: `npm test needs Redis: the one at ${described} refuses the tests ("${ping.reply}"); fix REDIS_URL`,
    }
  if (redisServer) return { action: 'start', wanted: described, redisServer }
  return {
    action: 'stop',
    message:
      `npm test needs Redis: none answers at ${described} (${ping.reason}) and redis-server is not installed; ` +
      'apt-get install redis-server, or set REDIS_URL to a Redis that answers',
  }
}

/** The first `name` on `path` (PATH's value) that `canRun` accepts, or null. */
export function findOnPath(
  name: string,
  path: string | undefined,
  canRun: (file: string) => boolean
): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue
    const file = join(dir, name)
    if (canRun(file)) return file
  }
  return null
}
