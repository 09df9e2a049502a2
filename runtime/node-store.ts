/** @module Builds the store the Node runtime uses: Redis when REDIS_URL is set, else the embedded file store. */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import type { Config } from '../shared/config.ts'
import { createLocalStore } from '../shared/store/local.ts'
import { createRedisStore } from '../shared/store/redis.ts'
import { createMemoryStore, type Store } from '../shared/store/store.ts'
import { openFileJournal } from './node-journal.ts'

// ioredis is loaded only when the store is Redis: the fs store's process idles ~11 MB lighter without it.
const require = createRequire(import.meta.url)

export type NodeStoreOptions = {
  onError?: (operation: string, error: unknown) => void
  /** Redis connection trouble, reported at most once per REDIS_ERROR_REPORT_INTERVAL_MS. */
  onConnectionError?: (error: unknown) => void
  /** The fs store's notices: files of the earlier layout imported, damaged journal lines skipped. */
  onNotice?: (message: string, fields: Record<string, unknown>) => void
}

const REDIS_ERROR_REPORT_INTERVAL_MS = 30_000

// Fail fast when Redis is down: /ready must answer 503 and webhooks 503 within seconds, not queue forever.
const REDIS_COMMAND_TIMEOUT_MS = 3000

export function createNodeStore(
  config: Config,
  { onError, onConnectionError, onNotice }: NodeStoreOptions = {}
): Store {
  const driver =
    config.STORE_DRIVER === 'auto' ? (config.REDIS_URL ? 'redis' : 'fs') : config.STORE_DRIVER
  if (driver === 'memory') return createMemoryStore({ onError })
  if (driver === 'fs') {
    const dir = resolve(config.DATA_DIR)
    const journal = openFileJournal({ dir, ...(onNotice ? { onNotice } : {}) })
    return createLocalStore({ name: 'fs', location: dir, journal, onError })
  }
  if (!config.REDIS_URL) throw new Error('STORE_DRIVER=redis needs REDIS_URL')
  const { Redis } = require('ioredis') as typeof import('ioredis')
  const client = new Redis(config.REDIS_URL, {
    connectTimeout: REDIS_COMMAND_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
    // Commands issued in the same tick (every delivery's handful, under load hundreds) leave in one write.
    enableAutoPipelining: true,
  })
  // ioredis prints unhandled 'error' events itself; route them to our logger instead, without flooding it.
  let lastReportMs = 0
  client.on('error', (error) => {
    const nowMs = Date.now()
    if (nowMs - lastReportMs < REDIS_ERROR_REPORT_INTERVAL_MS) return
    lastReportMs = nowMs
    onConnectionError?.(error)
  })
  return createRedisStore({
    client,
    prefix: config.REDIS_KEY_PREFIX,
    location: describeRedisUrl(config.REDIS_URL),
    onError,
    sha1: (text) => Promise.resolve(createHash('sha1').update(text).digest('hex')),
  })
}

/** `redis://host:port/db`, credentials left out. */
export function describeRedisUrl(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.hostname}:${u.port || '6379'}${u.pathname && u.pathname !== '/' ? u.pathname : '/0'}`
}
