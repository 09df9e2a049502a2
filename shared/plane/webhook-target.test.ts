import { describe, expect, it } from 'vitest'
import { adviseWebhookTarget } from './webhook-target.ts'

const PUBLIC = 'https://hooks.example.org/webhooks/plane'
const INTERNAL = 'http://plane-bridge.internal:8787/webhooks/plane'
const advise = (
  url: string,
  release: string | null,
  planeHost: string | null = 'work.example.com'
) => adviseWebhookTarget({ url, release, planeHost })

describe('adviseWebhookTarget', () => {
  it('should say nothing about a public host of another domain, whatever the release', () => {
    for (const release of ['v1.2.2', 'v1.2.3', 'v1.3.0', 'v1.3.1', null])
      expect(advise(PUBLIC, release)).toEqual({ refused: false, lines: [] })
  })

  it('should refuse a bare service name in every release, and point to the dotted alias', () => {
    for (const release of ['v1.2.2', 'v1.3.1']) {
      const advice = advise('http://plane-bridge:8787/webhooks/plane', release)
      expect(advice.refused).toBe(true)
      expect(advice.lines.join(' ')).toContain('needs a dot and a top-level domain')
      expect(advice.lines.join(' ')).toContain('plane-bridge.internal')
    }
  })

  it('should refuse localhost and 127.0.0.1 in every release', () => {
    expect(advise('http://localhost:8787/webhooks/plane', 'v1.3.1').refused).toBe(true)
    expect(advise('http://127.0.0.1:8787/webhooks/plane', 'v1.2.2').refused).toBe(true)
  })

  it("should refuse Plane's own domain before v1.3.1 and tell to allowlist it on v1.3.1", () => {
    const old = advise('https://hooks.work.example.com/webhooks/plane', 'v1.2.3')
    expect(old.refused).toBe(true)
    expect(old.lines[0]).toContain('use a host of another domain')
    expect(old.lines[0]).toContain('or upgrade to v1.3.1 and allowlist it')
    const next = advise('https://hooks.work.example.com/webhooks/plane', 'v1.3.1')
    expect(next.refused).toBe(false)
    expect(next.lines[0]).toContain(
      'add hooks.work.example.com to WEBHOOK_ALLOWED_HOSTS in plane.env'
    )
  })

  it('should take a private address on v1.2.2 (loopback only) and refuse it from v1.2.3 to v1.3.0', () => {
    expect(advise('http://172.18.0.5:8787/webhooks/plane', 'v1.2.2')).toEqual({
      refused: false,
      lines: [],
    })
    for (const release of ['v1.2.3', 'v1.3.0']) {
      const advice = advise('http://172.18.0.5:8787/webhooks/plane', release)
      expect(advice.refused).toBe(true)
      expect(advice.lines[0]).toContain('register the public hooks host instead')
    }
  })

  it('should say an internal name is refused on v1.2.3 only if it resolves inside, since it cannot resolve it', () => {
    const advice = advise(INTERNAL, 'v1.2.3')
    expect(advice.refused).toBe(false)
    expect(advice.lines[0]).toContain('if plane-bridge.internal resolves to one')
  })

  it('should give the exact allowlist line on v1.3.1, and the CIDR option for an address', () => {
    expect(advise(INTERNAL, 'v1.3.1').lines[0]).toContain(
      'add plane-bridge.internal to WEBHOOK_ALLOWED_HOSTS in plane.env'
    )
    expect(advise('http://10.0.0.7/webhooks/plane', 'v1.3.1').lines[0]).toContain(
      'or its network to WEBHOOK_ALLOWED_IPS'
    )
  })

  it('should speak of "This Plane" when the release is unknown, and not claim an upgrade path', () => {
    const advice = advise('https://hooks.work.example.com/webhooks/plane', null)
    expect(advice.lines[0]).toMatch(/^This Plane refuses its own domain/)
  })

  it('should refuse what is not a URL', () => {
    expect(advise('not a url', 'v1.3.1')).toEqual({
      refused: true,
      lines: ['not a url is not a URL Plane can post to.'],
    })
  })
})
