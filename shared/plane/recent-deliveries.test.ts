import { describe, expect, it } from 'vitest'
import { createRecentDeliveries } from './recent-deliveries.ts'

describe('recent deliveries', () => {
  it('should know a kept hash until its claim would lapse, then leave it to the store', () => {
    let t = 0
    const recent = createRecentDeliveries({ now: () => t, ttlMs: 1000 })
    expect(recent.has('a')).toBe(false)
    recent.add('a')
    t = 999
    expect(recent.has('a')).toBe(true)
    t = 1000
    expect(recent.has('a')).toBe(false)
    expect(recent.has('a')).toBe(false)
  })

  it('should hold at most `max` hashes, forgetting the oldest first', () => {
    const recent = createRecentDeliveries({ now: () => 0, ttlMs: 1000, max: 3 })
    for (const h of ['a', 'b', 'c']) recent.add(h)
    recent.add('a') // seen again: now the newest
    recent.add('d')
    expect(['a', 'b', 'c', 'd'].filter((h) => recent.has(h))).toEqual(['a', 'c', 'd'])
  })

  it('should never hold more than `max` hashes, and always the latest half of them', () => {
    const recent = createRecentDeliveries({ now: () => 0, ttlMs: 1000, max: 101 })
    const hashes = Array.from({ length: 1000 }, (_, i) => `h${i}`)
    for (const h of hashes) recent.add(h)
    const known = hashes.filter((h) => recent.has(h))
    expect(known.length).toBeLessThanOrEqual(101)
    expect(known).toEqual(expect.arrayContaining(hashes.slice(-51)))
  })
})
