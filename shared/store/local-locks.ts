/** @module The local store's locks: taken as a claim holding a token, released and extended only by their holder. */
import { assertKey, assertTtl, inCallOrder } from './envelope.ts'
import type { LocalContext } from './local-context.ts'
import type { Store, StoreLock } from './types.ts'

export function createLocalLocks({
  journaled,
  guard,
  expiryOf,
}: LocalContext): Pick<Store, 'lock'> {
  const { refresh, commit, liveValue, isLive } = journaled
  return {
    lock: (key, ttlSeconds) =>
      guard('lock', async () => {
        assertKey(key)
        assertTtl(ttlSeconds)
        refresh()
        if (isLive(key)) return null
        const token = JSON.stringify(crypto.randomUUID())
        await commit([['s', key, token, expiryOf(ttlSeconds)]])
        return _localLock(key, token)
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
            if (mine) await commit([['d', key]])
            return mine
          })
        ),
      extend: (ttlSeconds: number) =>
        queue(() =>
          guard('lock-extend', async () => {
            assertTtl(ttlSeconds)
            refresh()
            held = stillHeld()
            if (held) await commit([['s', key, token, expiryOf(ttlSeconds)]])
            return held
          })
        ),
    }
  }
}
