/**
 * Issue 38: junk costs neither memory nor storage. A Plane delivery without a signature is refused before its body
 * is read; refusals are counted in memory and written down at most once a minute; a signed body that is not a
 * delivery is kept as it came, read after its answer and only kept apart (never processed).
 */
import { describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { createApp } from '../../runtime/app.ts'
import { REJECTIONS_WRITE_EVERY_MS } from '../../shared/plane/webhook-rejections.ts'
import { signPlaneBody } from '../../shared/plane/webhook-signature.ts'
import { listUnreadable } from '../../shared/poll/webhook-unreadable.ts'
import { createMemoryStore } from '../../shared/store/store.ts'
import { makeServices } from '../../sim/e2e/services.ts'
import { createFaultyStore } from '../faults/faulty-store.ts'

const SECRET = 'plane_wh_0123456789abcdef0123456789abcdef'
const READS = new Set([
  'get',
  'getText',
  'has',
  'getMany',
  'ping',
  'keys',
  'scan',
  'list',
  'index-range',
  'index-score',
  'index-size',
])

function start() {
  let clock = Date.UTC(2026, 10, 25, 9, 0, 0)
  const store = createFaultyStore(createMemoryStore({ now: () => clock }))
  const services = makeServices({
    functions,
    store,
    now: () => clock,
    env: { PLANE_WEBHOOK_SECRET: SECRET },
  })
  const app = createApp({ functions, root: services.root })
  const writes = () => store.ops.filter((op) => !READS.has(op.name))
  return {
    app,
    store,
    services,
    writes,
    advance: (ms: number) => {
      clock += ms
    },
  }
}

/** A body of `chunks` × 64 KiB that counts how much of it was pulled. */
function countedBody(chunks: number) {
  const seen = { pulled: 0 }
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled++ >= chunks) controller.close()
      else controller.enqueue(new Uint8Array(64 * 1024).fill(123))
    },
  })
  return { body, seen }
}

describe('junk on /webhooks/plane (issue 38)', () => {
  it('should refuse a delivery without a signature, or with one that cannot be, before reading its body', async () => {
    const { app } = start()
    for (const signature of [null, 'sha256=abc', 'z'.repeat(64)]) {
      const { body, seen } = countedBody(1000)
      const response = await app.request('/webhooks/plane', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'x-plane-signature': signature } : {}),
        },
        body,
        duplex: 'half',
      } as RequestInit)
      expect(response.status).toBe(401)
      // A stream fills its queue when made (and the route's limiter's pipe, one chunk more); of the 64 MB offered,
      // nothing past that is read.
      expect(seen.pulled).toBeLessThanOrEqual(3)
    }
  })

  it('should write the store at most once a minute per kind for 2,200 refused deliveries, and still count them all', async () => {
    const { app, store, writes, advance } = start()
    store.arm()
    const body = JSON.stringify({ event: 'issue', action: 'updated', data: { id: 'x' } })
    for (let i = 0; i < 2200; i++) {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      // Every other one of Plane's shape (signature, delivery id, event), signed with another secret.
      if (i % 2 === 1) {
        headers['x-plane-signature'] = await signPlaneBody(body, 'not-the-secret')
        headers['x-plane-delivery'] = `0000-${i}`
        headers['x-plane-event'] = 'issue'
      }
      const response = await app.request('/webhooks/plane', { method: 'POST', headers, body })
      expect(response.status).toBe(401)
    }
    // The first of each kind at once, then nothing for a minute.
    expect(writes().map((op) => op.key)).toEqual([
      'webhook:unsigned-since-accepted',
      'webhook:rejected-since-accepted',
    ])
    const ready = async () =>
      (
        (await (await app.request('/ready')).json()) as {
          webhooks: { refusedSinceAccepted: number; unsignedSinceAccepted: number }
        }
      ).webhooks
    // Issue 45: only Plane-shaped refusals count against the secret; the junk is counted apart.
    expect(await ready()).toMatchObject({ refusedSinceAccepted: 1100, unsignedSinceAccepted: 1100 })
    // A minute later, the next refusal writes what was counted meanwhile (/ready's own ping writes aside).
    advance(REJECTIONS_WRITE_EVERY_MS)
    store.arm()
    await app.request('/webhooks/plane', { method: 'POST', body })
    expect(writes().map((op) => op.key)).toEqual(['webhook:unsigned-since-accepted'])
    expect(await store.get('webhook:unsigned-since-accepted')).toBe(1101)
    // The signed ones counted meanwhile are in /ready all the same (this runtime's own, not written yet).
    expect(await store.get('webhook:rejected-since-accepted')).toBe(1)
    expect(await ready()).toMatchObject({ refusedSinceAccepted: 1100, unsignedSinceAccepted: 1101 })
    const metrics = await (await app.request('/metrics')).text()
    expect(metrics).toContain('plane_bridge_webhook_signature_rejected_total 2201')
  })

  it('should keep a signed body that is not a delivery as it came, then only keep it apart: nothing processed', async () => {
    const { app, store, writes, services } = start()
    store.arm()
    const bodies = ['{"event": ', '[]', '{"event": "issue", "action": "updated"}']
    for (const body of bodies) {
      const response = await app.request('/webhooks/plane', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-plane-signature': await signPlaneBody(body, SECRET),
        },
        body,
      })
      expect(response.status).toBe(200)
    }
    await services.root.parts().settle(10_000)
    expect(await store.sortedSize('index:webhook-inbox')).toBe(0)
    const kept = await listUnreadable(store, services.now)
    expect(kept.map((k) => k.excerpt).sort()).toEqual([...bodies].sort())
    // Kept, read, kept apart and told: no task, run, snapshot or pending change written.
    const written = new Set(writes().map((op) => op.key.split(':').slice(0, 2).join(':')))
    expect(
      [...written].filter((key) => !/^(webhook|index:webhook|alert|outbox|index:outbox)/.test(key))
    ).toEqual([])
  })
})
