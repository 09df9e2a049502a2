import { wantedRedisUrl } from './redis-plan.ts'

/**
 * The Redis the tests use: REDIS_URL as test/setup/redis.ts left it (.ci/run's, the machine's 127.0.0.1:6379, or
 * a throwaway redis-server it started for the run). Never skipped.
 */
export const TEST_REDIS_URL = wantedRedisUrl(process.env)

/**
 * Delete every key under `prefix:` in the test Redis (SCAN, not KEYS): a test that gives a runtime its own
 * REDIS_KEY_PREFIX leaves nothing behind, whatever TTLs its writes carried.
 */
export async function dropRedisPrefix(prefix: string): Promise<number> {
  const { default: Redis } = await import('ioredis')
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await redis.connect()
    let cursor = '0'
    let dropped = 0
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500)
      cursor = next
      if (keys.length > 0) dropped += await redis.del(...keys)
    } while (cursor !== '0')
    return dropped
  } finally {
    redis.disconnect()
  }
}
