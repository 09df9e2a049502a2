/** @module The local store's reads: values, texts and keys, live ones only. */
import { assertKey } from './envelope.ts'
import type { LocalContext } from './local-context.ts'
import type { Store } from './types.ts'

export function createLocalReads({
  journaled,
  guard,
}: LocalContext): Pick<Store, 'get' | 'getMany' | 'getText' | 'has' | 'keys'> {
  const { refresh, liveValue, isLive } = journaled
  return {
    get: <T>(key: string) =>
      guard('get', async () => {
        assertKey(key)
        refresh()
        const value = liveValue(key)
        return value === null ? null : (JSON.parse(value.json) as T)
      }),
    getMany: <T>(keys: readonly string[]) =>
      guard('getMany', async () => {
        for (const key of keys) assertKey(key)
        refresh()
        return keys.map((key) => {
          const value = liveValue(key)
          return value === null ? null : (JSON.parse(value.json) as T)
        })
      }),
    // A text item's slot holds the text itself, not JSON (claimAndEnqueue).
    getText: (key) =>
      guard('get-text', async () => {
        assertKey(key)
        refresh()
        return liveValue(key)?.json ?? null
      }),
    has: (key) =>
      guard('has', async () => {
        assertKey(key)
        refresh()
        return isLive(key)
      }),
    keys: (prefix = '') =>
      guard('keys', async () => {
        refresh()
        const live: string[] = []
        const { values, sortedSets } = journaled.current()
        for (const key of [...values.keys(), ...sortedSets.keys()]) {
          if (key.startsWith(prefix) && isLive(key)) live.push(key)
        }
        return live.sort()
      }),
  }
}
