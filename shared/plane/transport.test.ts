import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createScriptedFetch,
  makeApiKey,
  makeWorkItem,
  PROJECT_ID,
  type ScriptedCall,
  type ScriptedReply,
} from '../../test/fixtures/plane.ts'
import { createPlaneClient, type PlaneClientOptions } from './client.ts'
import { PlaneApiError, RequestNotStarted } from './errors.ts'
import type { PlaneRequestInfo, PlaneWindowWait } from './transport.ts'

const API_KEY = makeApiKey('7')
const START = new Date('2026-03-01T12:00:00Z').getTime()

type Reply = (call: ScriptedCall, index: number) => ScriptedReply

function setup(reply: Reply, options: Partial<PlaneClientOptions> = {}) {
  const scripted = createScriptedFetch(reply)
  const requests: PlaneRequestInfo[] = []
  const client = createPlaneClient({
    baseUrl: 'https://work.example///',
    apiKey: API_KEY,
    workspaceSlug: 'acme',
    fetch: scripted.fetch,
    onRequest: (info) => requests.push(info),
    ...options,
  })
  const offsets = () => scripted.calls.map((c) => c.at - START)
  return { client, calls: scripted.calls, requests, offsets }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown }

/** Observe a promise without leaving a rejection unhandled while fake time runs. */
function observe<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error })
  )
}

async function failure<T>(outcome: Promise<Outcome<T>>): Promise<PlaneApiError> {
  const settled = await outcome
  if (settled.ok) throw new Error('expected the call to fail')
  expect(settled.error).toBeInstanceOf(PlaneApiError)
  return settled.error as PlaneApiError
}

const always = (answer: ScriptedReply) => () => answer

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(START)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('request basics', () => {
  it('should send the key header to the normalised base URL with a trailing slash', async () => {
    const { client, calls } = setup(always({ body: { id: 'u1', display_name: 'me' } }))
    await expect(client.users.me()).resolves.toMatchObject({ id: 'u1' })
    expect(calls[0]?.url.href).toBe('https://work.example/api/v1/users/me/')
    expect(calls[0]?.headers.get('x-api-key')).toBe(API_KEY)
    expect(calls[0]?.headers.get('accept')).toBe('application/json')
  })

  it('should report every attempt to onRequest with status and duration', async () => {
    let n = 0
    const { client, requests } = setup(() => (n++ === 0 ? { status: 502 } : { body: { id: 'u1' } }))
    const outcome = observe(client.users.me())
    await vi.advanceTimersByTimeAsync(1_000)
    expect((await outcome).ok).toBe(true)
    expect(requests).toEqual([
      {
        method: 'GET',
        path: '/api/v1/users/me/',
        status: 502,
        durationMs: 0,
        // The failure itself, for what it says about the settings (issue 36).
        error: expect.objectContaining({ kind: 'unavailable', status: 502 }),
      },
      { method: 'GET', path: '/api/v1/users/me/', status: 200, durationMs: 0 },
    ])
  })
})

describe('retries (OPENCLAW-15)', () => {
  it('should retry a read after 1 s, 5 s and 15 s, then throw unavailable', async () => {
    const { client, offsets } = setup(always({ status: 503, body: { error: 'down' } }))
    const outcome = observe(client.users.me())
    await vi.advanceTimersByTimeAsync(20_999)
    expect(offsets()).toEqual([0, 1_000, 6_000])
    await vi.advanceTimersByTimeAsync(1)
    expect(offsets()).toEqual([0, 1_000, 6_000, 21_000])
    const error = await failure(outcome)
    expect(error).toMatchObject({ kind: 'unavailable', status: 503, reason: 'http' })
  })

  it('should wait for Retry-After instead of the schedule on 429', async () => {
    let n = 0
    const { client, offsets } = setup(() =>
      n++ === 0
        ? {
            status: 429,
            body: { error_code: 5900, error_message: 'RATE_LIMIT_EXCEEDED' },
            headers: { 'Retry-After': '7' },
          }
        : { body: { id: 'u1' } }
    )
    const outcome = observe(client.users.me())
    await vi.advanceTimersByTimeAsync(6_999)
    expect(offsets()).toEqual([0])
    await vi.advanceTimersByTimeAsync(1)
    expect(offsets()).toEqual([0, 7_000])
    expect(await outcome).toMatchObject({ ok: true, value: { id: 'u1' } })
  })

  it('should give up on 429 with the wait Plane asked for once retries are spent', async () => {
    const { client, offsets } = setup(
      always({ status: 429, body: { error_code: 5900 }, headers: { 'Retry-After': '2' } })
    )
    const outcome = observe(client.users.me())
    await vi.advanceTimersByTimeAsync(6_000)
    expect(offsets()).toEqual([0, 2_000, 4_000, 6_000])
    const error = await failure(outcome)
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 2_000 })
  })

  it('should retry timeouts: each attempt is cut at timeoutMs (30 s by default)', async () => {
    const { client, offsets } = setup(always('hang'))
    const outcome = observe(client.users.me())
    await vi.advanceTimersByTimeAsync(30_000 + 1_000 + 30_000 + 5_000 + 30_000 + 15_000 + 30_000)
    expect(offsets()).toEqual([0, 31_000, 66_000, 111_000])
    const error = await failure(outcome)
    expect(error).toMatchObject({ kind: 'unavailable', reason: 'timeout', status: 0 })
    expect(error.message).toContain('no answer within 30000 ms')
  })

  it('should retry network errors', async () => {
    let n = 0
    const { client, offsets } = setup(() => (n++ < 2 ? 'network-error' : { body: { id: 'u1' } }))
    const outcome = observe(client.users.me())
    await vi.advanceTimersByTimeAsync(6_000)
    expect(offsets()).toEqual([0, 1_000, 6_000])
    expect((await outcome).ok).toBe(true)
  })

  it('should not retry 500 (Plane’s deterministic catch-all), 4xx or an unexpected body', async () => {
    const html = new Response('<!doctype html><title>Plane</title>', {
      headers: { 'content-type': 'text/html' },
    })
    for (const answer of [
      { status: 500 },
      { status: 400 },
      { status: 404 },
      html,
    ] as ScriptedReply[]) {
      const { client, calls } = setup(always(answer))
      const outcome = observe(client.users.me())
      await vi.advanceTimersByTimeAsync(30_000)
      await failure(outcome)
      expect(calls).toHaveLength(1)
    }
  })
})

describe('write safety', () => {
  it('should send a POST without external ids once, even on 503', async () => {
    const { client, calls } = setup(always({ status: 503 }))
    const outcome = observe(
      client.comments.create(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
        comment_html: '<p>hi</p>',
      })
    )
    await vi.advanceTimersByTimeAsync(30_000)
    expect((await failure(outcome)).kind).toBe('unavailable')
    expect(calls).toHaveLength(1)
  })

  it('should send a link create once on timeout (a replay would answer 400 "URL already exists")', async () => {
    const { client, calls } = setup(always('hang'))
    const outcome = observe(
      client.links.create(PROJECT_ID, '00000000-0000-4000-8000-0000000000e1', {
        url: 'https://x.example',
      })
    )
    await vi.advanceTimersByTimeAsync(120_000)
    expect((await failure(outcome)).reason).toBe('timeout')
    expect(calls).toHaveLength(1)
  })

  it('should retry a PATCH, whose absolute values make a replay harmless', async () => {
    const item = makeWorkItem({ priority: 'high' })
    let n = 0
    const { client, calls } = setup(() => (n++ === 0 ? { status: 504 } : { body: item }))
    const outcome = observe(client.workItems.update(PROJECT_ID, item.id, { priority: 'high' }))
    await vi.advanceTimersByTimeAsync(1_000)
    expect(await outcome).toMatchObject({ ok: true, value: { priority: 'high' } })
    expect(calls.map((c) => [c.method, c.body])).toEqual([
      ['PATCH', { priority: 'high' }],
      ['PATCH', { priority: 'high' }],
    ])
  })

  it('should resolve a replayed external-id create through the 409 id', async () => {
    const existing = makeWorkItem({ external_id: 'tg-42', external_source: 'telegram' })
    const { client, calls } = setup((call, index) => {
      if (index === 0) return 'hang' // Plane stored it, the answer was lost
      if (call.method === 'POST')
        return {
          status: 409,
          body: {
            error: 'Issue with the same external id and external source already exists',
            id: existing.id,
          },
        }
      return { body: existing }
    })
    const outcome = observe(
      client.workItems.create(PROJECT_ID, {
        name: 'Guide',
        external_id: 'tg-42',
        external_source: 'telegram',
      })
    )
    await vi.advanceTimersByTimeAsync(30_000 + 1_000 + 1_000)
    expect(await outcome).toMatchObject({ ok: true, value: { id: existing.id } })
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      `POST /api/v1/workspaces/acme/projects/${PROJECT_ID}/work-items/`,
      `POST /api/v1/workspaces/acme/projects/${PROJECT_ID}/work-items/`,
      `GET /api/v1/workspaces/acme/projects/${PROJECT_ID}/work-items/${existing.id}/`,
    ])
  })

  it('should surface a 409 on a create without external ids as a conflict carrying the id', async () => {
    const { client, calls } = setup(
      always({
        status: 409,
        body: { error: 'Label with the same name already exists in the project', id: 'lbl-1' },
      })
    )
    const error = await failure(observe(client.labels.create(PROJECT_ID, { name: 'docs' })))
    expect(error).toMatchObject({ kind: 'conflict', existingId: 'lbl-1', status: 409 })
    expect(calls).toHaveLength(1)
  })
})

describe('waits for the key’s window', () => {
  const me = always({ body: { id: 'u1' } })

  it('should tell of a wait of an agent’s request for a full window, with its priority and how long', async () => {
    const waits: PlaneWindowWait[] = []
    const { client } = setup(me, {
      rateLimit: { requests: 1, windowMs: 60_000 },
      onWindowWait: (wait) => waits.push(wait),
    })
    const agent = client.withPriority('agent')
    await agent.users.me()
    expect(waits).toEqual([])
    const second = observe(agent.users.me())
    await vi.advanceTimersByTimeAsync(62_000)
    expect((await second).ok).toBe(true)
    // The window's minute and the second a start counts longer here than in Plane (request-window.ts `lateness`).
    expect(waits).toEqual([{ priority: 'agent', waitedMs: 61_001, cause: 'window' }])
  })

  it('should tell of a 429’s Retry-After at a person’s priority, and never of background work’s waits', async () => {
    const waits: PlaneWindowWait[] = []
    let n = 0
    const { client } = setup(
      () =>
        n++ % 2 === 0
          ? { status: 429, body: { error_code: 5900 }, headers: { 'Retry-After': '7' } }
          : { body: { id: 'u1' } },
      { onWindowWait: (wait) => waits.push(wait) }
    )
    const human = observe(client.withPriority('human').users.me())
    await vi.advanceTimersByTimeAsync(7_000)
    expect((await human).ok).toBe(true)
    expect(waits).toEqual([{ priority: 'human', waitedMs: 7_000, cause: 'refused' }])
    const background = observe(client.users.me())
    await vi.advanceTimersByTimeAsync(7_000)
    expect((await background).ok).toBe(true)
    expect(waits).toHaveLength(1)
  })

  it('should give up a request still waiting for the window when its start signal aborts, one already sent never', async () => {
    const { client, calls } = setup(me, { rateLimit: { requests: 1, windowMs: 60_000 } })
    const giveUp = new AbortController()
    const bounded = client.withStartSignal(giveUp.signal)
    await bounded.users.me()
    // The window is full: the second waits for it, and is given up at the abort, never sent.
    const waiting = observe(bounded.users.me())
    await vi.advanceTimersByTimeAsync(10_000)
    giveUp.abort()
    const outcome = await waiting
    expect(outcome.ok).toBe(false)
    expect((outcome as { error: unknown }).error).toBeInstanceOf(RequestNotStarted)
    expect(calls).toHaveLength(1)
    // The client it came from is not bound by it, and the window did not count the start given up.
    const later = observe(client.users.me())
    await vi.advanceTimersByTimeAsync(51_001)
    expect((await later).ok).toBe(true)
    expect(calls).toHaveLength(2)
  })

  it('should end a retry’s wait when the start signal aborts, and not send the retry', async () => {
    const { client, offsets } = setup(always({ status: 503, body: { error: 'down' } }))
    const giveUp = new AbortController()
    const outcome = observe(client.withStartSignal(giveUp.signal).users.me())
    await vi.advanceTimersByTimeAsync(1_000)
    expect(offsets()).toEqual([0, 1_000])
    await vi.advanceTimersByTimeAsync(2_000)
    giveUp.abort()
    const settled = await outcome
    expect(settled.ok).toBe(false)
    expect((settled as { error: unknown }).error).toBeInstanceOf(RequestNotStarted)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(offsets()).toEqual([0, 1_000])
  })
})
