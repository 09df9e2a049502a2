/** @module Builds the store the Node runtime uses: Redis when REDIS_URL is set, else the embedded file store. */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import type { Config } from '../shared/core/config.ts'
import { errorMessage } from '../shared/observe/errors.ts'
import { createLocalStore } from '../shared/store/local.ts'
import { StoreTooLargeError } from '../shared/store/local-journaled.ts'
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

/** How long a start (or a job) waits for a configured store to answer before it stops, naming the setting. */
export const STORE_START_WAIT_MS = 5000

/** The store cannot be used as configured: the message names the setting, what was tried and the fix. */
export class StoreUnreachableError extends Error {
  override name = 'StoreUnreachableError'
  constructor(
    message: string,
    /** For Redis: where it was tried and why it failed, to say it again with how long it was tried. */
    readonly redis?: { location: string; why: string }
  ) {
    super(message)
  }
}

function _redisUnreachable(location: string, why: string, waitedMs?: number) {
  const within = waitedMs === undefined ? '' : ` within ${Math.round(waitedMs / 1000)} s`
  return new StoreUnreachableError(
    `REDIS_URL: no Redis answered${within} at ${location} (${why}): start Redis there or fix REDIS_URL (unset, the embedded file store in DATA_DIR is used)`,
    { location, why }
  )
}

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
  if (!config.REDIS_URL)
    throw new StoreUnreachableError(
      'STORE_DRIVER=redis needs REDIS_URL: set it (redis://host:6379/<db>), or set STORE_DRIVER=auto for the embedded file store in DATA_DIR'
    )
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
  // The connection's own reason (ECONNREFUSED, ENOTFOUND, NOAUTH…), which a failed command does not carry.
  let lastConnectionError: unknown = null
  client.on('ready', () => {
    lastConnectionError = null
  })
  client.on('error', (error) => {
    lastConnectionError = error
    const nowMs = Date.now()
    if (nowMs - lastReportMs < REDIS_ERROR_REPORT_INTERVAL_MS) return
    lastReportMs = nowMs
    onConnectionError?.(error)
  })
  const location = describeRedisUrl(config.REDIS_URL)
  const store = createRedisStore({
    client,
    prefix: config.REDIS_KEY_PREFIX,
    location,
    onError,
    sha1: (text) => Promise.resolve(createHash('sha1').update(text).digest('hex')),
    whyUnavailable: (error) =>
      lastConnectionError ? errorMessage(lastConnectionError) : errorMessage(error),
  })
  // A failed ping says which setting to fix and what was tried, not ioredis's "max retries per request":
  // /ready, `check` and the start all show this text.
  const ping = store.ping
  store.ping = async () => {
    try {
      await ping()
    } catch (error) {
      const why = lastConnectionError ? errorMessage(lastConnectionError) : errorMessage(error)
      throw _redisUnreachable(location, why)
    }
  }
  return store
}

/**
 * Pings the store until it answers or `waitMs` passes (Redis may be coming up next to us); throws the last
 * failure, which names the setting. The start and every job but `check` call it before doing anything.
 */
export async function waitForStore(
  store: Store,
  {
    waitMs = STORE_START_WAIT_MS,
    retryEveryMs = 500,
  }: { waitMs?: number; retryEveryMs?: number } = {}
): Promise<void> {
  const until = Date.now() + waitMs
  for (;;) {
    try {
      await store.ping()
      return
    } catch (error) {
      if (Date.now() + retryEveryMs > until) {
        throw error instanceof StoreUnreachableError && error.redis
          ? _redisUnreachable(error.redis.location, error.redis.why, waitMs)
          : error
      }
      await new Promise((r) => setTimeout(r, retryEveryMs))
    }
  }
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
  let journal: ReturnType<typeof openFileJournal>
  try {
    journal = openFileJournal({ dir, ...(onNotice ? { onNotice } : {}) })
  } catch (error) {
    throw new StoreUnreachableError(
      `DATA_DIR: the file store cannot open ${dir} (${errorMessage(error)}): make that directory writable by this user, or set DATA_DIR to one that is`
    )
  }
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
