import { describe, expect, it } from 'vitest'
import { classifyOpenClawError, kindOfStatus, OpenClawError } from './errors.ts'

describe('kindOfStatus', () => {
  it('should map the statuses of §4.5 to kinds', () => {
    expect([401, 403, 400, 415, 404, 409, 413, 429, 500, 502, 503, 408].map(kindOfStatus)).toEqual([
      'auth',
      'auth',
      'bad_request',
      'bad_request',
      'not_found',
      'conflict',
      'too_large',
      'rate_limited',
      'unavailable',
      'unavailable',
      'unavailable',
      'unavailable',
    ])
  })
})

describe('OpenClawError', () => {
  it('should say what failed and serialise its fields', () => {
    const error = new OpenClawError({
      kind: 'auth',
      endpoint: '/agent',
      status: 401,
      detail: 'Unauthorized',
    })
    expect(error.message).toBe('OpenClaw hooks /agent failed: 401 auth (Unauthorized)')
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: 'OpenClawError',
      kind: 'auth',
      status: 401,
    })
  })
})

describe('classifyOpenClawError', () => {
  const make = (kind: OpenClawError['kind'], retryAfterMs?: number) =>
    new OpenClawError({ kind, endpoint: '/agent', detail: 'd', retryAfterMs })

  it('should retry rate limits after Retry-After, and unavailable or conflict on the schedule', () => {
    expect(classifyOpenClawError(make('rate_limited', 2_000))).toEqual({
      retry: true,
      afterMs: 2_000,
    })
    expect(classifyOpenClawError(make('rate_limited'))).toEqual({ retry: true })
    expect(classifyOpenClawError(make('unavailable'))).toEqual({ retry: true })
    expect(classifyOpenClawError(make('conflict'))).toEqual({ retry: true })
  })

  it('should not retry auth, bad request, not found, too large or foreign errors', () => {
    for (const kind of ['auth', 'bad_request', 'not_found', 'too_large'] as const) {
      expect(classifyOpenClawError(make(kind))).toEqual({ retry: false })
    }
    expect(classifyOpenClawError(new TypeError('x'))).toEqual({ retry: false })
  })
})
