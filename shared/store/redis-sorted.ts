/** @module The Redis store's sorted sets (ZADD, ZRANGEBYSCORE, …) and the windows taken on them (a script). */
import { windowMember } from './atomics.ts'
import { assertKey, assertScore, assertTtl, assertWindow } from './envelope.ts'
import type { RedisContext } from './redis-context.ts'
import { INDEX_ADD, parseWindowTake, WINDOW_TAKE } from './redis-scripts.ts'
import type { SortedEntry, Store } from './types.ts'

export function createRedisSortedSets({
  client,
  k,
  guard,
  script,
}: RedisContext): Pick<
  Store,
  'sortedAdd' | 'sortedRemove' | 'sortedRange' | 'sortedScore' | 'sortedSize' | 'windowTake'
> {
  return {
    sortedAdd: (key, member, score, { onlyIfAbsent = false, ttlSeconds } = {}) =>
      guard('index-add', async () => {
        assertKey(key)
        assertScore(score)
        if (ttlSeconds !== undefined) {
          // Member and expiry in one step: the shared script (redis-scripts.ts) sets the TTL when one is given.
          assertTtl(ttlSeconds)
          const flag = onlyIfAbsent ? '1' : '0'
          const added = await script(INDEX_ADD, [k(key)], [member, score, flag, ttlSeconds])
          return Number(added) === 1
        }
        const added = onlyIfAbsent
          ? await client.call('ZADD', k(key), 'NX', score, member)
          : await client.call('ZADD', k(key), score, member)
        return Number(added) === 1
      }),
    sortedRemove: (key, member) =>
      guard('index-remove', async () => {
        assertKey(key)
        return Number(await client.call('ZREM', k(key), member)) === 1
      }),
    sortedRange: (key, { maxScore = Number.POSITIVE_INFINITY, limit = 1_000 } = {}) =>
      guard('index-range', async () => {
        assertKey(key)
        const max = maxScore === Number.POSITIVE_INFINITY ? '+inf' : maxScore
        const flat = (await client.call(
          'ZRANGEBYSCORE',
          k(key),
          '-inf',
          max,
          'WITHSCORES',
          'LIMIT',
          0,
          limit
        )) as string[]
        const out: SortedEntry[] = []
        for (let i = 0; i + 1 < flat.length; i += 2)
          out.push({ member: String(flat[i]), score: Number(flat[i + 1]) })
        return out
      }),
    sortedScore: (key, member) =>
      guard('index-score', async () => {
        assertKey(key)
        const score = (await client.call('ZSCORE', k(key), member)) as string | null
        return score === null ? null : Number(score)
      }),
    sortedSize: (key) =>
      guard('index-size', async () => {
        assertKey(key)
        return Number(await client.call('ZCARD', k(key)))
      }),
    windowTake: (key, options) =>
      guard('window-take', async () => {
        assertKey(key)
        assertWindow(options)
        const { nowMs, windowMs, ceiling } = options
        const args = [nowMs, windowMs, ceiling, windowMember(nowMs)]
        return parseWindowTake(await script(WINDOW_TAKE, [k(key)], args))
      }),
  }
}
