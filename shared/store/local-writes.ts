/** @module The local store's writes of values: set, delete, claim and counters, each one journaled change. */
import { assertIncrement, assertKey, assertTtl } from './envelope.ts'
import type { LocalContext } from './local-context.ts'
import type { Store } from './types.ts'

export function createLocalWrites({
  journaled,
  guard,
  holds,
  expiryOf,
}: LocalContext): Pick<Store, 'set' | 'delete' | 'claim' | 'increment'> {
  const { refresh, commit, liveValue, isLive } = journaled
  return {
    set: (key, value, options) =>
      guard('set', async () => {
        assertKey(key)
        const ttl = options?.ttlSeconds
        if (ttl !== undefined) assertTtl(ttl)
        refresh()
        await commit([['s', key, JSON.stringify(value) ?? 'null', expiryOf(ttl)]])
      }),
    delete: (key) =>
      guard('delete', async () => {
        assertKey(key)
        refresh()
        if (holds(key)) await commit([['d', key]])
      }),
    claim: (key, ttlSeconds, value = true) =>
      guard('claim', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        refresh()
        if (isLive(key)) return false
        await commit([['s', key, JSON.stringify(value) ?? 'true', expiryOf(ttlSeconds)]])
        return true
      }),
    increment: (key, ttlSeconds, by = 1) =>
      guard('increment', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        assertIncrement(by)
        refresh()
        const current = liveValue(key)
        const previous = current === null ? 0 : Number(JSON.parse(current.json))
        const next = (Number.isFinite(previous) ? previous : 0) + by
        // A fixed window: the expiry is set when the counter is created, never pushed out.
        const expiresAt = current === null ? expiryOf(ttlSeconds) : current.expiresAt
        await commit([['s', key, String(next), expiresAt]])
        return next
      }),
  }
}
