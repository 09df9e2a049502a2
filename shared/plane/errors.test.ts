import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createScriptedFetch, makeApiKey, type ScriptedReply } from '../../test/fixtures/plane.ts'
import { toWellFormed } from '../text/cap.ts'
import { createPlaneClient } from './client.ts'
import {
  classifyPlaneStatus,
  isRouteMissing,
  PlaneApiError,
  type PlaneErrorKind,
  type PlaneErrorReason,
} from './errors.ts'
import type { PlaneRequestInfo } from './transport.ts'

const API_KEY = makeApiKey('9')

type Case = {
  name: string
  reply: ScriptedReply | (() => never)
  kind: PlaneErrorKind
  reason: PlaneErrorReason
  status: number
  extra?: Record<string, unknown>
}

/** Every answer echoes the key somewhere, so only redaction keeps it out of the error. */
const CASES: Case[] = [
  {
    name: '401 missing key',
    reply: {
      status: 401,
      body: { detail: 'Authentication credentials were not provided.', got: API_KEY },
    },
    kind: 'auth',
    reason: 'http',
    status: 401,
  },
  {
    name: '403 bad key',
    reply: { status: 403, body: { detail: 'Given API token is not valid', key: API_KEY } },
    kind: 'auth',
    reason: 'http',
    status: 403,
  },
  {
    name: '403 non-member',
    reply: {
      status: 403,
      body: { detail: `You do not have permission to perform this action. (${API_KEY})` },
    },
    kind: 'forbidden',
    reason: 'http',
    status: 403,
  },
  {
    name: '404',
    reply: {
      status: 404,
      body: { error: 'The requested resource does not exist.', echo: API_KEY },
    },
    kind: 'not_found',
    reason: 'http',
    status: 404,
  },
  {
    name: '409 with id',
    reply: { status: 409, body: { error: `exists ${API_KEY}`, id: 'existing-1' } },
    kind: 'conflict',
    reason: 'http',
    status: 409,
    extra: { existingId: 'existing-1' },
  },
  {
    name: '400 field errors',
    reply: { status: 400, body: { priority: [`"${API_KEY}" is not a valid choice.`] } },
    kind: 'validation',
    reason: 'http',
    status: 400,
  },
  {
    name: '413',
    reply: { status: 413, body: { error: 'REQUEST_BODY_TOO_LARGE', detail: API_KEY } },
    kind: 'payload_too_large',
    reason: 'http',
    status: 413,
  },
  {
    name: '429',
    reply: {
      status: 429,
      body: { error_code: 5900, error_message: `RATE_LIMIT_EXCEEDED ${API_KEY}` },
      headers: { 'Retry-After': '30' },
    },
    kind: 'rate_limited',
    reason: 'http',
    status: 429,
    extra: { retryAfterMs: 30_000 },
  },
  {
    name: '500',
    reply: {
      status: 500,
      body: { error: `Something went wrong please try again later ${API_KEY}` },
    },
    kind: 'unavailable',
    reason: 'http',
    status: 500,
  },
  {
    name: '502 text',
    reply: new Response(`Bad Gateway ${API_KEY}`, { status: 502 }),
    kind: 'unavailable',
    reason: 'http',
    status: 502,
  },
  { name: 'timeout', reply: 'hang', kind: 'unavailable', reason: 'timeout', status: 0 },
  {
    name: 'network error',
    reply: () => {
      throw new TypeError(`fetch failed with X-API-Key: ${API_KEY}`, {
        cause: new Error(`ECONNRESET ${API_KEY}`),
      })
    },
    kind: 'unavailable',
    reason: 'network',
    status: 0,
  },
  {
    name: 'HTML instead of JSON',
    reply: new Response(`<html>${API_KEY}</html>`, { headers: { 'content-type': 'text/html' } }),
    kind: 'invalid_response',
    reason: 'parse',
    status: 200,
  },
]

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('PlaneApiError', () => {
  it.each(CASES)('should type $name and keep the key out of every rendering', async (c) => {
    const requests: PlaneRequestInfo[] = []
    const scripted = createScriptedFetch(() =>
      typeof c.reply === 'function' ? c.reply() : c.reply
    )
    const client = createPlaneClient({
      baseUrl: 'https://work.example',
      apiKey: API_KEY,
      workspaceSlug: 'acme',
      fetch: scripted.fetch,
      retryDelaysMs: [],
      onRequest: (info) => requests.push(info),
    })
    const outcome = client.users.me().catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(30_000)
    const error = await outcome
    expect(error).toBeInstanceOf(PlaneApiError)
    const planeError = error as PlaneApiError
    expect(planeError).toMatchObject({
      kind: c.kind,
      reason: c.reason,
      status: c.status,
      method: 'GET',
      path: '/api/v1/users/me/',
      ...c.extra,
    })
    expect(planeError.name).toBe('PlaneApiError')

    const renderings = [
      planeError.message,
      String(planeError),
      planeError.stack ?? '',
      JSON.stringify(planeError),
      JSON.stringify(planeError.body),
      String(planeError.cause ?? ''),
      JSON.stringify(requests),
    ]
    for (const text of renderings) expect(text).not.toContain(API_KEY)
    expect(JSON.stringify(planeError)).toContain(c.kind)
  })

  it('should summarise Plane’s body in the message', async () => {
    const scripted = createScriptedFetch(() => ({
      status: 400,
      body: { priority: ['"x" is not a valid choice.'] },
    }))
    const client = createPlaneClient({
      baseUrl: 'https://w.example',
      apiKey: API_KEY,
      workspaceSlug: 'a',
      fetch: scripted.fetch,
    })
    await expect(client.users.me()).rejects.toThrow(
      'GET /api/v1/users/me/ failed: 400 validation (priority: "x" is not a valid choice.)'
    )
  })

  it('should cut a long body between characters, never inside an emoji (the Plane-down alert quotes it)', async () => {
    // 199 units then an emoji across the 200th: `slice(0, 200)` left half of it, which Telegram refuses.
    const detail = `${'x'.repeat(198)}😀${'y'.repeat(50)}`
    const scripted = createScriptedFetch(() => ({ status: 400, body: { detail } }))
    const client = createPlaneClient({
      baseUrl: 'https://w.example',
      apiKey: API_KEY,
      workspaceSlug: 'a',
      fetch: scripted.fetch,
    })
    const error = (await client.users.me().catch((e: unknown) => e)) as Error
    expect(error.message).toContain(`${'x'.repeat(198)}…`)
    expect(error.message).toBe(toWellFormed(error.message))
  })
})

describe('classifyPlaneStatus', () => {
  it('should tell a bad key from a non-member by the 403 body', () => {
    expect(classifyPlaneStatus(403, { detail: 'Given API token is not valid' })).toBe('auth')
    expect(
      classifyPlaneStatus(403, { detail: 'You do not have permission to perform this action.' })
    ).toBe('forbidden')
    expect(
      classifyPlaneStatus(403, { error: 'Only admin or creator can delete the work item' })
    ).toBe('forbidden')
    expect(classifyPlaneStatus(403, null)).toBe('forbidden')
  })

  it('should map the remaining status classes', () => {
    expect(classifyPlaneStatus(422, null)).toBe('validation')
    expect(classifyPlaneStatus(408, null)).toBe('unavailable')
    expect(classifyPlaneStatus(503, null)).toBe('unavailable')
  })
})

describe('isRouteMissing', () => {
  const base = { reason: 'http' as const, status: 404, method: 'GET', path: '/x/' }
  it('should recognise Django’s URL-resolver 404 only', () => {
    expect(
      isRouteMissing(
        new PlaneApiError('m', { ...base, kind: 'not_found', body: { error: 'Page not found.' } })
      )
    ).toBe(true)
    expect(
      isRouteMissing(
        new PlaneApiError('m', {
          ...base,
          kind: 'not_found',
          body: { error: 'The requested resource does not exist.' },
        })
      )
    ).toBe(false)
    expect(isRouteMissing(new Error('Page not found.'))).toBe(false)
  })
})
