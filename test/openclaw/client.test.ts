import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { withRetry } from '../../shared/net/retry.ts'
import { createOpenClawClient, type OpenClawClientOptions } from '../../shared/openclaw/client.ts'
import { classifyOpenClawError, OpenClawError } from '../../shared/openclaw/errors.ts'
import { createOpenClawSim, type OpenClawSimOptions } from '../../sim/openclaw/index.ts'

const TOKEN = 'hooks-token-8f3a9c2e71'

function setup(
  simOptions: Partial<OpenClawSimOptions> = {},
  clientOptions: Partial<OpenClawClientOptions> = {}
) {
  const sim = createOpenClawSim({ token: TOKEN, ...simOptions })
  const openclaw = createOpenClawClient({
    hooksUrl: sim.hooksUrl,
    token: TOKEN,
    fetch: sim.fetch,
    ...clientOptions,
  })
  return { sim, openclaw }
}

async function failure(promise: Promise<unknown>): Promise<OpenClawError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(OpenClawError)
  return error as OpenClawError
}

function expectNoToken(error: unknown, token = TOKEN) {
  const e = error as Error
  for (const text of [String(e), e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10 })]) {
    expect(text).not.toContain(token)
  }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('createOpenClawClient.agent', () => {
  it('should POST the body to {hooksUrl}/agent with bearer, Idempotency-Key and JSON', async () => {
    const { sim, openclaw } = setup()
    const result = await openclaw.agent(
      {
        message: 'Task PB-12 is assigned to you',
        agentId: 'main',
        name: 'plane-bridge',
        wakeMode: 'now',
        deliver: false,
        timeoutSeconds: 600,
      },
      { idempotencyKey: 'assign:PB-12:1' }
    )
    expect(result).toEqual({ status: 200, runId: 'run_0001' })
    const call = sim.calls[0]
    expect(call).toMatchObject({
      path: '/hooks/agent',
      method: 'POST',
      idempotencyKey: 'assign:PB-12:1',
      status: 200,
    })
    expect(call?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
    })
    expect(call?.body).toEqual({
      message: 'Task PB-12 is assigned to you',
      agentId: 'main',
      name: 'plane-bridge',
      wakeMode: 'now',
      deliver: false,
      timeoutSeconds: 600,
    })
  })

  it('should accept the 202 of older releases as success', async () => {
    const { openclaw } = setup({ legacy202: true })
    expect(await openclaw.agent({ message: 'x' }, { idempotencyKey: 'k' })).toEqual({
      status: 202,
      runId: 'run_0001',
    })
  })

  it('should accept a 2xx without a body', async () => {
    const openclaw = createOpenClawClient({
      hooksUrl: 'http://openclaw.test/hooks',
      token: TOKEN,
      fetch: async () => new Response(null, { status: 204 }),
    })
    expect(await openclaw.agent({ message: 'x' }, { idempotencyKey: 'k' })).toEqual({ status: 204 })
  })

  it('should start one run when the same Idempotency-Key is retried', async () => {
    const { sim, openclaw } = setup()
    const first = await openclaw.agent({ message: 'x' }, { idempotencyKey: 'same' })
    const second = await openclaw.agent({ message: 'x' }, { idempotencyKey: 'same' })
    expect(second.runId).toBe(first.runId)
    expect(sim.runs).toHaveLength(1)
  })

  it('should send channel and to together, and refuse half of them or "last"', async () => {
    const { sim, openclaw } = setup()
    await openclaw.agent(
      { message: 'x', channel: 'telegram', to: '-1001' },
      { idempotencyKey: 'a' }
    )
    expect(sim.calls[0]?.body).toMatchObject({ channel: 'telegram', to: '-1001' })
    await expect(
      openclaw.agent({ message: 'x', channel: 'telegram' }, { idempotencyKey: 'b' })
    ).rejects.toThrow(/together/)
    await expect(
      openclaw.agent({ message: 'x', to: '-1001' }, { idempotencyKey: 'c' })
    ).rejects.toThrow(TypeError)
    await expect(
      openclaw.agent({ message: 'x', channel: 'last', to: 'x' }, { idempotencyKey: 'd' })
    ).rejects.toThrow(/last/)
    await expect(openclaw.agent({ message: 'x' }, { idempotencyKey: '' })).rejects.toThrow(
      /idempotencyKey/
    )
    expect(sim.calls).toHaveLength(1)
  })
})

describe('createOpenClawClient.wake', () => {
  it('should POST text with mode now by default and return the event outcome', async () => {
    const { sim, openclaw } = setup()
    expect(await openclaw.wake({ text: 'PB-12 assigned' })).toEqual({
      status: 200,
      eventOutcome: 'queued',
    })
    expect(
      await openclaw.wake(
        { text: 'PB-13 assigned', mode: 'next-heartbeat' },
        { idempotencyKey: 'w2' }
      )
    ).toEqual({ status: 200, eventOutcome: 'coalesced' })
    expect(sim.calls.map((c) => [c.path, c.body, c.idempotencyKey])).toEqual([
      ['/hooks/wake', { text: 'PB-12 assigned', mode: 'now' }, undefined],
      ['/hooks/wake', { text: 'PB-13 assigned', mode: 'next-heartbeat' }, 'w2'],
    ])
  })
})

describe('OpenClawError from the client', () => {
  it('should type a wrong token as auth without leaking either token', async () => {
    const { sim } = setup()
    const wrong = createOpenClawClient({
      hooksUrl: sim.hooksUrl,
      token: 'wrong-token-123456',
      fetch: sim.fetch,
    })
    const error = await failure(wrong.agent({ message: 'x' }, { idempotencyKey: 'k' }))
    expect(error).toMatchObject({ kind: 'auth', status: 401, endpoint: '/agent' })
    expect(classifyOpenClawError(error)).toEqual({ retry: false })
    expectNoToken(error, 'wrong-token-123456')
    expectNoToken(error)
  })

  it('should type 400, 404, 409, 413 and 5xx by status', async () => {
    const { sim, openclaw } = setup({ maxBodyBytes: 1_000 })
    const bad = await failure(openclaw.agent({ message: '' }, { idempotencyKey: 'k1' }))
    expect(bad).toMatchObject({ kind: 'bad_request', status: 400, detail: 'message required' })

    const wrongPath = createOpenClawClient({
      hooksUrl: 'http://openclaw.test/hook',
      token: TOKEN,
      fetch: sim.fetch,
    })
    expect(await failure(wrongPath.wake({ text: 'x' }))).toMatchObject({
      kind: 'not_found',
      status: 404,
    })

    await openclaw.agent({ message: 'one' }, { idempotencyKey: 'k2' })
    const conflict = await failure(openclaw.agent({ message: 'two' }, { idempotencyKey: 'k2' }))
    expect(conflict).toMatchObject({ kind: 'conflict', status: 409 })

    const large = await failure(
      openclaw.agent({ message: 'x'.repeat(2_000) }, { idempotencyKey: 'k3' })
    )
    expect(large).toMatchObject({ kind: 'too_large', status: 413 })

    sim.faults.failNext(1, 503)
    const down = await failure(openclaw.wake({ text: 'x' }))
    expect(down).toMatchObject({ kind: 'unavailable', status: 503 })

    expect([bad, large].map(classifyOpenClawError)).toEqual([{ retry: false }, { retry: false }])
    expect([conflict, down].map(classifyOpenClawError)).toEqual([{ retry: true }, { retry: true }])
  })

  it('should parse Retry-After of a 429 into retryAfterMs', async () => {
    const { sim, openclaw } = setup()
    sim.faults.rateLimitNext(1, 30)
    const error = await failure(openclaw.agent({ message: 'x' }, { idempotencyKey: 'k' }))
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 30_000 })
    expect(classifyOpenClawError(error)).toEqual({ retry: true, afterMs: 30_000 })
  })

  it('should type network failures and timeouts as unavailable, without the token', async () => {
    const { sim, openclaw } = setup()
    sim.faults.networkErrorNext(1)
    const refused = await failure(openclaw.wake({ text: 'x' }))
    expect(refused).toMatchObject({ kind: 'unavailable', status: undefined, timedOut: false })
    expect(refused.detail).toContain('fetch failed')
    expect(classifyOpenClawError(refused)).toEqual({ retry: true })

    vi.useFakeTimers()
    const hanging = createOpenClawClient({
      hooksUrl: 'http://openclaw.test/hooks',
      token: TOKEN,
      timeoutMs: 2_000,
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
        }),
    })
    const pending = failure(hanging.agent({ message: 'x' }, { idempotencyKey: 'k' }))
    await vi.advanceTimersByTimeAsync(2_000)
    const timeout = await pending
    expect(timeout).toMatchObject({ kind: 'unavailable', timedOut: true })
    for (const error of [refused, timeout]) expectNoToken(error)
  })

  it('should redact the token if a server error echoes it', async () => {
    const openclaw = createOpenClawClient({
      hooksUrl: 'http://openclaw.test/hooks',
      token: TOKEN,
      fetch: async () => Response.json({ ok: false, error: `bad token ${TOKEN}` }, { status: 400 }),
    })
    const error = await failure(openclaw.wake({ text: 'x' }))
    expect(error.detail).toBe('bad token [redacted]')
    expectNoToken(error)
  })

  it('should refuse a hooksUrl that carries a token or credentials', () => {
    expect(() =>
      createOpenClawClient({ hooksUrl: `http://openclaw:18789/hooks?token=${TOKEN}`, token: TOKEN })
    ).toThrow(/query string/)
    expect(() =>
      createOpenClawClient({ hooksUrl: 'http://u:p@openclaw:18789/hooks', token: TOKEN })
    ).toThrow(TypeError)
  })
})

describe('classifyOpenClawError with withRetry', () => {
  it('should wait Retry-After and then succeed with the same Idempotency-Key (fake timers)', async () => {
    vi.useFakeTimers()
    const { sim, openclaw } = setup()
    sim.faults.rateLimitNext(1, 5)
    const onRetry = vi.fn()
    const running = withRetry(
      () => openclaw.agent({ message: 'x' }, { idempotencyKey: 'assign:1' }),
      {
        classify: classifyOpenClawError,
        onRetry,
      }
    )
    await vi.advanceTimersByTimeAsync(4_999)
    expect(sim.calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(await running).toEqual({ status: 200, runId: 'run_0001' })
    expect(onRetry).toHaveBeenCalledWith(expect.objectContaining({ delayMs: 5_000 }))
    expect(sim.calls.map((c) => [c.status, c.idempotencyKey])).toEqual([
      [429, 'assign:1'],
      [200, 'assign:1'],
    ])
  })
})

describe('createOpenClawClient errors from the gateway', () => {
  it('should cut a long error between characters, so "could not be woken" can quote it to Telegram (issue 44)', async () => {
    const said = `${'x'.repeat(198)}👩‍💻${'y'.repeat(300)}`
    const openclaw = createOpenClawClient({
      hooksUrl: 'http://gateway.test/hooks',
      token: TOKEN,
      fetch: async () => Response.json({ ok: false, error: said }, { status: 500 }),
    })
    const error = await failure(
      openclaw.agent({ message: 'réveil', agentId: 'imhotep' }, { idempotencyKey: 'k' })
    )
    expect(error.detail).toBe(`${'x'.repeat(198)}…`)
    expect(encodeURIComponent(error.detail)).toContain('x')
  })
})
