/** The real functions on workerd, through runtime/worker.ts: HTTP, Plane webhooks to the outbox and Telegram, cron ticks. */
import {
  createExecutionContext,
  createScheduledController,
  env,
  SELF,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { functions } from '../../functions/index.ts'
import worker from '../../runtime/worker.ts'
import { workerCronOf } from '../../runtime/worker-crons.ts'
import { slotOf } from '../../shared/core/run-job.ts'
import { signPlaneBody } from '../../shared/plane/webhook-signature.ts'
import { makeProjectWebhook } from '../fixtures/plane.ts'
import { CHAT_ID, OPS_TOKEN, WEBHOOK_SECRET } from './bindings.ts'
import { createStubFetch, makeWorkItem, PROJECT, type StubFetch } from './stub-fetch.ts'

/** Keys the KV namespace holds under the store's prefix (REDIS_KEY_PREFIX, default `plane`). */
async function kvKeys(prefix: string): Promise<string[]> {
  const { keys } = await env.STORE.list({ prefix: `plane:${prefix}` })
  return keys.map((k) => k.name)
}

async function kvValue<T>(key: string): Promise<T | null> {
  const raw = await env.STORE.get(`plane:${key}`)
  return raw === null ? null : ((JSON.parse(raw) as { $v: T }).$v ?? null)
}

function useStubFetch(workItems?: Array<Record<string, unknown>>): StubFetch {
  const stub = createStubFetch(workItems)
  vi.spyOn(globalThis, 'fetch').mockImplementation(stub.fetch)
  return stub
}

afterEach(async () => {
  for (const key of await kvKeys('')) await env.STORE.delete(key)
})

describe('worker fetch', () => {
  it('should answer /health through the wrangler.jsonc entry point', async () => {
    const res = await SELF.fetch('https://bridge.test/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('should report a KV store and every function on in /ready, to the bearer of OPS_TOKEN only', async () => {
    useStubFetch()
    // Nothing sits in front of a Worker: its ops routes list projects and agents, so they are closed.
    for (const path of ['/ready', '/metrics']) {
      const anonymous = await SELF.fetch(`https://bridge.test${path}`)
      expect(anonymous.status, path).toBe(401)
      const wrong = await SELF.fetch(`https://bridge.test${path}`, {
        headers: { authorization: 'Bearer not-the-token' },
      })
      expect(wrong.status, path).toBe(401)
      await anonymous.body?.cancel()
      await wrong.body?.cancel()
    }
    const res = await SELF.fetch('https://bridge.test/ready', {
      headers: { authorization: `Bearer ${OPS_TOKEN}` },
    })
    const body = (await res.json()) as {
      store: { driver: string }
      functions: { enabled: string[]; disabled: Record<string, string[]> }
    }
    expect(res.status).toBe(200)
    expect(body.store.driver).toBe('cloudflare-kv')
    expect(body.functions.disabled).toEqual({})
  })

  it('should mount every HTTP function of the registry', async () => {
    for (const fn of functions) {
      if (fn.kind !== 'http') continue
      const res = await SELF.fetch(`https://bridge.test${fn.path}`, { method: fn.method })
      expect(res.status, `${fn.method} ${fn.path}`).not.toBe(404)
      await res.body?.cancel()
    }
  })

  it('should store a signed Plane webhook, answer 200, then send the notification from the outbox', async () => {
    const stub = useStubFetch()
    const inFlight: string[][] = []
    stub.onTelegram = async () => {
      // Stored before sent: while Telegram has the message, the outbox still holds it.
      inFlight.push(await kvKeys('outbox:item:'))
    }
    const body = JSON.stringify(makeProjectWebhook())
    const ctx = createExecutionContext()
    const res = await worker.fetch(
      new Request('https://bridge.test/webhooks/plane', {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-plane-signature': await signPlaneBody(body, WEBHOOK_SECRET),
          'x-plane-delivery': crypto.randomUUID(),
          'x-plane-event': 'project',
        },
      }),
      env,
      ctx
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'accepted' })
    await waitOnExecutionContext(ctx)

    const sent = stub.calls.filter((c) => c.url.pathname.endsWith('/sendMessage'))
    expect(sent).toHaveLength(1)
    const message = JSON.parse(sent[0]?.body ?? '{}') as { chat_id: string; text: string }
    expect(message.chat_id).toBe(CHAT_ID)
    expect(message.text).toContain('Onboarding')
    expect(inFlight).toEqual([[expect.stringMatching(/^plane:outbox:item:/)]])
    expect(await kvKeys('outbox:item:')).toEqual([])
    expect(await kvKeys('webhook:seen:')).toHaveLength(1)
  })

  it('should answer a signed Plane delivery it cannot read, then keep it apart, once', async () => {
    const stub = useStubFetch()
    const body = '{"event": "issue", "action": "updated", "data": {"id": "NaN"}}'
    const deliveryId = crypto.randomUUID()
    const ctx = createExecutionContext()
    const res = await worker.fetch(
      new Request('https://bridge.test/webhooks/plane', {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-plane-signature': await signPlaneBody(body, WEBHOOK_SECRET),
          'x-plane-delivery': deliveryId,
          'x-plane-event': 'issue',
        },
      }),
      env,
      ctx
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'accepted' })
    await waitOnExecutionContext(ctx)
    expect(await kvKeys('webhook:inbox:')).toEqual([])
    const [kept] = await kvKeys('webhook:unreadable:')
    const entry = await kvValue<{ deliveryId: string; reason: string; excerpt: string }>(
      (kept ?? '').replace(/^plane:/, '')
    )
    expect(entry).toMatchObject({ deliveryId, reason: 'invalid_payload', excerpt: body })
    const told = stub.calls.filter((c) => c.url.pathname.endsWith('/sendMessage'))
    expect(told).toHaveLength(1)
    expect(told[0]?.body).toContain(deliveryId)
  })

  it('should refuse an unsigned Plane webhook and keep nothing', async () => {
    useStubFetch()
    const res = await SELF.fetch('https://bridge.test/webhooks/plane', {
      method: 'POST',
      body: JSON.stringify(makeProjectWebhook()),
    })
    expect(res.status).toBe(401)
    expect(await kvKeys('webhook:')).toEqual([])
  })
})

describe('worker scheduled', () => {
  const cronOf = (name: string) => {
    const fn = functions.find((f) => f.name === name)
    if (fn?.kind !== 'cron') throw new Error(`${name} is not a cron function of the registry`)
    return workerCronOf(fn)
  }

  it('should run the poll tick against Plane and keep its checkpoint', async () => {
    const stub = useStubFetch([makeWorkItem()])
    const scheduledTime = Date.UTC(2026, 10, 21, 6, 5)
    const ctx = createExecutionContext()
    await worker.scheduled(
      createScheduledController({ cron: cronOf('poll'), scheduledTime }),
      env,
      ctx
    )
    await waitOnExecutionContext(ctx)

    const listed = stub.calls.filter((c) => c.url.pathname.includes(`/projects/${PROJECT.id}/`))
    expect(listed.length).toBeGreaterThan(0)
    expect(await kvValue<number>(`poll:checkpoint:${PROJECT.id}`)).toBeTypeOf('number')
    const slot = slotOf(scheduledTime).replace(/:/g, '-')
    expect(await kvKeys(`cron:slot:poll:${slot}`)).toHaveLength(1)
    // The running lock lives in the isolate on KV (best effort): nothing is left behind in KV.
    expect(await kvKeys('cron:running:')).toEqual([])
  })

  it('should run the notify tick once per slot, even when the trigger comes twice', async () => {
    useStubFetch()
    const scheduledTime = Date.UTC(2026, 10, 21, 6, 7)
    for (let i = 0; i < 2; i++) {
      const ctx = createExecutionContext()
      await worker.scheduled(
        createScheduledController({ cron: cronOf('notify'), scheduledTime }),
        env,
        ctx
      )
      await waitOnExecutionContext(ctx)
    }
    const slot = slotOf(scheduledTime).replace(/:/g, '-')
    expect(await kvKeys(`cron:slot:notify:${slot}`)).toHaveLength(1)
    const metrics = await (
      await SELF.fetch('https://bridge.test/metrics', {
        headers: { authorization: `Bearer ${OPS_TOKEN}` },
      })
    ).text()
    expect(metrics).toMatch(/plane_bridge_job_runs_total\{job="notify",outcome="skipped"\} [1-9]/)
  })

  it('should run nothing for a trigger no function uses', async () => {
    const stub = useStubFetch()
    const ctx = createExecutionContext()
    await worker.scheduled(
      createScheduledController({ cron: '17 3 * * *', scheduledTime: Date.UTC(2026, 0, 1, 3, 17) }),
      env,
      ctx
    )
    await waitOnExecutionContext(ctx)
    expect(stub.calls).toEqual([])
    expect(await kvKeys('cron:')).toEqual([])
  })
})
