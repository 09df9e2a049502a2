/**
 * @module The Redis store: the Store contract in native Redis commands over one ioredis connection, without
 * unstorage in between. Keys and values are those the unstorage Redis driver wrote (`<prefix>:<key>`, JSON
 * envelopes), so data written before this driver existed is read as it was.
 *
 * Why not unstorage here: on the webhook path every delivery costs a dozen store operations, and unstorage's
 * key normalisation, mount lookup and `destr` parsing around each ioredis call took ~18 % of the server's CPU
 * under load (profiled). Sorted sets go out as ZADD/ZRANGEBYSCORE, not EVAL of a script text.
 */
import { createRedisContext, type RedisClient } from './redis-context.ts'
import { createRedisLocks } from './redis-locks.ts'
import { createRedisQueue } from './redis-queue.ts'
import { createRedisReads } from './redis-reads.ts'
import { createRedisSortedSets } from './redis-sorted.ts'
import { createRedisWrites } from './redis-writes.ts'
import type { Store } from './types.ts'

export type { RedisClient }

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

/**
 * @example createRedisStore({ client: new Redis(url, { enableAutoPipelining: true }), prefix: 'plane', location })
 */
export function createRedisStore({
  client,
  prefix,
  location,
  onError,
  now = Date.now,
  sha1,
  setting = 'REDIS_URL',
  whyUnavailable,
}: RedisStoreOptions): Store {
  const context = createRedisContext({
    client,
    prefix,
    location,
    onError,
    now,
    sha1,
    setting,
    whyUnavailable,
  })
  const { guard } = context

  return {
    driver: 'redis',
    location,
    ...createRedisReads(context),
    ...createRedisWrites(context),
    ...createRedisQueue(context),
    ...createRedisLocks(context),
    ...createRedisSortedSets(context),
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
