import { describe, expect, it } from 'vitest'
import { createPooledCounters } from './pooled-counter.ts'
import { createMemoryStore, type Store } from './store.ts'

/** A store that counts its increments and can be made to fail. */
function countingStore(shared: Store = createMemoryStore()) {
  const calls: number[] = []
  let failing = false
  const store: Pick<Store, 'increment'> = {
    increment: async (key, ttl, by) => {
      calls.push(by ?? 1)
      if (failing) throw new Error('store unavailable')
      return shared.increment(key, ttl, by)
    },
  }
  return {
    store,
    calls,
    fail(on: boolean) {
      failing = on
    },
  }
}

describe('createPooledCounters', () => {
  it("should wait for the store on a window's first count only, and write the rest together at most every flushMs", async () => {
    let clock = 0
    const s = countingStore()
    const counters = createPooledCounters({ store: s.store, now: () => clock, flushMs: 1000 })
    expect(await counters.count('rate:1', 120)).toBe(1)
    expect(s.calls).toEqual([1])
    for (let i = 2; i <= 50; i++) expect(await counters.count('rate:1', 120)).toBe(i)
    expect(s.calls).toEqual([1])
    clock += 1000
    expect(await counters.count('rate:1', 120)).toBe(51)
    await new Promise((r) => setTimeout(r, 0))
    // The 50 counted since the first write, in one.
    expect(s.calls).toEqual([1, 50])
    expect(await counters.count('rate:1', 120)).toBe(52)
  })

  it("should see another process's counts at its next write", async () => {
    let clock = 0
    const shared = createMemoryStore()
    const a = createPooledCounters({ store: countingStore(shared).store, now: () => clock })
    const b = createPooledCounters({ store: countingStore(shared).store, now: () => clock })
    expect(await a.count('rate:1', 120)).toBe(1)
    for (let i = 0; i < 9; i++) await a.count('rate:1', 120)
    expect(await b.count('rate:1', 120)).toBe(2) // a's first only: the 9 since are not written yet
    clock += 1000
    await a.count('rate:1', 120) // writes a's 10
    await new Promise((r) => setTimeout(r, 0))
    clock += 1000
    await b.count('rate:1', 120)
    await new Promise((r) => setTimeout(r, 0))
    expect(await b.count('rate:1', 120)).toBe(14)
  })

  it("should throw when the store does not take a window's first count, and keep what it counted for the next try", async () => {
    const s = countingStore()
    const counters = createPooledCounters({ store: s.store, now: () => 0 })
    s.fail(true)
    await expect(counters.count('rate:1', 120)).rejects.toThrow('store unavailable')
    await expect(counters.count('rate:1', 120)).rejects.toThrow('store unavailable')
    s.fail(false)
    expect(await counters.count('rate:1', 120)).toBe(3)
    expect(s.calls).toEqual([1, 2, 3])
  })

  it('should wait for the store again after a background write failed', async () => {
    let clock = 0
    const s = countingStore()
    const counters = createPooledCounters({ store: s.store, now: () => clock })
    await counters.count('rate:1', 120)
    s.fail(true)
    clock += 1000
    expect(await counters.count('rate:1', 120)).toBe(2) // written in the background, which fails
    await new Promise((r) => setTimeout(r, 0))
    await expect(counters.count('rate:1', 120)).rejects.toThrow('store unavailable')
    s.fail(false)
    expect(await counters.count('rate:1', 120)).toBe(4)
  })

  it('should keep at most maxWindows windows, letting the oldest go', async () => {
    const s = countingStore()
    const counters = createPooledCounters({ store: s.store, now: () => 0, maxWindows: 2 })
    await counters.count('rate:1', 120)
    await counters.count('rate:2', 120)
    await counters.count('rate:3', 120)
    // rate:1 was let go: its next count is a first count again, read from the store.
    expect(await counters.count('rate:1', 120)).toBe(2)
    expect(s.calls).toEqual([1, 1, 1, 1])
  })
})
