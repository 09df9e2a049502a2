import { afterEach, describe, expect, it } from 'vitest'
import { deadLettersFunction } from '../../functions/notify/dead-letters.ts'
import { notifyFunction } from '../../functions/notify/notify.ts'
import { inboxId, inboxText, webhookInbox } from '../../functions/webhooks/inbox.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { parsePlaneWebhook } from '../../shared/plane/webhook-parse.ts'
import { signPlaneBody } from '../../shared/plane/webhook-signature.ts'
import { listUnreadable, UNREADABLE_KEPT } from '../../shared/poll/webhook-unreadable.ts'
import { createMemoryStore } from '../../shared/store/store.ts'
import { toWellFormed } from '../../shared/text/cap.ts'
import { startE2E, WEBHOOK_SECRET } from '../../sim/e2e/harness.ts'
import { storedWebhookDelivery } from '../fixtures/earlier-inbox.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

async function start(options?: Parameters<typeof startE2E>[0]): Promise<E2E> {
  e2e = await startE2E(options)
  return e2e
}

/** A signed delivery as Plane posts one, with its headers. */
async function post(t: E2E, body: string, event = 'issue') {
  return t.app.request('/webhooks/plane', {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-plane-signature': await signPlaneBody(body, WEBHOOK_SECRET),
      'x-plane-event': event,
      'x-plane-delivery': crypto.randomUUID(),
    },
  })
}

const UNREADABLE = [
  ['not json at all', 'invalid_json'],
  ['{"event": "sticky", "action": "created", "data": {}}', 'unknown_event'],
  ['{"action": "updated", "data": {}}', 'invalid_payload'],
  ['{"event": "__proto__", "action": "updated", "data": {}}', 'unknown_event'],
  ['{"event": "constructor", "action": "updated", "data": {}}', 'unknown_event'],
  ['{"event": "issue", "action": "__proto__", "data": {}}', 'unknown_event'],
  ['{"event": "issue", "action": "updated", "data": {"id": "not-a-uuid"}}', 'invalid_payload'],
] as const

const rejected = (t: E2E, reason: string) => {
  const line = t.services.metrics.registry
    .render()
    .split('\n')
    .find((l) => l.startsWith(`plane_bridge_webhook_rejected_total{reason="${reason}"}`))
  return Number(line?.split(' ').at(-1) ?? Number.NaN)
}

describe('a signed Plane delivery that cannot be read', () => {
  it.each(UNREADABLE)(
    'should answer 200, keep it apart with its delivery id and reason, and process nothing: %s',
    async (body, reason) => {
      const t = await start()
      const sent = t.telegram.callsOf('sendMessage').length
      const res = await post(t, body, 'issue')
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ status: 'accepted' })
      await t.settle()
      expect(await t.services.store.sortedSize('index:webhook-inbox')).toBe(0)
      const kept = await listUnreadable(t.services.store, t.services.now)
      expect(kept).toHaveLength(1)
      expect(kept[0]).toMatchObject({ reason, event: 'issue', length: body.length, excerpt: body })
      expect(kept[0]?.deliveryId).toMatch(/^[0-9a-f-]{36}$/)
      expect(rejected(t, reason)).toBe(1)
      const told = t.telegram.callsOf('sendMessage').slice(sent)
      expect(told).toHaveLength(1)
      expect(String(told[0]?.params.text)).toContain('ne sait pas lire')
      expect(String(told[0]?.params.text)).toContain(kept[0]?.deliveryId)
    }
  )

  it('should tell the human once for a burst, count every one, and list them in dead-letters', async () => {
    const t = await start()
    const sent = t.telegram.callsOf('sendMessage').length
    for (let n = 0; n < 5; n++) await post(t, `not json ${n}`)
    // The same body again: a duplicate, neither kept apart nor counted twice.
    await post(t, 'not json 0')
    await t.settle()
    expect(t.telegram.callsOf('sendMessage').length - sent).toBe(1)
    expect(rejected(t, 'invalid_json')).toBe(5)
    const listed = await executeJob(deadLettersFunction, t.services.root, { trigger: 'cli' })
    expect(listed.summary).toContain('5 unreadable Plane deliveries')
    expect(listed.terminal?.filter((l) => l.includes('invalid_json'))).toHaveLength(5)
    const ready = await t.app.request('/ready')
    const body = (await ready.json()) as { webhooks: { unreadable: { kept: number } } }
    expect(body.webhooks.unreadable.kept).toBe(5)
  })

  it('should keep, list and tell a huge unknown event cut between graphemes, well-formed', async () => {
    const t = await start()
    const sent = t.telegram.callsOf('sendMessage').length
    const body = `{"event": "${'🚀'.repeat(200_000)}", "action": "updated", "data": {}}`
    expect((await post(t, body)).status).toBe(200)
    await t.settle()
    const [kept] = await listUnreadable(t.services.store, t.services.now)
    expect(kept?.reason).toBe('unknown_event')
    expect(kept?.length).toBe(body.length)
    for (const text of [kept?.message ?? '', kept?.excerpt ?? '']) {
      expect(text.length).toBeLessThanOrEqual(2_000)
      expect(toWellFormed(text)).toBe(text)
    }
    const told = t.telegram.callsOf('sendMessage').slice(sent)
    expect(told.map((c) => c.status)).toEqual([200])
    expect(String(told[0]?.params.text).length).toBeLessThan(1_000)
  })

  it('should keep the latest ones only, however many come', async () => {
    const t = await start({ env: { WEBHOOK_RATE_LIMIT_PER_MIN: '0' } })
    for (let n = 0; n < UNREADABLE_KEPT + 7; n++) await post(t, `junk ${n}`)
    await t.settle()
    const kept = await listUnreadable(t.services.store, t.services.now)
    expect(kept).toHaveLength(UNREADABLE_KEPT)
    expect(kept[0]?.excerpt).toBe(`junk ${UNREADABLE_KEPT + 6}`)
    expect(rejected(t, 'invalid_json')).toBe(UNREADABLE_KEPT + 7)
  })

  it('should read an unreadable delivery a stopped process left once, on the replay', async () => {
    let ahead = 0
    const now = () => Date.now() + ahead
    const t = await start({ store: createMemoryStore({ now }), now })
    const at = now()
    const id = inboxId('ab'.repeat(32), at)
    const entry = inboxText({ event: 'issue', delivery: 'd-left' }, '{"event": "issue"')
    const inbox = webhookInbox(t.services.store, now)
    await inbox.claimAndPutText({ key: 'webhook:seen:left', ttlSeconds: 60 }, id, entry, at)
    ahead += 31_000
    for (let run = 0; run < 2; run++)
      expect((await executeJob(notifyFunction, t.services.root, { trigger: 'cli' })).outcome).toBe(
        'ok'
      )
    await t.settle()
    expect(await t.services.store.sortedSize('index:webhook-inbox')).toBe(0)
    const kept = await listUnreadable(t.services.store, now)
    expect(kept.map((k) => [k.id, k.deliveryId, k.reason])).toEqual([
      [id, 'd-left', 'invalid_json'],
    ])
    expect(rejected(t, 'invalid_json')).toBe(1)
  })

  it('should try a readable delivery whose processing fails ten times in all, then drop it', async () => {
    let ahead = 0
    const now = () => Date.now() + ahead
    const real = createMemoryStore({ now })
    let failing = false
    const store: typeof real = {
      ...real,
      // A sighting reads the snapshot with the task's other keys in one operation.
      getMany: (keys) =>
        failing && keys.some((key) => key.startsWith('task:snapshot:'))
          ? Promise.reject(new Error('snapshot unreadable'))
          : real.getMany(keys),
    }
    const t = await start({ store, now })
    const item = t.plane.seed.workItem(t.project.id, { name: 'Docs' })
    await t.settle()
    failing = true
    await t.plane.ui.updateWorkItem(t.users.imhotep.id, item.id, { priority: 'high' })
    await t.settle()
    expect(await real.sortedSize('index:webhook-inbox')).toBe(1)
    let replays = 0
    while ((await real.sortedSize('index:webhook-inbox')) > 0 && replays < 20) {
      ahead += 31_000
      await executeJob(notifyFunction, t.services.root, { trigger: 'cli' })
      replays++
    }
    // Its first processing after the answer, then nine replays: ten tries.
    expect(replays).toBe(9)
    expect(await listUnreadable(real, now)).toEqual([])
  })

  it('should process an inbox entry an earlier version kept as a bounded event', async () => {
    let ahead = 0
    const now = () => Date.now() + ahead
    const t = await start({ store: createMemoryStore({ now }), now })
    const item = t.plane.seed.workItem(t.project.id, { name: 'Docs' })
    await t.plane.ui.updateWorkItem(t.users.imhotep.id, item.id, { priority: 'high' })
    await t.settle()
    const [delivery] = t.plane.webhooks.deliveries.filter((d) => d.body.includes(item.id))
    const earlier = JSON.parse(delivery?.body ?? '{}') as { data: Record<string, unknown> }
    earlier.data = {
      ...earlier.data,
      priority: 'urgent',
      updated_at: new Date(now() + 1000).toISOString(),
    }
    const event = parsePlaneWebhook(earlier)
    await webhookInbox(t.services.store, now).put(
      '0000000001-earlier',
      { delivery: storedWebhookDelivery(event), receivedAt: now(), attempts: 0 },
      now()
    )
    ahead += 31_000
    expect((await executeJob(notifyFunction, t.services.root, { trigger: 'cli' })).outcome).toBe(
      'ok'
    )
    await t.settle()
    expect((await t.bridge.pipeline.snapshot(item.id))?.priority).toBe('urgent')
    expect(await t.services.store.sortedSize('index:webhook-inbox')).toBe(0)
  })
})
