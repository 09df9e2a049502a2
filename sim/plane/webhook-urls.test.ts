/**
 * The simulator's webhook URL rules against what makeplane/plane does at each tag (issue 31): the web form's
 * answers (status and DRF body) for the URLs a deployment of plane-bridge meets, and v1.3.1's check at delivery.
 */
import { describe, expect, it } from 'vitest'
import { createPlaneSim } from './index.ts'
import type { PlaneRelease } from './webhooks/url-rules.ts'

const PLANE_HOST = 'work.example.com'
const DNS = {
  'hooks.example.com': ['93.184.215.14'],
  'hooks.work.example.com': ['93.184.215.14'],
  'plane-bridge.internal': ['172.18.0.5'],
  'lan.example.com': ['192.168.1.20'],
}

function form(
  release: PlaneRelease,
  webhookEnv?: { allowedHosts?: string[]; allowedIps?: string[] }
) {
  const sim = createPlaneSim({
    version: release.startsWith('1.3') ? '1.3' : '1.2',
    release,
    dns: DNS,
    ...(webhookEnv ? { webhookEnv } : {}),
  })
  return (url: string) => sim.ui.createWebhook({ url, issue: true }, PLANE_HOST)
}

describe('webhook URLs Plane accepts, release by release', () => {
  it.each(['1.2.2', '1.2.3', '1.3.0', '1.3.1'] as const)(
    '%s: refuses a single-label host and a local URL in its form, accepts a public host',
    (release) => {
      const save = form(release)
      expect(save('http://plane-bridge:8787/webhooks/plane')).toEqual({
        status: 400,
        body: { url: ['Enter a valid URL.'] },
      })
      expect(save('http://localhost/webhooks/plane')).toEqual({
        status: 400,
        body: { url: ['Local URLs are not allowed.'] },
      })
      expect(save('https://hooks.example.com/webhooks/plane').status).toBe(201)
    }
  )

  it('should refuse only loopback addresses on v1.2.2, every private one from v1.2.3', () => {
    expect(form('1.2.2')('http://plane-bridge.internal:8787/webhooks/plane').status).toBe(201)
    expect(form('1.2.2')('http://127.0.0.1:8787/webhooks/plane')).toEqual({
      status: 400,
      body: { url: 'URL resolves to a blocked IP address.' },
    })
    for (const release of ['1.2.3', '1.3.0'] as const)
      expect(form(release)('http://plane-bridge.internal:8787/webhooks/plane')).toEqual({
        status: 400,
        body: { url: 'URL resolves to a blocked IP address.' },
      })
    expect(form('1.3.1')('http://lan.example.com/webhooks/plane')).toEqual({
      status: 400,
      body: { url: 'Invalid or disallowed webhook URL.' },
    })
  })

  it("should refuse Plane's own domain and its subdomains, unless v1.3.1 allowlists the host", () => {
    for (const release of ['1.2.2', '1.2.3', '1.3.0', '1.3.1'] as const)
      expect(form(release)('https://hooks.work.example.com/webhooks/plane')).toEqual({
        status: 400,
        body: { url: 'URL domain or its subdomain is not allowed.' },
      })
    const allowed = form('1.3.1', { allowedHosts: ['hooks.work.example.com'] })
    expect(allowed('https://hooks.work.example.com/webhooks/plane').status).toBe(201)
  })

  it('should take an internal host on v1.3.1 by WEBHOOK_ALLOWED_HOSTS (no DNS) or WEBHOOK_ALLOWED_IPS', () => {
    expect(
      form('1.3.1', { allowedHosts: ['plane-bridge.internal'] })(
        'http://plane-bridge.internal:8787/webhooks/plane'
      ).status
    ).toBe(201)
    expect(
      form('1.3.1', { allowedHosts: ['unlisted.internal'] })(
        'http://unlisted.internal:8787/webhooks/plane'
      ).status
    ).toBe(201)
    expect(
      form('1.3.1', { allowedIps: ['172.16.0.0/12'] })(
        'http://plane-bridge.internal:8787/webhooks/plane'
      ).status
    ).toBe(201)
  })

  it('should drop, on v1.3.1, a delivery whose URL no longer passes (no log, no retry)', async () => {
    const env = { allowedHosts: ['plane-bridge.internal'] }
    const sim = createPlaneSim({ version: '1.3', release: '1.3.1', dns: DNS, webhookEnv: env })
    const saved = sim.ui.createWebhook(
      { url: 'http://plane-bridge.internal:8787/webhooks/plane', project: true },
      PLANE_HOST
    )
    expect(saved.status).toBe(201)
    env.allowedHosts = []
    await sim.ui.createProject(sim.seed.user({ role: 20 }).id, { name: 'Ops', identifier: 'OPS' })
    await sim.webhooks.settle()
    expect(sim.webhooks.deliveries).toEqual([])
    expect(sim.webhooks.refusedAtDelivery).toMatchObject([{ event: 'project' }])
  })
})
