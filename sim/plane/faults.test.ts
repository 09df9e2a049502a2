import { describe, expect, it } from 'vitest'
import { seededSim } from './test-helpers.ts'

describe('plane sim: fault injection', () => {
  it('should fail the next n requests with an nginx-style page, then recover', async () => {
    const { sim, call, admin } = seededSim()
    sim.faults.failNext(2, 502)
    const first = await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
    expect(first.status).toBe(502)
    expect(first.text).toContain('<title>502 Bad Gateway</title>')
    expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(502)
    expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(200)
    expect(sim.requests.map((r) => r.status)).toEqual([502, 502, 200])
  })

  it('should fail only the requests that match, n times, and leave the others alone', async () => {
    const { sim, call, admin } = seededSim()
    sim.faults.failWhen((r) => r.method === 'GET' && r.path.endsWith('/members/'), 1, 500)
    expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(200)
    const path = `/api/v1/workspaces/${sim.workspaceSlug}/members/`
    const members = await call('GET', path, { key: admin.apiKey })
    expect(members.status).toBe(500)
    expect(members.text).toContain('<title>500 Internal Server Error</title>')
    expect((await call('GET', path, { key: admin.apiKey })).status).toBe(200)
  })

  it('should carry out a request and still answer 500 when failing after the write', async () => {
    const { sim, call, admin, projectPath } = seededSim()
    sim.faults.failAfterWhen((r) => r.method === 'POST' && r.path.endsWith('/labels/'), 1)
    const failed = await call('POST', `${projectPath}/labels/`, {
      key: admin.apiKey,
      body: { name: 'urgent' },
    })
    expect([failed.status, failed.body]).toEqual([
      500,
      { error: 'Something went wrong please try again later' },
    ])
    const labels = await call('GET', `${projectPath}/labels/`, { key: admin.apiKey })
    expect(
      (labels.body as { results: Array<{ name: string }> }).results.map((l) => l.name)
    ).toContain('urgent')
    const next = await call('POST', `${projectPath}/labels/`, {
      key: admin.apiKey,
      body: { name: 'later' },
    })
    expect(next.status).toBe(201)
  })

  it('should answer a 429 storm with Plane’s body and Retry-After, without spending quota', async () => {
    const { sim, call, admin } = seededSim({ rateLimitPerMinute: 1 })
    sim.faults.rateLimitStorm(1, 7)
    const storm = await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
    expect([storm.status, storm.body, storm.headers.get('Retry-After')]).toEqual([
      429,
      { error_code: 5900, error_message: 'RATE_LIMIT_EXCEEDED' },
      '7',
    ])
    expect((await call('GET', '/api/v1/users/me/', { key: admin.apiKey })).status).toBe(200)
  })

  it('should hang until the client aborts, so client timeouts can be tested', async () => {
    const { sim, admin } = seededSim()
    sim.faults.hangNext(1)
    const started = Date.now()
    const attempt = sim.fetch(`${sim.baseUrl}/api/v1/users/me/`, {
      headers: { 'X-API-Key': admin.apiKey },
      signal: AbortSignal.timeout(50),
    })
    await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(40)
    const next = await sim.fetch(`${sim.baseUrl}/api/v1/users/me/`, {
      headers: { 'X-API-Key': admin.apiKey },
    })
    expect(next.status).toBe(200)
  })

  it('should add latency before answering', async () => {
    const { sim, call, admin } = seededSim()
    sim.faults.latencyMs = 30
    const started = Date.now()
    await call('GET', '/api/v1/users/me/', { key: admin.apiKey })
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
  })

  it('should fail URLs outside baseUrl like a DNS error and serve the same app on a loopback port', async () => {
    const { sim, admin } = seededSim()
    await expect(sim.fetch('http://elsewhere.example/api/v1/users/me/')).rejects.toThrow(
      'fetch failed'
    )
    const server = await sim.listen(0)
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const res = await fetch(`${server.url}/api/v1/users/me/`, {
        headers: { 'X-API-Key': admin.apiKey },
      })
      expect(res.status).toBe(200)
      expect((await res.json()).id).toBe(admin.id)
    } finally {
      await server.close()
    }
  })
})
