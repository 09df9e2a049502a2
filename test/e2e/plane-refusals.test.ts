import { afterEach, describe, expect, it } from 'vitest'
import { probeAtStart } from '../../shared/check/start-probe.ts'
import { createMemoryStore } from '../../shared/store/store.ts'
import { CHAT_ID, restartE2E, startE2E } from '../../sim/e2e/harness.ts'
import { runJobCli } from './run-cli.ts'

// Issue 36, point 2: a refused key or an unknown workspace is said at once, everywhere, with the setting to fix.
type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

const told = (t: E2E) => t.telegram.messagesIn(Number(CHAT_ID)).map((m) => m.text)

async function ready(t: E2E) {
  return (await (await t.app.request('/ready')).json()) as {
    status: string
    reasons?: string[]
    integrations: Record<string, { ok: boolean; detail?: string }>
  }
}

describe('Plane refusing the bridge (issue 36)', () => {
  it('should say a refused key at start: log, /ready, metric and the human, naming PLANE_API_KEY', async () => {
    e2e = await startE2E()
    const t = e2e
    t.plane.seed.revokeKey(t.users.bridge.apiKey)
    expect(await probeAtStart({ ...t.services, ...t.bridge })).toMatchObject({ plane: 'refused' })
    await t.settle()
    const fix =
      'PLANE_API_KEY refused (HTTP 403): regenerate PLANE_API_KEY — a new key for that user in Plane, Profile settings → API tokens'
    expect(t.services.logs).toContainEqual(
      expect.objectContaining({ msg: 'plane refuses the bridge', setting: 'PLANE_API_KEY', fix })
    )
    const body = await ready(t)
    expect(body.integrations.plane).toMatchObject({ ok: false, detail: fix })
    expect(body.status).toBe('degraded')
    expect(t.services.metrics.registry.render()).toContain(
      'plane_bridge_integration_up{integration="plane"} 0'
    )
    expect(told(t)).toEqual([
      '⚠️ Plane refuse la clé PLANE_API_KEY (403 : Given API token is not valid) : régénérez-la dans Plane (Profil → Jetons d’API), mettez-la dans les réglages de plane-bridge et redémarrez-le. Rien n’est suivi d’ici là.',
    ])
    // /plane status names the fix, not "try again in a minute".
    await t.postTelegram(
      t.telegram.makeMessageUpdate({ text: '/plane status', chatId: Number(CHAT_ID) })
    )
    await t.settle()
    expect(told(t).at(-1)).toBe(
      '🔑 Plane refuse la clé du bridge (PLANE_API_KEY, HTTP 403) : régénérez-la dans Plane (Profil → Jetons d’API), mettez-la dans les réglages de plane-bridge et redémarrez-le.'
    )
  })

  it('should name PLANE_WORKSPACE_SLUG for an unknown workspace: start, /ready, /plane status, check', async () => {
    e2e = await startE2E({ env: { PLANE_WORKSPACE_SLUG: 'javsi' } })
    const t = e2e
    expect(await probeAtStart({ ...t.services, ...t.bridge })).toMatchObject({ plane: 'refused' })
    await t.settle()
    const body = await ready(t)
    expect(body.integrations.plane?.ok).toBe(false)
    expect(body.integrations.plane?.detail).toMatch(
      /^workspace "javsi" refuses this key \(HTTP 403\): check PLANE_WORKSPACE_SLUG/
    )
    expect(told(t)[0]).toMatch(
      /^⚠️ Plane ne connaît pas l’espace de travail « javsi » pour la clé du bridge \(403 : .*\) : corrigez PLANE_WORKSPACE_SLUG/
    )
    await t.postTelegram(
      t.telegram.makeMessageUpdate({ text: '/plane status', chatId: Number(CHAT_ID) })
    )
    await t.settle()
    expect(told(t).at(-1)).toMatch(
      /^🔑 Plane ne connaît pas l’espace de travail « javsi » pour la clé du bridge \(HTTP 403\) : corrigez PLANE_WORKSPACE_SLUG/
    )
    const check = await runJobCli(t, ['check'])
    expect(check.out).toMatch(
      /^✗ plane workspace: workspace "javsi" refuses this key \(HTTP 403\): check PLANE_WORKSPACE_SLUG/m
    )
  }, 60_000)

  it('should re-evaluate /ready at start, not keep the failure from before the restart', async () => {
    const store = createMemoryStore()
    e2e = await startE2E({ store })
    const first = e2e
    first.plane.seed.revokeKey(first.users.bridge.apiKey)
    await probeAtStart({ ...first.services, ...first.bridge })
    await first.services.status.flush()
    expect((await ready(first)).integrations.plane?.ok).toBe(false)
    // The operator sets a new key and restarts.
    const key = first.plane.seed.user({ email: 'bridge2@javisi.local', role: 20 }).apiKey
    await first.halt()
    const second = await restartE2E(first, { store, env: { PLANE_API_KEY: key } })
    expect(await probeAtStart({ ...second.services, ...second.bridge })).toMatchObject({
      plane: 'ok',
    })
    expect((await ready(second)).integrations.plane).toMatchObject({ ok: true })
    // And the next refusal is news again.
    expect(await store.get('alert:plane-key')).toBeNull()
  })
})
