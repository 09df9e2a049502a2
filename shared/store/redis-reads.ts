/** @module The Redis store's reads: values (MGET for several), texts, and keys by SCAN. */
import { assertKey, escapeGlob, unwrap } from './envelope.ts'
import { parseStored, type RedisContext } from './redis-context.ts'
import type { Store } from './types.ts'

const SCAN_COUNT = 1000

export function createRedisReads({
  client,
  base,
  k,
  now,
  guard,
  read,
}: RedisContext): Pick<Store, 'get' | 'getMany' | 'getText' | 'has' | 'keys'> {
  return {
    get: <T>(key: string) => guard('get', async () => (await read(key)) as T | null),
    getMany: <T>(keys: readonly string[]) =>
      guard('getMany', async () => {
        if (keys.length === 0) return []
        for (const key of keys) assertKey(key)
        const texts = (await client.call('MGET', ...keys.map(k))) as Array<string | null>
        const at = now()
        return texts.map((text) => unwrap(parseStored(text), at).value as T | null)
      }),
    getText: (key) =>
      guard('get-text', async () => {
        assertKey(key)
        return ((await client.call('GET', k(key))) as string | null) ?? null
      }),
    has: (key) => guard('has', async () => (await read(key)) !== null),
    keys: (keyPrefix = '') =>
      guard('keys', async () => {
        const pattern = `${escapeGlob(k(keyPrefix))}*`
        const found = new Set<string>()
        let cursor = '0'
        do {
          const [next, batch] = (await client.call(
            'SCAN',
            cursor,
            'MATCH',
            pattern,
            'COUNT',
            SCAN_COUNT
          )) as [string, string[]]
          for (const key of batch) found.add(key.slice(base.length + 1))
          cursor = next
        } while (cursor !== '0')
        return [...found].sort()
      }),
  }
}
