import { describe, expect, it } from 'vitest'
import { functions as registry } from '../../functions/index.ts'
import { createApp } from '../../runtime/app.ts'
import { defineHttpFunction } from '../../shared/core/function.ts'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import { StoreUnavailableError } from '../../shared/store/unavailable.ts'
import { makeServices } from '../../sim/e2e/services.ts'

const boom = defineHttpFunction({
  name: 'boom',
  description: 'throws',
  method: 'GET',
  path: '/boom',
  handler: () => {
    throw new Error('database password=hunter22 exploded')
  },
})
const storeDown = defineHttpFunction({
  name: 'store-down',
  description: 'finds the store down',
  method: 'GET',
  path: '/store-down',
  handler: () => {
    throw new StoreUnavailableError('REDIS_URL', 'redis://127.0.0.1:6390/6', 'Command timed out')
  },
})
const echo = defineHttpFunction({
  name: 'echo',
  description: 'echoes the body length',
  method: 'POST',
  path: '/echo',
  handler: async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }),
})
/** Answers with the first chunk of the body, before the rest has arrived. */
const head = defineHttpFunction({
  name: 'head',
  description: 'the first chunk of the body',
  method: 'POST',
  path: '/head',
  handler: async (c) => {
    const reader = (c.req.raw.body as ReadableStream<Uint8Array>).getReader()
    const first = await reader.read()
    await reader.cancel()
    return c.json({ first: first.value?.byteLength ?? 0 })
  },
})
const guarded = defineHttpFunction({
  name: 'guarded',
  description: 'needs a secret',
  method: 'POST',
  path: '/webhooks/guarded',
  requires: ['PLANE_WEBHOOK_SECRET', 'PLANE_API_KEY'],
  handler: (c) => c.json({ accepted: true }),
})

function makeApp(env = {}, store?: Store) {
  const functions = [...registry, boom, storeDown, echo, head, guarded]
  const services = makeServices({ functions, env, ...(store ? { store } : {}) })
  return { app: createApp({ functions, root: services.root, bodyLimitBytes: 1024 }), services }
}

describe('runtime app', () => {
  it('should answer /health without touching the store', async () => {
    const failing = {
      ...createMemoryStore(),
      ping: () => Promise.reject(new Error('down')),
    } as Store
    const { app } = makeApp({}, failing)
    const res = await app.request('/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
    expect(res.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/)
    // A caller's own id is kept when it is a plain token, replaced otherwise.
    const kept = await app.request('/health', { headers: { 'X-Request-Id': 'caddy-4f2a=' } })
    expect(kept.headers.get('X-Request-Id')).toBe('caddy-4f2a=')
    const odd = await app.request('/health', { headers: { 'X-Request-Id': 'a b<script>' } })
    expect(odd.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('should report the store and the functions that are off on /ready', async () => {
    const { app } = makeApp()
    const res = await app.request('/ready')
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      status: string
      store: unknown
      functions: { enabled: string[]; disabled: Record<string, string[]> }
    }
    expect(body.status).toBe('ok')
    expect(body.store).toMatchObject({ driver: 'memory', ok: true })
    expect(body.functions.disabled).toMatchObject({
      'plane-webhook': ['PLANE_WEBHOOK_SECRET'],
      guarded: ['PLANE_WEBHOOK_SECRET', 'PLANE_API_KEY'],
    })
    expect(body.functions.enabled).toContain('health')
  })

  it('should keep /ready and /metrics to the bearer of OPS_TOKEN when it is set, /health open', async () => {
    const token = 'ops-0123456789abcdef0123456789'
    const { app, services } = makeApp({ OPS_TOKEN: token })
    expect((await app.request('/health')).status).toBe(200)
    for (const path of ['/ready', '/metrics']) {
      const anonymous = await app.request(path)
      expect(anonymous.status, path).toBe(401)
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
      const wrong = await app.request(path, { headers: { authorization: `Bearer ${token}x` } })
      expect(wrong.status, path).toBe(401)
      const right = await app.request(path, { headers: { authorization: `Bearer ${token}` } })
      expect(right.status, path).toBe(200)
    }
    expect(JSON.stringify(services.logs)).not.toContain(token)
    // Closed without a token (the Workers default): the answer says what to set.
    const closed = makeApp({ OPS_PUBLIC: 'false' }).app
    const refused = await closed.request('/ready')
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({
      message: expect.stringContaining('set OPS_TOKEN'),
    })
  })

  it('should answer 503 on /ready when the store is unreachable', async () => {
    const failing = {
      ...createMemoryStore(),
      ping: () => Promise.reject(new Error('ECONNREFUSED')),
    } as Store
    const { app } = makeApp({}, failing)
    const res = await app.request('/ready')
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({
      status: 'unavailable',
      store: { ok: false, error: 'ECONNREFUSED' },
    })
  })

  it('should answer 404 JSON for unknown routes and wrong methods', async () => {
    const { app } = makeApp()
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/health'],
      ['GET', '/echo'],
    ] as const) {
      const res = await app.request(path, { method })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ error: 'not_found', message: 'No such route.' })
    }
  })

  it('should answer 413 for an oversized body, declared or streamed', async () => {
    const { app } = makeApp()
    const small = await app.request('/echo', { method: 'POST', body: 'x'.repeat(1024) })
    expect(await small.json()).toEqual({ bytes: 1024 })
    const declared = await app.request('/echo', { method: 'POST', body: 'x'.repeat(1025) })
    expect(declared.status).toBe(413)
    expect(await declared.json()).toMatchObject({ error: 'payload_too_large' })
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(400)))
        controller.close()
      },
    })
    const streamed = await app.request('/echo', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(streamed.status).toBe(413)
  })

  it('should hand a streamed body to the route as it arrives, never held whole first (issue 38)', async () => {
    const { app } = makeApp()
    let sendRest: () => void = () => undefined
    const rest = new Promise<void>((resolve) => {
      sendRest = resolve
    })
    // The second chunk comes only after the answer: a limiter that reads the body whole first never answers.
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array(300))
        await rest
        controller.enqueue(new Uint8Array(300))
        controller.close()
      },
    })
    const answered = Promise.resolve(
      app.request('/head', { method: 'POST', body, duplex: 'half' } as RequestInit)
    )
    const first = await Promise.race([
      answered.then(async (res) => (await res.json()) as { first: number }),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000)),
    ])
    sendRest()
    expect(first).toEqual({ first: 300 })
  })

  it('should answer a thrown error with a generic 500 and log the details, redacted', async () => {
    const { app, services } = makeApp({ PLANE_API_KEY: 'plane_api_0123456789abcdef' })
    const res = await app.request('/boom')
    expect(res.status).toBe(500)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toEqual({
      error: 'internal_error',
      message: 'Internal error.',
      requestId: expect.any(String),
    })
    expect(JSON.stringify(body)).not.toContain('exploded')
    const logged = services.logs.find((l) => l.msg === 'unhandled error')
    expect(logged).toMatchObject({ requestId: body.requestId, route: 'boom' })
    expect(JSON.stringify(logged)).toContain('exploded')
    const again = await app.request('/health')
    expect(again.status).toBe(200)
  })

  it('should answer a store that does not answer with 503, Retry-After and the setting, not 500 (issue 45)', async () => {
    const { app, services } = makeApp()
    const res = await app.request('/store-down')
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('30')
    expect(await res.json()).toMatchObject({
      error: 'store_unavailable',
      message: 'plane-bridge cannot reach its store (REDIS_URL); try again later.',
    })
    expect(services.logs.find((l) => l.route === 'store-down')).toMatchObject({
      msg: 'request failed: the store does not answer',
      setting: 'REDIS_URL',
    })
  })

  it('should answer 503 not_configured for a function missing its settings, and 200 once configured', async () => {
    const off = makeApp()
    const res = await off.app.request('/webhooks/guarded', { method: 'POST', body: '{}' })
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({
      error: 'not_configured',
      message: 'guarded is off: missing PLANE_WEBHOOK_SECRET, PLANE_API_KEY.',
    })
    const on = makeApp({
      PLANE_WEBHOOK_SECRET: 'plane_wh_x1y2z3',
      PLANE_API_KEY: 'plane_api_abcdef123',
    })
    expect((await on.app.request('/webhooks/guarded', { method: 'POST', body: '{}' })).status).toBe(
      200
    )
  })

  it('should expose request counts and durations on /metrics in Prometheus text', async () => {
    const { app } = makeApp()
    await app.request('/health')
    await app.request('/health')
    await app.request('/nope')
    await app.request('/boom')
    const res = await app.request('/metrics')
    expect(res.headers.get('Content-Type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await res.text()
    expect(text).toContain(
      'plane_bridge_http_requests_total{route="health",method="GET",status="200"} 2'
    )
    expect(text).toContain(
      'plane_bridge_http_requests_total{route="unmatched",method="GET",status="404"} 1'
    )
    expect(text).toContain(
      'plane_bridge_http_requests_total{route="boom",method="GET",status="500"} 1'
    )
    expect(text).toMatch(
      /plane_bridge_http_request_duration_seconds_bucket\{route="health",method="GET",le="\+Inf"\} 2/
    )
    expect(text).toContain('# TYPE plane_bridge_job_runs_total counter')
    // Every sample line parses as `name{labels} value`.
    for (const line of text
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_:]+(\{[^}]*\})? [0-9.e+-]+|\+Inf$/)
    }
  })

  it('should log one line per request with its route and status, never the query string', async () => {
    const { app, services } = makeApp()
    await app.request('/health?token=abcdef-secret')
    const line = services.logs.find((l) => l.msg === 'request')
    expect(line).toMatchObject({ method: 'GET', path: '/health', route: 'health', status: 200 })
    expect(services.rawLogs.join('\n')).not.toContain('abcdef-secret')
  })
})
