import { describe, expect, it } from 'vitest'
import { createLogger } from '../observe/log.ts'
import { createMemoryStore, type Store } from '../store/store.ts'
import { createStoreCache } from './store-cache.ts'

const log = createLogger({ write: () => undefined })

describe('createStoreCache', () => {
  it('should load once per TTL, a cached null included', async () => {
    let now = 0
    const cached = createStoreCache({ store: createMemoryStore({ now: () => now }), log })
    let loads = 0
    const load = async () => {
      loads++
      return null
    }
    expect(await cached('cache:x', 60, load)).toBeNull()
    expect(await cached('cache:x', 60, load)).toBeNull()
    expect(loads).toBe(1)
    now = 61_000
    await cached('cache:x', 60, load)
    expect(loads).toBe(2)
  })

  it('should share one load between concurrent callers', async () => {
    const cached = createStoreCache({ store: createMemoryStore(), log })
    let loads = 0
    const load = async () => {
      loads++
      await new Promise((r) => setTimeout(r, 20))
      return [1, 2]
    }
    const results = await Promise.all([1, 2, 3].map(() => cached('cache:y', 60, load)))
    expect(results).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ])
    expect(loads).toBe(1)
  })

  it('should still answer when the store fails, and not cache a failed load', async () => {
    const broken = {
      get: async () => {
        throw new Error('down')
      },
      set: async () => {
        throw new Error('down')
      },
    } as unknown as Store
    expect(await createStoreCache({ store: broken, log })('cache:z', 60, async () => 'v')).toBe('v')
    const cached = createStoreCache({ store: createMemoryStore(), log })
    await expect(
      cached('cache:w', 60, async () => {
        throw new Error('Plane 503')
      })
    ).rejects.toThrow('Plane 503')
    expect(await cached('cache:w', 60, async () => 'ok')).toBe('ok')
  })
})
