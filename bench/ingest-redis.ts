/**
 * @module The ingest bench's own Redis and file work, outside the servers: unique key prefixes and their removal,
 * the 500k unrelated keys (written and removed by name, in batches of a Lua loop), and the size of a server's webhook inbox,
 * read from its store's layout as functions/webhooks/inbox.ts writes it.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { JOURNAL_FILE } from '../runtime/node-journal.ts'
import { createNodeStore, describeRedisUrl } from '../runtime/node-store.ts'
import { loadConfig } from '../shared/core/config.ts'
import type { Store } from '../shared/store/store.ts'

export const INGEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0'
/** How long `deletePrefixAndSettle` waits, at most, for Redis's background frees (20 s). */
const LAZYFREE_TRIES = 200
const LAZYFREE_POLL_MS = 100

/**
 * The inbox as functions/webhooks/inbox.ts keeps it: one entry per delivery at `webhook:inbox:<id>` and its index
 * at `index:webhook-inbox` (shared/store/queue.ts: a sorted set on Redis, in the journal on fs). Earlier layouts
 * (one file per key, with or without the index file) are read from their files.
 */
const INBOX_SET = 'index:webhook-inbox'
const INBOX_ENTRIES = 'webhook:inbox'

const journalReaders = new Map<string, Store>()

/** Close the stores fsInboxSize opened (before the data directories are removed). */
export async function closeJournalReaders(): Promise<void> {
  for (const reader of journalReaders.values()) await reader.dispose()
  journalReaders.clear()
}

const PROBE_TIMEOUT_MS = 1000
/** Keys per Lua call: ~20 ms of Redis time each, short enough for other clients of the same Redis. */
const SCRIPT_BATCH = 20_000
const FILL_SCRIPT = `for i = tonumber(ARGV[2]), tonumber(ARGV[3]) do redis.call('SET', ARGV[1] .. i, ARGV[4], 'EX', ARGV[5]) end return tonumber(ARGV[3]) - tonumber(ARGV[2]) + 1`
const UNLINK_SCRIPT = `local n = 0 for i = tonumber(ARGV[2]), tonumber(ARGV[3]) do n = n + redis.call('UNLINK', ARGV[1] .. i) end return n`
// Each unrelated key expires by itself, so a killed run leaves nothing for long.
const FILLER_TTL_S = 3600
// About the size of a small stored JSON value.
const FILLER_VALUE = 'x'.repeat(64)

/** A Redis prefix no real key uses, within REDIS_KEY_PREFIX's 32 characters of [A-Za-z0-9_-]. */
export function benchPrefix(tag: string): string {
  return `bench_${tag}_${process.pid}_${randomBytes(3).toString('hex')}`.slice(0, 32)
}

/** A client for the bench's own commands, or the reason there is none (the Redis cases are then skipped). */
export async function connectAdmin(url = INGEST_REDIS_URL): Promise<Redis | string> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  let cause: unknown
  client.on('error', (error: unknown) => {
    cause = error
  })
  try {
    await client.connect()
    await client.ping()
    return client
  } catch (error) {
    client.disconnect()
    const problem = cause ?? error
    return `no Redis at ${describeRedisUrl(url)} (${problem instanceof Error ? problem.message : String(problem)})`
  }
}

/**
 * Deletes every key under `<prefix>:` and waits until Redis has freed them (UNLINK frees in a background thread,
 * which would run during the next case's segment). Returns how many there were.
 */
export async function deletePrefixAndSettle(client: Redis, prefix: string): Promise<number> {
  const deleted = await deletePrefix(client, prefix)
  for (let tries = 0; tries < LAZYFREE_TRIES; tries++) {
    const memory = await client.info('memory')
    if (!/^lazyfree_pending_objects:[1-9]/m.test(memory)) break
    await sleep(LAZYFREE_POLL_MS)
  }
  return deleted
}

/** Deletes every key under `<prefix>:` (SCAN + UNLINK) and returns how many there were. */
export async function deletePrefix(client: Redis, prefix: string): Promise<number> {
  let deleted = 0
  for await (const keys of client.scanStream({ match: `${prefix}:*`, count: 1000 })) {
    const batch = keys as string[]
    if (batch.length > 0) deleted += await client.unlink(...batch)
  }
  return deleted
}

/**
 * `count` unrelated keys under a prefix of their own, written by a Lua loop in Redis itself (a batch per call,
 * so no call blocks Redis for long); `remove()` unlinks them by name the same way, no SCAN needed.
 */
export async function fillUnrelatedKeys(
  client: Redis,
  prefix: string,
  count: number
): Promise<{ ms: number; remove(): Promise<number> }> {
  const started = performance.now()
  const base = `${prefix}:item:`
  const batches = async (script: string, extra: Array<string | number>) => {
    let total = 0
    for (let first = 0; first < count; first += SCRIPT_BATCH) {
      const last = Math.min(count, first + SCRIPT_BATCH) - 1
      total += Number(await client.eval(script, 0, base, first, last, ...extra))
    }
    return total
  }
  await batches(FILL_SCRIPT, [FILLER_VALUE, FILLER_TTL_S])
  return {
    ms: performance.now() - started,
    remove: () => batches(UNLINK_SCRIPT, []),
  }
}

/**
 * Deliveries waiting in a Redis-backed server's inbox: the index's size when there is one, else its entries
 * (a SCAN, which is why the drain is polled only after the load).
 */
export async function redisInboxSize(client: Redis, prefix: string): Promise<number> {
  const index = `${prefix}:${INBOX_SET}`
  const type = await client.type(index)
  if (type === 'zset') return client.zcard(index)
  if (type === 'stream') return client.xlen(index)
  if (type === 'list') return client.llen(index)
  if (type === 'hash') return client.hlen(index)
  let count = 0
  for await (const keys of client.scanStream({
    match: `${prefix}:${INBOX_ENTRIES}:*`,
    count: 1000,
  })) {
    count += (keys as string[]).length
  }
  return count
}

/**
 * Deliveries waiting in an fs-backed server's inbox (unstorage's fs driver: `a:b:c` is the file `a/b/c`): the
 * members of the index file `index/webhook-inbox` (an envelope `{ $v: { member: score } }`), else the entry files
 * under the `webhook/inbox/` folder; null when the index file is caught mid-write.
 */
export async function fsInboxSize(dataDir: string): Promise<number | null> {
  // The journal (runtime/node-journal.ts): read by a store of our own on the same directory, as a CLI job reads
  // it, kept open so that each call reads only what the server appended since.
  if (existsSync(join(dataDir, JOURNAL_FILE))) {
    let reader = journalReaders.get(dataDir)
    if (reader === undefined) {
      reader = createNodeStore(loadConfig({ STORE_DRIVER: 'fs', DATA_DIR: dataDir }))
      journalReaders.set(dataDir, reader)
    }
    return reader.sortedSize(INBOX_SET)
  }
  const path = join(dataDir, ...INBOX_SET.split(':'))
  const info = await stat(path).catch(() => null)
  if (info === null) {
    const folder = join(dataDir, ...INBOX_ENTRIES.split(':'))
    if (!(await stat(folder).catch(() => null))?.isDirectory()) return 0
    const entries = await readdir(folder, { recursive: true, withFileTypes: true })
    return entries.filter((e) => e.isFile()).length
  }
  try {
    const envelope = JSON.parse(await readFile(path, 'utf8')) as { $v?: unknown }
    return envelope.$v && typeof envelope.$v === 'object' ? Object.keys(envelope.$v).length : null
  } catch {
    // Caught mid-write by the server: the next poll reads it whole.
    return null
  }
}
