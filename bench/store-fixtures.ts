/**
 * @module The stores the store bench measures, built the way the Node runtime builds them (`createNodeStore`), each
 * in a place of its own (a temp dir, a unique Redis key prefix) and removed afterwards.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { createNodeStore, describeRedisUrl } from '../runtime/node-store.ts'
import { loadConfig } from '../shared/core/config.ts'
import { createMemoryStore, type Store } from '../shared/store/store.ts'
import { CaseSkipped } from './harness.ts'
import { type SharedFixture, sharedFixture } from './shared-fixture.ts'

export const BENCH_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0'

// A missing Redis should cost a second, not the 3 s command timeout times every retry.
const PROBE_TIMEOUT_MS = 1000

export function memoryStoreFixture(): SharedFixture<Store> {
  return sharedFixture(
    async () => createMemoryStore(),
    (store) => store.dispose()
  )
}

export function fsStoreFixture(): SharedFixture<Store> {
  let dir = ''
  return sharedFixture(
    async function openFsStore() {
      dir = await mkdtemp(join(tmpdir(), 'plane-bridge-bench-'))
      try {
        return createNodeStore(loadConfig({ STORE_DRIVER: 'fs', DATA_DIR: dir }))
      } catch (error) {
        // close() is never called after a failed open: remove the temp dir here.
        await rm(dir, { recursive: true, force: true })
        throw error
      }
    },
    async function closeFsStore(store) {
      await store.dispose()
      await rm(dir, { recursive: true, force: true })
    }
  )
}

/**
 * Skips (CaseSkipped) when no Redis answers; otherwise every key lives under a prefix of its own, deleted at close.
 * `label` names the bench in the line that reports the cleanup.
 */
export function redisStoreFixture(url = BENCH_REDIS_URL, label = 'store'): SharedFixture<Store> {
  // REDIS_KEY_PREFIX allows 32 characters of [A-Za-z0-9_-]: "bench_<pid>_<6 hex>" fits and never meets real keys.
  const prefix = `bench_${process.pid}_${randomBytes(3).toString('hex')}`
  let admin: Redis | null = null
  return sharedFixture(
    async function openRedisStore() {
      admin = await _connectOrSkip(url)
      return createNodeStore(
        loadConfig({ STORE_DRIVER: 'redis', REDIS_URL: url, REDIS_KEY_PREFIX: prefix })
      )
    },
    async function closeRedisStore(store) {
      await store.dispose()
      if (admin === null) return
      const deleted = await _deleteUnder(admin, `${prefix}:*`)
      process.stderr.write(`[${label}] deleted ${deleted} Redis keys under ${prefix}:\n`)
      await admin.quit()
      admin = null
    }
  )
}

// --- Internal helpers ---

/** A separate client, also used for the cleanup, which needs SCAN and UNLINK that the Store does not offer. */
async function _connectOrSkip(url: string): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    commandTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  // connect() only says "Connection is closed."; the 'error' event has the cause (ECONNREFUSED, auth, …).
  // Listening also stops ioredis from printing it.
  let cause: unknown
  client.on('error', function remember(error: unknown) {
    cause = error
  })
  try {
    await client.connect()
    await client.ping()
    return client
  } catch (error) {
    client.disconnect()
    const problem = cause ?? error
    const reason = problem instanceof Error ? problem.message : String(problem)
    throw new CaseSkipped(`no Redis at ${describeRedisUrl(url)} (${reason})`)
  }
}

async function _deleteUnder(client: Redis, pattern: string): Promise<number> {
  let deleted = 0
  for await (const keys of client.scanStream({ match: pattern, count: 1000 })) {
    const batch = keys as string[]
    if (batch.length > 0) deleted += await client.unlink(...batch)
  }
  return deleted
}
