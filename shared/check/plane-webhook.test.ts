import { describe, expect, it } from 'vitest'
import { checkPlaneWebhook } from './plane-webhook.ts'

const base = {
  secretSet: true,
  url: 'https://hooks.example.com/webhooks/plane',
  lastReceivedAt: null,
  refusedSinceAccepted: 0,
  now: Date.parse('2026-06-01T12:00:00Z'),
}

describe('checkPlaneWebhook', () => {
  it('should be off without the secret, and say where to look when nothing arrived', () => {
    expect(checkPlaneWebhook({ ...base, secretSet: false }).status).toBe('off')
    const none = checkPlaneWebhook(base)
    expect(none.status).toBe('fail')
    expect(none.detail).toContain('none yet')
    expect(none.detail).toContain('https://hooks.example.com/webhooks/plane')
  })

  it('should name a wrong secret when deliveries are refused for their signature', () => {
    const refused = checkPlaneWebhook({
      ...base,
      lastReceivedAt: base.now - 60_000,
      refusedSinceAccepted: 4,
    })
    expect(refused).toMatchObject({ status: 'fail' })
    expect(refused.detail).toContain('PLANE_WEBHOOK_SECRET differs')
  })

  it('should not blame the secret for junk: unsigned requests after a good delivery keep it ✓, said apart (issue 45)', () => {
    const junk = checkPlaneWebhook({
      ...base,
      lastReceivedAt: base.now - 60_000,
      unsignedSinceAccepted: 1,
    })
    expect(junk.status).toBe('ok')
    expect(junk.detail).toMatch(/\(1 unsigned requests refused since, not Plane's: ignored\)$/)
    expect(junk.detail).not.toContain('PLANE_WEBHOOK_SECRET')
    // Nothing accepted yet and only junk: the usual "none yet", never "the secret differs".
    const none = checkPlaneWebhook({ ...base, unsignedSinceAccepted: 12 })
    expect(none.detail).toMatch(/^none yet: /)
    expect(none.detail).not.toContain('differs')
  })

  it('should give the last delivery time when it works', () => {
    const seen = checkPlaneWebhook({ ...base, lastReceivedAt: base.now - 3 * 3_600_000 })
    expect(seen).toEqual({
      name: 'plane webhook',
      status: 'ok',
      detail: 'last signed delivery 3 h ago (2026-06-01T09:00:00.000Z)',
    })
  })

  it('should say Plane switched the webhook off, and how to switch it on, whenever it last delivered', () => {
    const off = checkPlaneWebhook({
      ...base,
      lastReceivedAt: base.now - 3 * 3_600_000,
      offSince: base.now - 20 * 60_000,
      steps: 'open https://plane.example.com/javisi/settings/webhooks and switch the row of … on',
    })
    expect(off.status).toBe('fail')
    expect(off.detail).toBe(
      'switched off in Plane 20 min ago (the poll found changes no delivery brought): open https://plane.example.com/javisi/settings/webhooks and switch the row of … on'
    )
  })
})
