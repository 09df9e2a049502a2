import { describe, expect, it } from 'vitest'
import { createMemoryStore } from './store.ts'
import { windowOpenedAt } from './window.ts'

describe('a window anchored on its first event', () => {
  it('should give the first event’s time for the window’s length, across any clock mark, then open anew', async () => {
    let clock = Date.parse('2026-11-27T02:29:59.500Z')
    const store = createMemoryStore({ now: () => clock })
    const first = clock
    expect(await windowOpenedAt(store, 'w:card', 600, clock)).toBe(first)
    clock += 1_000
    expect(await windowOpenedAt(store, 'w:card', 600, clock)).toBe(first)
    // Another key has a window of its own.
    expect(await windowOpenedAt(store, 'w:other', 600, clock)).toBe(clock)
    clock = first + 600_000
    expect(await windowOpenedAt(store, 'w:card', 600, clock)).toBe(clock)
  })
})
