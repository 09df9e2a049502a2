/** @module The Redis store's writes of values: set, delete, claim (SET NX EX) and counters (a script). */
import { assertIncrement, assertKey, assertTtl, wrap } from './envelope.ts'
import type { RedisContext } from './redis-context.ts'
import { INCREMENT } from './redis-scripts.ts'
import type { Store } from './types.ts'

export function createRedisWrites({
  client,
  k,
  now,
  guard,
  script,
  setIfAbsent,
}: RedisContext): Pick<Store, 'set' | 'delete' | 'claim' | 'increment'> {
  return {
    set: (key, value, options) =>
      guard('set', async () => {
        assertKey(key)
        const ttl = options?.ttlSeconds
        if (ttl !== undefined) assertTtl(ttl)
        const text = JSON.stringify(wrap(value, ttl, now()))
        if (ttl) await client.call('SET', k(key), text, 'EX', ttl)
        else await client.call('SET', k(key), text)
      }),
    delete: (key) =>
      guard('delete', async () => {
        assertKey(key)
        await client.call('DEL', k(key))
      }),
    claim: (key, ttlSeconds, value = true) =>
      guard('claim', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        return (await setIfAbsent(key, value, ttlSeconds)) !== null
      }),
    increment: (key, ttlSeconds, by = 1) =>
      guard('increment', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        assertIncrement(by)
        return Number(await script(INCREMENT, [k(key)], [ttlSeconds, by]))
      }),
  }
}
