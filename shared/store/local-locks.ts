/**
 * @module The local store's locks: taken as a claim holding a token, released and extended only by their holder.
 * On the file store each is decided by its line's place in the journal (local-journaled.ts `decide`), so that a
 * process and `npm run job` beside it never both hold one lock (an outbox lane: a message sent by both).
 */
import { assertKey, assertTtl, inCallOrder } from './envelope.ts'
import type { LocalContext } from './local-context.ts'
import type { Store, StoreLock } from './types.ts'

export function createLocalLocks({
  journaled,
  guard,
  now,
  expiryOf,
}: LocalContext): Pick<Store, 'lock'> {
  const { refresh, decide, liveValue, isLive } = journaled
  return {
    lock: (key, ttlSeconds) =>
      guard('lock', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        refresh()
        if (isLive(key)) return null
        const token = JSON.stringify(crypto.randomUUID())
        decide([['c', key, token, expiryOf(ttlSeconds), now()]])
        return liveValue(key)?.json === token ? _localLock(key, token) : null
      }),
  }

  function _localLock(key: string, token: string): StoreLock {
    let held = true
    const stillHeld = () => held && liveValue(key)?.json === token
    const queue = inCallOrder()
    return {
      key,
      release: () =>
        queue(() =>
          guard('unlock', async () => {
            refresh()
            const mine = stillHeld()
            held = false
            if (mine) decide([['D', key, token]])
            return mine
          })
        ),
      extend: (ttlSeconds: number) =>
        queue(() =>
          guard('lock-extend', async () => {
            assertTtl(ttlSeconds)
            refresh()
            if (stillHeld()) decide([['x', key, token, expiryOf(ttlSeconds), now()]])
            held = stillHeld()
            return held
          })
        ),
    }
  }
}
