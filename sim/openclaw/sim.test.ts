import { describe, expect, it } from 'vitest'
import { createOpenClawSim, type OpenClawSimOptions } from './index.ts'

const TOKEN = 'hooks-secret-1'

function setup(options: Partial<OpenClawSimOptions> = {}) {
  const sim = createOpenClawSim({ token: TOKEN, ...options })
  const post = async (
    path: string,
    body: unknown,
    headers: Record<string, string> = {}
  ): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | null }> => {
    const response = await sim.fetch(`http://openclaw.test${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
      retryAfter: response.headers.get('retry-after'),
    }
  }
  return { sim, post }
}

describe('createOpenClawSim auth', () => {
  it('should accept Authorization: Bearer and x-openclaw-token', async () => {
    const { post } = setup()
    expect((await post('/hooks/wake', { text: 'x' })).status).toBe(200)
    const viaHeader = await post(
      '/hooks/wake',
      { text: 'y' },
      { authorization: '', 'x-openclaw-token': TOKEN }
    )
    expect(viaHeader.status).toBe(200)
  })

  it('should answer 401 without a valid token', async () => {
    const { post } = setup()
    expect((await post('/hooks/wake', { text: 'x' }, { authorization: '' })).status).toBe(401)
    expect(
      (await post('/hooks/wake', { text: 'x' }, { authorization: 'Bearer nope' })).status
    ).toBe(401)
    expect((await post('/hooks/wake', { text: 'x' }, { authorization: TOKEN })).status).toBe(401)
  })

  it('should reject ?token= with 400 even when the token is right', async () => {
    const { post } = setup()
    expect((await post(`/hooks/wake?token=${TOKEN}`, { text: 'x' })).status).toBe(400)
  })

  it('should throttle repeated auth failures with 429 and Retry-After', async () => {
    let now = 0
    const { post } = setup({ authFailureLimit: 3, authFailureWindowS: 60, now: () => now })
    for (let i = 0; i < 3; i++)
      expect(
        (await post('/hooks/wake', { text: 'x' }, { authorization: 'Bearer bad' })).status
      ).toBe(401)
    now = 10_000
    const throttled = await post('/hooks/wake', { text: 'x' })
    expect(throttled).toMatchObject({ status: 429, retryAfter: '50' })
    now = 60_000
    expect((await post('/hooks/wake', { text: 'x' })).status).toBe(200)
  })
})

describe('createOpenClawSim requests', () => {
  it('should accept JSON only', async () => {
    const { post } = setup()
    expect(
      (await post('/hooks/wake', 'text=x', { 'content-type': 'application/x-www-form-urlencoded' }))
        .status
    ).toBe(415)
    expect((await post('/hooks/wake', '{not json', {})).status).toBe(400)
    expect((await post('/hooks/wake', '["x"]', {})).status).toBe(400)
  })

  it('should answer 404 for other paths and when hooks are disabled, 405 for GET', async () => {
    const { sim, post } = setup()
    expect((await post('/hooks/other', { text: 'x' })).status).toBe(404)
    expect((await post('/api/agent', { message: 'x' })).status).toBe(404)
    expect((await sim.fetch('http://openclaw.test/hooks/wake')).status).toBe(405)
    const disabled = setup({ enabled: false })
    expect((await disabled.post('/hooks/wake', { text: 'x' })).status).toBe(404)
  })

  it('should answer 413 above maxBodyBytes', async () => {
    const { post } = setup({ maxBodyBytes: 100 })
    expect(
      (await post('/hooks/agent', { message: 'x'.repeat(200) }, { 'idempotency-key': 'k' })).status
    ).toBe(413)
  })

  it('should record every call with headers, body and Idempotency-Key', async () => {
    const { sim, post } = setup()
    await post('/hooks/agent', { message: 'hi' }, { 'idempotency-key': 'key-1' })
    await post('/hooks/agent', { message: 'hi' }, { authorization: '' })
    expect(
      sim.calls.map(({ path, idempotencyKey, status, body }) => ({
        path,
        idempotencyKey,
        status,
        body,
      }))
    ).toEqual([
      { path: '/hooks/agent', idempotencyKey: 'key-1', status: 200, body: { message: 'hi' } },
      { path: '/hooks/agent', status: 401, body: { message: 'hi' } },
    ])
    expect(sim.calls[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })
})

describe('/hooks/agent', () => {
  it('should admit a run with 200 {ok, runId}, or 202 in legacy mode', async () => {
    const { sim, post } = setup()
    expect(await post('/hooks/agent', { message: 'Task PB-1' })).toMatchObject({
      status: 200,
      body: { ok: true, runId: 'run_0001' },
    })
    expect(sim.runs).toEqual([{ runId: 'run_0001', body: { message: 'Task PB-1' } }])
    const legacy = setup({ legacy202: true })
    expect((await legacy.post('/hooks/agent', { message: 'x' })).status).toBe(202)
  })

  it('should require message and reject half a delivery target or channel "last"', async () => {
    const { sim, post } = setup()
    expect(await post('/hooks/agent', {})).toMatchObject({
      status: 400,
      body: { ok: false, error: 'message required' },
    })
    expect((await post('/hooks/agent', { message: 'x', channel: 'telegram' })).status).toBe(400)
    expect((await post('/hooks/agent', { message: 'x', to: '123' })).status).toBe(400)
    expect((await post('/hooks/agent', { message: 'x', channel: 'last', to: '123' })).status).toBe(
      400
    )
    expect(
      (await post('/hooks/agent', { message: 'x', channel: 'telegram', to: '123' })).status
    ).toBe(200)
    expect(sim.runs).toHaveLength(1)
  })

  it('should enforce allowedAgentIds and allowRequestSessionKey', async () => {
    const { post } = setup({ allowedAgentIds: ['main'] })
    expect((await post('/hooks/agent', { message: 'x', agentId: 'main' })).status).toBe(200)
    expect((await post('/hooks/agent', { message: 'x', agentId: 'other' })).status).toBe(400)
    expect((await post('/hooks/agent', { message: 'x', sessionKey: 's' })).status).toBe(400)
  })

  it('should answer the same runId for a repeated Idempotency-Key without a second run', async () => {
    const { sim, post } = setup()
    const first = await post('/hooks/agent', { message: 'x' }, { 'idempotency-key': 'k' })
    const second = await post('/hooks/agent', { message: 'x' }, { 'idempotency-key': 'k' })
    expect(second.body.runId).toBe(first.body.runId)
    expect(sim.runs).toHaveLength(1)
    expect(
      (await post('/hooks/agent', { message: 'changed' }, { 'idempotency-key': 'k' })).status
    ).toBe(409)
    expect((await post('/hooks/agent', { message: 'x' })).body.runId).toBe('run_0002')
  })
})

describe('/hooks/wake', () => {
  it('should queue, coalesce while pending, and queue again once processed', async () => {
    const { sim, post } = setup()
    expect((await post('/hooks/wake', { text: 'a' })).body).toEqual({
      ok: true,
      eventOutcome: 'queued',
    })
    expect((await post('/hooks/wake', { text: 'b', mode: 'next-heartbeat' })).body).toEqual({
      ok: true,
      eventOutcome: 'coalesced',
    })
    expect((await post('/hooks/wake', { text: 'c', agentId: 'ops' })).body).toEqual({
      ok: true,
      eventOutcome: 'queued',
    })
    sim.processWakes()
    expect((await post('/hooks/wake', { text: 'd' })).body).toEqual({
      ok: true,
      eventOutcome: 'queued',
    })
    expect(sim.wakes.map((w) => [w.text, w.mode, w.agentId])).toEqual([
      ['a', 'now', 'main'],
      ['b', 'next-heartbeat', 'main'],
      ['c', 'now', 'ops'],
      ['d', 'now', 'main'],
    ])
  })

  it('should require text and a known mode', async () => {
    const { post } = setup()
    expect((await post('/hooks/wake', {})).status).toBe(400)
    expect((await post('/hooks/wake', { text: 'x', mode: 'later' })).status).toBe(400)
  })
})

describe('faults and transport', () => {
  it('should fail, rate limit and refuse connections on demand, then recover', async () => {
    const { sim, post } = setup()
    sim.faults.failNext(1, 502)
    sim.faults.rateLimitNext(1, 7)
    expect((await post('/hooks/wake', { text: 'x' })).status).toBe(502)
    expect(await post('/hooks/wake', { text: 'x' })).toMatchObject({ status: 429, retryAfter: '7' })
    sim.faults.networkErrorNext(1)
    await expect(post('/hooks/wake', { text: 'x' })).rejects.toThrow('fetch failed')
    expect((await post('/hooks/wake', { text: 'x' })).status).toBe(200)
  })

  it('should serve on a real socket with the hooks URL', async () => {
    const { sim } = setup()
    const server = await sim.listen()
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks$/)
      const response = await fetch(`${server.url}/wake`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'over TCP' }),
      })
      expect(await response.json()).toEqual({ ok: true, eventOutcome: 'queued' })
    } finally {
      await server.close()
    }
  })
})
