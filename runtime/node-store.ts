/** @module Builds the store the Node runtime uses: Redis when REDIS_URL is set, else the embedded file store. */
import { resolve } from 'node:path'
import fsLiteDriver from 'unstorage/drivers/fs-lite'
import memoryDriver from 'unstorage/drivers/memory'
import redisDriver from 'unstorage/drivers/redis'
import type { Config } from '../shared/config.ts'
import type { RedisLike } from '../shared/store/atomics.ts'
import { createStore, type Store } from '../shared/store/store.ts'

export type NodeStoreOptions = {
  onError?: (operation: string, error: unknown) => void
  /** Redis connection trouble, reported at most once per REDIS_ERROR_REPORT_INTERVAL_MS. */
  onConnectionError?: (error: unknown) => void
}

const REDIS_ERROR_REPORT_INTERVAL_MS = 30_000

// Fail fast when Redis is down: /ready must answer 503 and webhooks 503 within seconds, not queue forever.
const REDIS_COMMAND_TIMEOUT_MS = 3000

export function createNodeStore(
  config: Config,
  { onError, onConnectionError }: NodeStoreOptions = {}
): Store {
  const driver =
    config.STORE_DRIVER === 'auto' ? (config.REDIS_URL ? 'redis' : 'fs') : config.STORE_DRIVER
  if (driver === 'memory') {
    return createStore({ driver: memoryDriver(), name: 'memory', location: 'memory', onError })
  }
  if (driver === 'fs') {
    const base = resolve(config.DATA_DIR)
    return createStore({ driver: fsLiteDriver({ base }), name: 'fs', location: base, onError })
  }
  if (!config.REDIS_URL) throw new Error('STORE_DRIVER=redis needs REDIS_URL')
  const unstorageDriver = redisDriver({
    base: config.REDIS_KEY_PREFIX,
    url: config.REDIS_URL,
    connectTimeout: REDIS_COMMAND_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    // Listing a prefix SCANs the whole database; 10 keys per round trip (the default) is far too chatty.
    scanCount: 1000,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  })
  const redis = unstorageDriver.getInstance?.() as RedisLike & {
    on(event: 'error', listener: (error: unknown) => void): void
  }
  // ioredis prints unhandled 'error' events itself; route them to our logger instead, without flooding it.
  let lastReportMs = 0
  redis.on('error', (error) => {
    const nowMs = Date.now()
    if (nowMs - lastReportMs < REDIS_ERROR_REPORT_INTERVAL_MS) return
    lastReportMs = nowMs
    onConnectionError?.(error)
  })
  return createStore({
    driver: unstorageDriver,
    name: 'redis',
    location: describeRedisUrl(config.REDIS_URL),
    redis,
    redisPrefix: config.REDIS_KEY_PREFIX,
    onError,
  })
}

/** `redis://host:port/db`, credentials left out. */
export function describeRedisUrl(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.hostname}:${u.port || '6379'}${u.pathname && u.pathname !== '/' ? u.pathname : '/0'}`
}
