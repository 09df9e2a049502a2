import { describe, expect, it } from 'vitest'
import { fingerprintApiKey, parseRateLimit } from './key-names.ts'

let keys = 0
const key = () => `plane_api_key_names_test_${process.pid}_${++keys}_0123456789abcdef`

describe('parseRateLimit: Plane’s API_KEY_RATE_LIMIT format (DRF parse_rate)', () => {
  it('should read the number and the period’s first letter', () => {
    expect(parseRateLimit('60/minute')).toEqual({ requests: 60, windowMs: 60_000 })
    expect(parseRateLimit('100/min')).toEqual({ requests: 100, windowMs: 60_000 })
    expect(parseRateLimit('2/second')).toEqual({ requests: 2, windowMs: 1_000 })
    expect(parseRateLimit('3600/hour')).toEqual({ requests: 3600, windowMs: 3_600_000 })
    expect(parseRateLimit('60')).toBeNull()
    expect(parseRateLimit('0/minute')).toBeNull()
    expect(parseRateLimit('sixty/minute')).toBeNull()
  })
})

describe('fingerprintApiKey', () => {
  it('should be 16 hex digits, stable, and never contain the key', () => {
    const k = key()
    expect(fingerprintApiKey(k)).toMatch(/^[0-9a-f]{16}$/)
    expect(fingerprintApiKey(k)).not.toContain(k)
    expect(fingerprintApiKey(k)).toBe(fingerprintApiKey(`${k}`))
    expect(fingerprintApiKey(k)).not.toBe(fingerprintApiKey(key()))
  })
})
