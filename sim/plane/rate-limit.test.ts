import { describe, expect, it } from 'vitest'
import { createRateLimiter } from './rate-limit.ts'
import { seededSim } from './test-helpers.ts'

describe('plane sim: rate limiting (DRF SimpleRateThrottle)', () => {
  it('should allow the limit within a window, then answer 429 with the Plane body and Retry-After only', async () => {
    let now = 1_700_000_000_000
    const { call, admin } = seededSim({ now: () => now, rateLimitPerMinute: 3 })
    const first = await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
    expect(first.headers.get('X-RateLimit-Remaining')).toBe('2')
    expect(first.headers.get('X-RateLimit-Reset')).toBe(String(Math.floor(now / 1000) + 60))
    expect(first.headers.get('X-RateLimit-Limit')).toBeNull()
    now += 10_000
    await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
    now += 10_000
    const third = await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
    expect(third.headers.get('X-RateLimit-Remaining')).toBe('0')
    now += 5_500
    const limited = await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
    expect(limited.status).toBe(429)
    expect(limited.body).toEqual({ error_code: 5900, error_message: 'RATE_LIMIT_EXCEEDED' })
    // Oldest request at t0 leaves the window at t0+60 s; now is t0+25.5 s → 34.5 s → 35.
    expect(limited.headers.get('Retry-After')).toBe('35')
    expect(limited.headers.get('X-RateLimit-Remaining')).toBeNull()
    expect(limited.headers.get('X-RateLimit-Reset')).toBeNull()
  })

  it('should slide: once the oldest request leaves the window one more is allowed', async () => {
    let now = 0
    const { call, admin } = seededSim({ now: () => now, rateLimitPerMinute: 2 })
    await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
    now = 30_000
    await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
    now = 59_999
    expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(429)
    now = 60_001
    expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(200)
    // The 429 was not recorded, so the window now holds t=30 s and t=60.001 s.
    now = 89_000
    const again = await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
    expect([again.status, again.headers.get('Retry-After')]).toEqual([429, '1'])
  })

  it('should keep one bucket per key and spend no quota on bad keys or permission failures', async () => {
    const now = 0
    const { call, admin, member, outsider, projectPath } = seededSim({
      now: () => now,
      rateLimitPerMinute: 1,
    })
    await call('GET', '/api/v1/users/me/', { key: 'plane_api_bad' })
    await call('GET', `${projectPath}/work-items/`, { key: outsider.apiKey })
    expect((await call('GET', '/api/v1/users/me/', { key: outsider.apiKey })).status).toBe(200)
    expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(200)
    expect((await call('GET', '/api/v1/users/me/', { key: member.apiKey })).status).toBe(200)
    expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(429)
  })

  it('should count a 404 for an unknown object (the throttle ran before the view)', async () => {
    const { call, admin, projectPath } = seededSim({ now: () => 0, rateLimitPerMinute: 1 })
    const missing = await call('GET', `${projectPath}/work-items/${crypto.randomUUID()}/`, {
      key: admin.apiKey,
    })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('X-RateLimit-Remaining')).toBe('0')
    expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(429)
  })

  it('should work with vitest fake timers through the default clock', async () => {
    const { vi } = await import('vitest')
    vi.useFakeTimers({ now: 0 })
    try {
      const { call, admin } = seededSim({ rateLimitPerMinute: 1 })
      await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
      expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(429)
      vi.advanceTimersByTime(60_001)
      expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(200)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('createRateLimiter', () => {
  it('should report remaining after this request and reset as int(now + 60)', () => {
    const limiter = createRateLimiter({ limit: 60, now: () => 1_234_567 })
    expect(limiter.check('k')).toEqual({ allowed: true, remaining: 59, resetS: 1294 })
  })

  it('should apply a new limit from the next request on (a bench seeds unthrottled, then measures)', () => {
    const limiter = createRateLimiter({ limit: 1000, now: () => 5_000 })
    for (let i = 0; i < 5; i++) expect(limiter.check('k').allowed).toBe(true)
    limiter.setLimit(5)
    expect(limiter.check('k')).toMatchObject({ allowed: false })
    limiter.setLimit(6)
    expect(limiter.check('k')).toMatchObject({ allowed: true, remaining: 0 })
  })
})
