import { describe, expect, it } from 'vitest'
import {
  classifyTelegramError,
  createTelegramApiError,
  createTelegramNetworkError,
  TelegramError,
} from './errors.ts'

const redact = (text: string) => text.replaceAll('SECRET', '[redacted]')

describe('createTelegramApiError', () => {
  it('should read error_code, description and parameters', () => {
    const error = createTelegramApiError(
      'sendMessage',
      429,
      {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 5',
        parameters: { retry_after: 5 },
      },
      redact
    )
    expect(error).toBeInstanceOf(TelegramError)
    expect(error).toMatchObject({
      name: 'TelegramError',
      kind: 'api',
      errorCode: 429,
      retryAfterS: 5,
    })
    expect(error.message).toBe('Telegram sendMessage failed: 429 Too Many Requests: retry after 5')
  })

  it('should fall back to the HTTP status for a body that is not a Bot API error', () => {
    expect(createTelegramApiError('getMe', 504, '<html>', redact)).toMatchObject({
      errorCode: 504,
      description: 'HTTP 504',
    })
    expect(createTelegramApiError('getMe', 200, { ok: 'yes' }, redact).description).toMatch(
      /^malformed/
    )
  })

  it('should redact the description', () => {
    const body = { ok: false, error_code: 400, description: 'Bad Request: SECRET' }
    expect(createTelegramApiError('getMe', 400, body, redact).message).not.toContain('SECRET')
  })
})

describe('createTelegramNetworkError', () => {
  it('should keep a redacted copy of the cause chain, never the original', () => {
    const native = new TypeError('fetch failed for /botSECRET/getMe', {
      cause: Object.assign(new Error('connect ECONNREFUSED SECRET'), { code: 'ECONNREFUSED' }),
    })
    const error = createTelegramNetworkError('getMe', native, redact)
    expect(error.cause).not.toBe(native)
    expect(error.cause).toMatchObject({
      name: 'TypeError',
      message: 'fetch failed for /bot[redacted]/getMe',
    })
    expect((error.cause as Error).cause).toMatchObject({ code: 'ECONNREFUSED' })
    expect(JSON.stringify(error)).not.toContain('SECRET')
    expect(error.stack).not.toContain('SECRET')
  })

  it('should recognise a timeout anywhere in the chain', () => {
    const timeout = Object.assign(new Error('aborted'), { name: 'TimeoutError' })
    const error = createTelegramNetworkError('getMe', new Error('x', { cause: timeout }), redact)
    expect(error).toMatchObject({ timedOut: true, description: 'request timed out' })
  })
})

describe('classifyTelegramError', () => {
  const api = (errorCode: number, retryAfterS?: number) =>
    new TelegramError({ kind: 'api', method: 'm', errorCode, description: 'd', retryAfterS })

  it('should retry 429 after retry_after, or on the schedule without it', () => {
    expect(classifyTelegramError(api(429, 3))).toEqual({ retry: true, afterMs: 3_000 })
    expect(classifyTelegramError(api(429))).toEqual({ retry: true })
  })

  it('should retry 5xx and network errors', () => {
    expect(classifyTelegramError(api(500))).toEqual({ retry: true })
    expect(classifyTelegramError(api(502))).toEqual({ retry: true })
    const network = new TelegramError({ kind: 'network', method: 'm', description: 'd' })
    expect(classifyTelegramError(network)).toEqual({ retry: true })
  })

  it('should not retry 400, 401, 403, 404 or foreign errors', () => {
    for (const code of [400, 401, 403, 404, 409]) {
      expect(classifyTelegramError(api(code))).toEqual({ retry: false })
    }
    expect(classifyTelegramError(new Error('boom'))).toEqual({ retry: false })
  })
})
