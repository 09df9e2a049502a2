import { describe, expect, it } from 'vitest'
import { periodOpenedAt } from './period.ts'
import { createMemoryStore } from './store.ts'

describe('a period anchored on its first event', () => {
  it('should give the first event’s time for the period’s length, across any clock mark, then open anew', async () => {
    let clock = Date.parse('2026-11-27T02:29:59.500Z')
    const store = createMemoryStore({ now: () => clock })
    const first = clock
    expect(await periodOpenedAt(store, 'w:card', 600, clock)).toBe(first)
    clock += 1_000
    expect(await periodOpenedAt(store, 'w:card', 600, clock)).toBe(first)
    // Another key has a period of its own.
    expect(await periodOpenedAt(store, 'w:other', 600, clock)).toBe(clock)
    clock = first + 600_000
    expect(await periodOpenedAt(store, 'w:card', 600, clock)).toBe(clock)
  })
})
