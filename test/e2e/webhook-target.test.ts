/**
 * Plane's webhook kept inside the host on v1.3.1 (issue 31): the bridge's internal URL is refused by Plane without
 * the allowlist (and `check` and `provision` say the exact fix for that release), accepted with it (deliveries
 * flow), and refused on v1.2.3 with no way around it (the public hooks host explained).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startE2E, WEBHOOK_SECRET } from '../../sim/e2e/harness.ts'
import type { PlaneSimOptions } from '../../sim/plane/index.ts'
import { runJobCli } from './run-cli.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

const INTERNAL = 'http://plane-bridge.internal:8787/webhooks/plane'
const PLANE_HOST = 'work.example.com'
const DNS = { 'plane-bridge.internal': ['172.18.0.5'] }

async function start(plane: PlaneSimOptions) {
  e2e = await startE2E({
    plane: { dns: DNS, ...plane },
    env: { PLANE_WEBHOOK_URL: INTERNAL, PUBLIC_URL: 'https://hooks.bridge.test' },
  })
  return e2e
}

const save = (t: E2E) =>
  t.plane.ui.createWebhook({ url: INTERNAL, secret: WEBHOOK_SECRET, issue: true }, PLANE_HOST)

describe("Plane's webhook inside the host (issue 31)", () => {
  it('should be refused by v1.3.1 without the allowlist, and check and provision should say how to allow it', async () => {
    const t = await start({ version: '1.3', release: '1.3.1' })
    expect(save(t)).toEqual({ status: 400, body: { url: 'Invalid or disallowed webhook URL.' } })
    const check = await runJobCli(t, ['check'])
    expect(check.out).toMatch(
      /✗ plane webhook: none yet: .*plane-bridge\.internal:8787\/webhooks\/plane.*Plane v1\.3\.1 refuses a private address unless it is allowlisted.*add plane-bridge\.internal to WEBHOOK_ALLOWED_HOSTS in plane\.env/
    )
    const provision = await runJobCli(t, ['provision'])
    expect(provision.out).toContain(
      'add plane-bridge.internal to WEBHOOK_ALLOWED_HOSTS in plane.env'
    )
  })

  it('should be taken by v1.3.1 with WEBHOOK_ALLOWED_HOSTS, and deliver', async () => {
    const t = await start({
      version: '1.3',
      release: '1.3.1',
      webhookEnv: { allowedHosts: ['plane-bridge.internal'] },
    })
    const saved = save(t)
    expect(saved.status).toBe(201)
    const item = t.plane.seed.workItem(t.project.id, { name: 'Relire', state: t.state('Todo').id })
    await t.plane.ui.updateWorkItem(t.users.imhotep.id, item.id, { priority: 'high' })
    await t.plane.webhooks.settle()
    const internal = t.plane.webhooks.deliveries.filter((d) => d.url === INTERNAL)
    expect(internal.length).toBeGreaterThan(0)
    expect(internal.every((d) => d.status === 200)).toBe(true)
    expect(t.plane.webhooks.refusedAtDelivery).toEqual([])
  })

  it('should be refused by v1.2.3 with no way around it, and the public hooks host explained', async () => {
    const t = await start({ version: '1.2', release: '1.2.3' })
    expect(save(t)).toEqual({
      status: 400,
      body: { url: 'URL resolves to a blocked IP address.' },
    })
    const check = await runJobCli(t, ['check'])
    expect(check.out).toMatch(
      /Plane v1\.2\.3 refuses webhook URLs that resolve to a private, loopback or link-local address .*no way around it before v1\.3\.1: register the public hooks host instead/
    )
  })
})
