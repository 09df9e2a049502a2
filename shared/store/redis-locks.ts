/** @module The Redis store's locks: a token set if absent, released and extended only while it is still the one stored. */
import { assertKey, assertTtl, inCallOrder, wrap } from './envelope.ts'
import type { RedisContext } from './redis-context.ts'
import { DELETE_IF_EQUALS, REPLACE_IF_EQUALS } from './redis-scripts.ts'
import type { Store, StoreLock } from './types.ts'

export function createRedisLocks({
  k,
  now,
  guard,
  script,
  setIfAbsent,
}: RedisContext): Pick<Store, 'lock'> {
  return {
    lock: (key, ttlSeconds) =>
      guard('lock', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        const token = crypto.randomUUID()
        let held = await setIfAbsent(key, token, ttlSeconds)
        if (held === null) return null
        const queue = inCallOrder()
        const lock: StoreLock = {
          key,
          release: () =>
            queue(() =>
              guard('unlock', async () => {
                const current = held
                held = null
                if (current === null) return false
                return Number(await script(DELETE_IF_EQUALS, [k(key)], [current])) === 1
              })
            ),
          extend: (ttl: number) =>
            queue(() =>
              guard('lock-extend', async () => {
                assertTtl(ttl)
                if (held === null) return false
                const next = JSON.stringify(wrap(token, ttl, now()))
                const ok =
                  Number(await script(REPLACE_IF_EQUALS, [k(key)], [held, next, ttl])) === 1
                held = ok ? next : null
                return ok
              })
            ),
        }
        return lock
      }),
  }
}
