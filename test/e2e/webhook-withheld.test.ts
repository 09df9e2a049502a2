/**
 * A delivery the bridge cannot keep is one Plane sends again (issue 37): no answer while the store is down, so that
 * Plane's worker counts a transport error and retries; every change is told once after the retries.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import { startE2E } from '../../sim/e2e/harness.ts'
import { virtualClock } from '../helpers/clock.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

/** A store every operation of which throws while `down` is true. */
function switchableStore(inner: Store): Store & { down: boolean } {
  const state = { down: false }
  const guarded = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'down') return state.down
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || property === 'dispose') return value
      return (...args: unknown[]) => {
        if (state.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
    set(target, property, value) {
      if (property === 'down') {
        state.down = Boolean(value)
        return true
      }
      return Reflect.set(target, property, value)
    },
  })
  return guarded as Store & { down: boolean }
}

const RETRY_DELAY_MS = 120_000

describe('a delivery the store does not take (issue 37)', () => {
  it('should give Plane no answer while the store is down, and tell each change once after its retries', async () => {
    const clock = virtualClock()
    const store = switchableStore(createMemoryStore())
    const t = await startE2E({
      store,
      now: clock.now,
      sleep: clock.sleep,
      plane: { now: clock.now, webhookRetryDelayMs: () => RETRY_DELAY_MS },
    })
    e2e = t
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Configurer Redis',
      assignees: [t.users.imhotep.id],
      state: t.state('In Progress').id,
    })
    await t.settle()

    store.down = true
    await t.plane.ui.addComment(t.users.bridge.id, item.id, '<p>❓ Quelle version de Redis ?</p>')
    await t.plane.ui.updateWorkItem(t.users.imhotep.id, item.id, { state_id: t.state('Done').id })
    await t.plane.webhooks.settle()
    // No HTTP answer at all (a 503 would be final): Plane logged transport errors and holds retries.
    const first = t.plane.webhooks.deliveries.filter((d) => d.attempt === 1)
    expect(first.map((d) => [d.event, d.status ?? 'no answer'])).toEqual([
      ['issue_comment', 'no answer'],
      ['issue', 'no answer'],
    ])
    expect(t.plane.webhooks.pendingRetries()).toBe(2)
    const withheld = t.services.metrics.registry.render()
    expect(withheld).toMatch(/plane_bridge_webhook_withheld_total 2/)

    store.down = false
    clock.advance(RETRY_DELAY_MS + 1)
    await t.settle()
    const retried = t.plane.webhooks.deliveries.filter((d) => d.attempt === 2)
    expect(retried.map((d) => d.status)).toEqual([200, 200])
    const texts = t.telegram.callsOf('sendMessage').map((c) => String(c.params.text))
    expect(texts.filter((text) => text.includes('Quelle version de Redis'))).toHaveLength(1)
    expect(texts.filter((text) => text.includes('a terminé'))).toHaveLength(1)
    expect(t.plane.state.webhooks.values().next().value?.is_active).toBe(true)
  })

  it('should answer at once when the store comes back within the try window', async () => {
    const clock = virtualClock()
    const inner = createMemoryStore()
    let failures = 3
    // The one write that keeps a delivery fails three times, then the store is back.
    const store: Store = {
      ...inner,
      claimAndEnqueue: async (claim, item) => {
        if (claim.key.startsWith('webhook:seen:') && failures > 0) {
          failures--
          throw new Error('store unavailable')
        }
        return inner.claimAndEnqueue(claim, item)
      },
    }
    const t = await startE2E({ store, now: clock.now, sleep: clock.sleep })
    e2e = t
    const item = t.plane.seed.workItem(t.project.id, {
      name: 'Docs',
      assignees: [t.users.imhotep.id],
      state: t.state('In Progress').id,
    })
    await t.settle()
    await t.plane.ui.updateWorkItem(t.users.imhotep.id, item.id, { state_id: t.state('Done').id })
    await t.settle()
    expect(t.plane.webhooks.deliveries.map((d) => [d.attempt, d.status])).toEqual([[1, 200]])
    expect(failures).toBe(0)
    const texts = t.telegram.callsOf('sendMessage').map((c) => String(c.params.text))
    expect(texts.filter((text) => text.includes('a terminé'))).toHaveLength(1)
  })
})
