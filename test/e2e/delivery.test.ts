import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createNodeStore } from '../../runtime/node-store.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { CHAT_ID, startE2E } from '../../sim/e2e/harness.ts'
import { virtualClock } from '../helpers/clock.ts'
import { dropRedisPrefix, TEST_REDIS_URL } from '../helpers/redis.ts'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
const running: E2E[] = []
const dirs: string[] = []
let proxy: TcpProxy | null = null
/** Redis key prefixes a test gave its runtime: dropped once it stopped (nothing lasting in the shared Redis). */
const dropAfter: string[] = []
afterEach(async () => {
  for (const t of running.splice(0)) await t.stop().catch(() => undefined)
  for (const prefix of dropAfter.splice(0)) await dropRedisPrefix(prefix)
  await proxy?.close()
  proxy = null
})
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

async function complete(t: E2E, name: string) {
  const item = t.plane.seed.workItem(t.project.id, { name, assignees: [t.users.imhotep.id] })
  await t.plane.ui.updateWorkItem(t.users.imhotep.id, item.id, { state_id: t.state('Done').id })
  await t.plane.webhooks.settle()
  return item
}

const delivered = (t: E2E) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200)
    .map((c) => String(c.params.text))

describe('delivery guarantees (end to end)', () => {
  it('should wait out a Telegram 429 retry_after and keep the chat order', async () => {
    const t = await startE2E()
    running.push(t)
    t.telegram.faults.rateLimitNext(1, 3)
    await complete(t, 'Première tâche')
    await complete(t, 'Seconde tâche')
    await t.settle(20_000)
    const calls = t.telegram.callsOf('sendMessage')
    expect(calls.map((c) => c.status)).toEqual([429, 200, 200])
    expect(delivered(t)[0]).toContain('Première tâche')
    expect(delivered(t)[1]).toContain('Seconde tâche')
  }, 30_000)

  it('should send an item stored before its message was typed, and bury one no message reads, saying why (issue 40)', async () => {
    const t = await startE2E()
    running.push(t)
    const stored = {
      channel: 'telegram' as const,
      target: CHAT_ID,
      dedupeKey: null,
      attempts: 0,
      notBefore: 0,
      createdAt: Date.now(),
      lastError: null,
    }
    // Written as an earlier version wrote them: a plain message, and a grouped message that names no agent.
    await t.bridge.outbox.update({
      ...stored,
      id: '000000000a-0001-olditem1',
      payload: { chat_id: CHAT_ID, text: 'Ancien message', parse_mode: 'HTML' },
    })
    await t.bridge.outbox.update({
      ...stored,
      id: '000000000a-0002-olditem2',
      payload: { chat_id: CHAT_ID, text: 'Groupé' },
      meta: { kind: 'grouped' },
    })
    t.bridge.kick()
    await t.settle()
    // The item given up is told to the human (issue 44: no dead letter in silence).
    expect(delivered(t)).toEqual([
      'Ancien message',
      expect.stringContaining(
        "⚠️ Telegram a refusé un message de plane-bridge (« unreadable outbox item: an agent's grouped message without its agent »)"
      ),
    ])
    const dead = await t.bridge.outbox.deadLetters()
    expect(dead).toMatchObject([
      {
        id: '000000000a-0002-olditem2',
        attempts: 1,
        lastError: "unreadable outbox item: an agent's grouped message without its agent",
      },
    ])
    expect(await t.bridge.outbox.depth()).toEqual({ pending: 0, dead: 1 })
  })

  it('should deliver what was in the outbox after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-e2e-'))
    dirs.push(dir)
    const first = await startE2E({ store: createNodeStore(loadConfig({ DATA_DIR: dir })) })
    running.push(first)
    first.telegram.faults.failNext(100, 502)
    await complete(first, 'Survivre au redémarrage')
    // Stopped once the first try has failed: its retry (1 s away) is the second process's to make. (Waiting longer
    // let the first make three tries, the next one 15 s away, past the second's wait; and a stopped runtime's
    // drain set its retry again and took the item from the second: Background.stop now sets no timer.)
    const deadline = Date.now() + 10_000
    while (
      !(await first.bridge.outbox.pending()).some((item) => item.attempts > 0) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 50))
    expect(await first.bridge.outbox.pending()).toHaveLength(1)
    expect(delivered(first)).toEqual([])
    await first.stop()
    running.splice(running.indexOf(first), 1)

    const second = await startE2E({ store: createNodeStore(loadConfig({ DATA_DIR: dir })) })
    running.push(second)
    expect(await second.bridge.outbox.pending()).toHaveLength(1)
    await second.bridge.settle(15_000)
    expect(delivered(second)).toHaveLength(1)
    expect(delivered(second)[0]).toContain('Survivre au redémarrage')
  }, 30_000)

  it('should give Plane no answer while Redis is down, keep nothing half-written, and tell the change once after its retry', async () => {
    const target = new URL(TEST_REDIS_URL)
    proxy = await startTcpProxy(target.hostname, Number(target.port || 6379))
    const prefix = `e2e-down-${process.pid}-${Date.now()}`
    const redisUrl = `redis://127.0.0.1:${proxy.port}${target.pathname || '/0'}`
    const config = loadConfig({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix })
    // The route's waits for the store move this clock, as does Plane's retry delay: nothing sleeps 20 s.
    const clock = virtualClock()
    const retryMs = 120_000
    const t = await startE2E({
      store: (hooks) => createNodeStore(config, hooks),
      now: clock.now,
      sleep: clock.sleep,
      plane: { now: clock.now, webhookRetryDelayMs: () => retryMs },
    })
    running.push(t)
    dropAfter.push(prefix)

    await proxy.stop()
    await t.plane.ui.createProject(t.users.bridge.id, { name: 'Panne Redis', identifier: 'RED' })
    await t.plane.webhooks.settle()
    const [first] = t.plane.webhooks.deliveries
    // No answer (a 503 would be final for Plane): a transport error, which Plane retries.
    expect(first?.status).toBeUndefined()
    expect(first?.error).toBeDefined()
    expect(t.plane.webhooks.pendingRetries()).toBe(1)
    expect((await t.app.request('/ready')).status).toBe(503)

    await proxy.start()
    const until = Date.now() + 10_000
    while ((await t.app.request('/ready')).status !== 200 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 200))
    expect((await t.app.request('/ready')).status).toBe(200)
    // Plane's retry: the same bytes, accepted now (the withheld try left no dedupe claim behind).
    clock.advance(retryMs + 1)
    await t.settle(10_000)
    expect(t.plane.webhooks.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, undefined],
      [2, 200],
    ])
    expect(delivered(t).filter((text) => text.includes('Panne Redis'))).toHaveLength(1)
    const metrics = await (await t.app.request('/metrics')).text()
    expect(metrics).toMatch(/plane_bridge_store_errors_total\{operation="has"\} [1-9]/)
    expect(metrics).toMatch(/plane_bridge_webhook_withheld_total 1/)
  }, 40_000)
})
