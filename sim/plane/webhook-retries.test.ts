import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import { createPlaneSim } from './index.ts'

function simWithFetch(fetchImpl: typeof fetch, extra: Parameters<typeof createPlaneSim>[0] = {}) {
  const sim = createPlaneSim({ webhookFetch: fetchImpl, webhookRetryDelayMs: () => 0, ...extra })
  const admin = sim.seed.user({ role: 20 })
  const project = sim.seed.project({ name: 'Engineering', identifier: 'ENG', creator: admin.id })
  const hook = sim.webhooks.register({ url: 'https://receiver.example.com/hook', issue: true })
  return { sim, admin, project, hook }
}

const refused = () =>
  new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 10.0.0.9:443') })

describe('plane sim: webhook retries (Celery autoretry on RequestException)', () => {
  it('should never retry an HTTP error status, 5xx included', async () => {
    const fetchImpl = vi.fn(
      async () => new Response('boom', { status: 500 })
    ) as unknown as typeof fetch
    const { sim, admin, project } = simWithFetch(fetchImpl)
    await sim.ui.createWorkItem(admin.id, project.id, { name: 'x' })
    await sim.webhooks.settle()
    expect(sim.webhooks.deliveries.map((d) => [d.attempt, d.status])).toEqual([[1, 500]])
    expect(sim.webhooks.pendingRetries()).toBe(0)
  })

  it('should retry transport errors with a new X-Plane-Delivery but identical body and signature', async () => {
    let calls = 0
    const fetchImpl = (async () => {
      calls += 1
      if (calls < 3) throw refused()
      return new Response('ok')
    }) as typeof fetch
    const { sim, admin, project, hook } = simWithFetch(fetchImpl)
    await sim.ui.createWorkItem(admin.id, project.id, { name: 'x' })
    await sim.webhooks.settle()
    const attempts = sim.webhooks.deliveries
    expect(attempts.map((d) => [d.attempt, d.status ?? d.error])).toEqual([
      [1, 'fetch failed'],
      [2, 'fetch failed'],
      [3, 200],
    ])
    expect(new Set(attempts.map((d) => d.deliveryId)).size).toBe(3)
    expect(new Set(attempts.map((d) => d.body)).size).toBe(1)
    const signature = createHmac('sha256', hook.secret_key)
      .update(attempts[0]?.body ?? '')
      .digest('hex')
    expect(attempts.every((d) => d.headers['X-Plane-Signature'] === signature)).toBe(true)
    expect(hook.is_active).toBe(true)
  })

  it('should deactivate the webhook after the 6th failed attempt and send nothing afterwards', async () => {
    const fetchImpl = (async () => {
      throw refused()
    }) as typeof fetch
    const { sim, admin, project, hook } = simWithFetch(fetchImpl)
    await sim.ui.createWorkItem(admin.id, project.id, { name: 'x' })
    await sim.webhooks.settle()
    expect(sim.webhooks.deliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6])
    expect(hook.is_active).toBe(false)
    await sim.ui.createWorkItem(admin.id, project.id, { name: 'y' })
    await sim.webhooks.settle()
    expect(sim.webhooks.deliveries).toHaveLength(6)
  })

  it('should treat a receiver that never answers as a timeout and retry', async () => {
    let calls = 0
    const fetchImpl = ((_input: RequestInfo | URL, init?: RequestInit) => {
      calls += 1
      if (calls > 1) return Promise.resolve(new Response('ok'))
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
      })
    }) as typeof fetch
    const { sim, admin, project } = simWithFetch(fetchImpl, { webhookTimeoutMs: 20 })
    await sim.ui.createWorkItem(admin.id, project.id, { name: 'x' })
    await sim.webhooks.settle()
    expect(sim.webhooks.deliveries.map((d) => d.status ?? d.error)).toEqual([
      'Read timed out. (read timeout=30)',
      200,
    ])
  })

  it('should schedule retries with the 0–600 s jitter and run them when the clock gets there', async () => {
    vi.useFakeTimers({ now: 0 })
    try {
      let calls = 0
      const fetchImpl = (async () => {
        calls += 1
        if (calls === 1) throw refused()
        return new Response('ok')
      }) as typeof fetch
      const sim = createPlaneSim({ webhookFetch: fetchImpl, random: () => 0.5 })
      const admin = sim.seed.user({ role: 20 })
      const project = sim.seed.project({
        name: 'Engineering',
        identifier: 'ENG',
        creator: admin.id,
      })
      sim.webhooks.register({ url: 'https://receiver.example.com/hook', issue: true })
      await sim.ui.createWorkItem(admin.id, project.id, { name: 'x' })
      await sim.webhooks.settle()
      expect([sim.webhooks.deliveries.length, sim.webhooks.pendingRetries()]).toEqual([1, 1])
      await vi.advanceTimersByTimeAsync(299_999)
      expect(sim.webhooks.deliveries).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(1)
      await sim.webhooks.settle()
      expect(sim.webhooks.deliveries.map((d) => d.status ?? d.error)).toEqual(['fetch failed', 200])
    } finally {
      vi.useRealTimers()
    }
  })

  it('should POST real bytes to a loopback receiver whose raw-body HMAC matches', async () => {
    const bodies: Array<{ raw: Buffer; signature: string | undefined }> = []
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        bodies.push({
          raw: Buffer.concat(chunks),
          signature: req.headers['x-plane-signature'] as string,
        })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const sim = createPlaneSim({ webhookRetryDelayMs: () => 0 })
      const admin = sim.seed.user({ role: 20, first_name: 'Zoë' })
      const project = sim.seed.project({
        name: 'Engineering',
        identifier: 'ENG',
        creator: admin.id,
      })
      const hook = sim.webhooks.register({
        url: `http://127.0.0.1:${port}/webhooks/plane`,
        issue: true,
      })
      await sim.ui.createWorkItem(admin.id, project.id, { name: 'naïve 🚀' })
      await sim.webhooks.settle()
      expect(bodies).toHaveLength(1)
      const [received] = bodies
      const expected = createHmac('sha256', hook.secret_key)
        .update(received?.raw ?? Buffer.alloc(0))
        .digest('hex')
      expect(received?.signature).toBe(expected)
      expect(received?.raw.toString('utf8')).toContain('"name": "na\\u00efve \\ud83d\\ude80"')
      expect(sim.webhooks.deliveries[0]?.status).toBe(204)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
