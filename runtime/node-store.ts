/** @module Builds the store the Node runtime uses: Redis when REDIS_URL is set, else the embedded file store. */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import type { Config } from '../shared/config.ts'
import { createLocalStore, StoreTooLargeError } from '../shared/store/local.ts'
import { createRedisStore } from '../shared/store/redis.ts'
import { createMemoryStore, type Store } from '../shared/store/store.ts'
import { JOURNAL_FILE, openFileJournal } from './node-journal.ts'

// ioredis is loaded only when the store is Redis: the fs store's process idles ~11 MB lighter without it.
const require = createRequire(import.meta.url)

export type NodeStoreOptions = {
  /** The heap the fs store's limits are taken from (bytes); default: this process's (`heap_size_limit`). */
  heapLimitBytes?: number
  onError?: (operation: string, error: unknown) => void
  /** Redis connection trouble, reported at most once per REDIS_ERROR_REPORT_INTERVAL_MS. */
  onConnectionError?: (error: unknown) => void
  /** The fs store's notices: files of the earlier layout imported, damaged journal lines skipped. */
  onNotice?: (message: string, fields: Record<string, unknown>) => void
}

const REDIS_ERROR_REPORT_INTERVAL_MS = 30_000

/**
 * The share of the heap the fs store's live data may take while the service runs: the rest is the process's own
 * (~25 MB of code and modules) and its work (bodies being read, values copied on read, a compaction's chunks). With
 * `npm start`'s 160 MB (a heap limit of 172 MB) that is ~52 MB: ~220,000 dedupe claims, where
 * 50,000 deliveries a day hold 50,000 (a claim is kept a day).
 */
export const FS_LIVE_SHARE_OF_HEAP = 0.3
/**
 * What loading may reach: more than a running store may hold (a last batch past the line, expired entries a read
 * would have dropped), so that whatever a process wrote, the next start loads.
 */
export const FS_LOAD_SHARE_OF_HEAP = 0.4

/** The start is refused: the fs store's journal holds more than this process's heap can load. */
export class StoreStartError extends Error {
  override readonly name = 'StoreStartError'
}

// Fail fast when Redis is down: /ready must answer 503 and webhooks 503 within seconds, not queue forever.
const REDIS_COMMAND_TIMEOUT_MS = 3000

export function createNodeStore(
  config: Config,
  {
    heapLimitBytes = getHeapStatistics().heap_size_limit,
    onError,
    onConnectionError,
    onNotice,
  }: NodeStoreOptions = {}
): Store {
  const driver =
    config.STORE_DRIVER === 'auto' ? (config.REDIS_URL ? 'redis' : 'fs') : config.STORE_DRIVER
  if (driver === 'memory') return createMemoryStore({ onError })
  if (driver === 'fs') return _fsStore(config, heapLimitBytes, onError, onNotice)
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

/**
 * The embedded store, its live data held to what the heap can load (principle 10: it always starts). A journal
 * that holds more is refused in one line naming DATA_DIR and what to do, never a crash loop at the heap's limit.
 */
function _fsStore(
  config: Config,
  heapLimitBytes: number,
  onError: NodeStoreOptions['onError'],
  onNotice: NodeStoreOptions['onNotice']
): Store {
  const dir = resolve(config.DATA_DIR)
  const journal = openFileJournal({ dir, ...(onNotice ? { onNotice } : {}) })
  const maxLoadBytes = Math.floor(heapLimitBytes * FS_LOAD_SHARE_OF_HEAP)
  try {
    return createLocalStore({
      name: 'fs',
      location: dir,
      journal,
      onError,
      maxLiveBytes: Math.floor(heapLimitBytes * FS_LIVE_SHARE_OF_HEAP),
      maxLoadBytes,
    })
  } catch (error) {
    journal.close()
    if (!(error instanceof StoreTooLargeError)) throw error
    const file = join(dir, JOURNAL_FILE)
    const mb = (bytes: number) => Math.round(bytes / (1024 * 1024))
    throw new StoreStartError(
      `the embedded store in DATA_DIR=${dir} holds more live data than this process's heap can load (over ${mb(maxLoadBytes)} MB of a ${mb(heapLimitBytes)} MB heap). ` +
        `Move its journal aside to start empty (mv ${file} ${file}.too-large; Plane keeps what matters and the poll rebuilds the rest), ` +
        'or give the process a larger heap (--max-old-space-size, and the container the memory), or use Redis (REDIS_URL).'
    )
  }
}

/** `redis://host:port/db`, credentials left out. */
export function describeRedisUrl(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.hostname}:${u.port || '6379'}${u.pathname && u.pathname !== '/' ? u.pathname : '/0'}`
}
