import { describe, expect, it } from 'vitest'
import { planeWebhookItem, WEBHOOK_RECENT_MS } from './plane-webhook.ts'
import { blockingMessage, buildProvisionReport, failedMessage } from './report.ts'
import { commandsDiffer, webhookNeedsUpdate } from './telegram-setup.ts'
import type { ProvisionItem } from './types.ts'

const item = (overrides: Partial<ProvisionItem>): ProvisionItem => ({
  subject: 'label ONB agent:imhotep',
  status: 'ok',
  changed: false,
  detail: 'exists',
  ...overrides,
})

describe('buildProvisionReport', () => {
  it('should say "no change" when nothing changed and nobody is needed', () => {
    const report = buildProvisionReport([item({}), item({ subject: 'telegram webhook' })])
    expect(report.summary).toBe('no change, 2 already fine')
    expect(report.blocking).toEqual([])
  })

  it('should count changes, humans and blocking items, problems listed first', () => {
    const report = buildProvisionReport([
      item({ changed: true, detail: 'created' }),
      item({ subject: 'plane webhook', status: 'human', detail: 'create it by hand' }),
      item({ subject: 'member DES thot', status: 'blocked', detail: 'Plane answered 403' }),
      item({ subject: 'telegram', status: 'skipped', detail: 'not set up' }),
    ])
    expect(report.summary).toBe(
      '1 changed, 0 already fine, 2 need a human (1 blocks agents), 1 skipped'
    )
    expect(report.lines[0]).toBe('[blocked] member DES thot: Plane answered 403')
    expect(report.lines).toContain('[changed] label ONB agent:imhotep: created')
    // The fix is in the [blocked] line; the failure text names what blocks, not the fix again (issue 36).
    expect(blockingMessage(report)).toBe(
      '1 changed, 0 already fine, 2 need a human (1 blocks agents), 1 skipped. Needs a human before agents can work: member DES thot (the [blocked] lines say what to do)'
    )
  })
})

describe('buildProvisionReport with failed items', () => {
  it('should list what Plane failed on first, count it, and name it in the failure text', () => {
    const report = buildProvisionReport([
      item({ changed: true, detail: 'created' }),
      item({ subject: 'project DES', status: 'failed', detail: 'Plane answered 500' }),
    ])
    expect(report.summary).toBe('1 changed, 0 already fine, 1 failed')
    expect(report.lines[0]).toBe('[failed] project DES: Plane answered 500')
    expect(report.failed.map((i) => i.subject)).toEqual(['project DES'])
    expect(report.blocking).toEqual([])
    expect(failedMessage(report)).toContain('Plane failed on project DES')
  })
})

describe('planeWebhookItem', () => {
  const base = {
    url: 'https://hooks.example.com/webhooks/plane',
    secretSet: true,
    now: 10 * WEBHOOK_RECENT_MS,
  }

  it('should name PLANE_WEBHOOK_SECRET when deliveries arrive but are refused', () => {
    const refused = planeWebhookItem({
      ...base,
      lastReceivedAt: base.now - 3 * 3600_000,
      refusedSinceAccepted: 4,
    })
    expect(refused).toMatchObject({ status: 'human' })
    expect(refused.detail).toMatch(
      /^4 deliveries refused for a bad signature since the last accepted one \(3 h ago\): check PLANE_WEBHOOK_SECRET/
    )
  })

  it('should report a webhook working only with the secret and a recent delivery', () => {
    expect(planeWebhookItem({ ...base, lastReceivedAt: base.now - 5 * 60_000 })).toMatchObject({
      status: 'ok',
      detail: 'working: last signed delivery 5 min ago',
    })
    const old = planeWebhookItem({ ...base, lastReceivedAt: base.now - 2 * WEBHOOK_RECENT_MS })
    expect(old).toMatchObject({ status: 'human', detail: expect.stringContaining('for 14 days') })
    const noSecret = planeWebhookItem({ ...base, secretSet: false, lastReceivedAt: base.now })
    expect(noSecret.status).toBe('human')
    expect(noSecret.detail).toContain('URL https://hooks.example.com/webhooks/plane, events:')
  })
})

describe('telegram set-up decisions', () => {
  const url = 'https://hooks.example.com/webhooks/telegram'

  it('should set the webhook only for another URL or other update kinds', () => {
    expect(webhookNeedsUpdate({ url }, url)).toBe(false)
    expect(webhookNeedsUpdate({ url: '' }, url)).toBe(true)
    expect(webhookNeedsUpdate({ url, allowed_updates: ['message', 'callback_query'] }, url)).toBe(
      true
    )
    const ours = ['callback_query', 'message', 'edited_message', 'my_chat_member']
    expect(webhookNeedsUpdate({ url, allowed_updates: ours }, url)).toBe(false)
    // A webhook set by an earlier version, without the bot's membership news (issue 44): set again.
    expect(webhookNeedsUpdate({ url, allowed_updates: ours.slice(0, 3) }, url)).toBe(true)
  })

  it('should set the commands only when they differ', () => {
    const wanted = [{ command: 'plane', description: 'status' }]
    expect(commandsDiffer(wanted, wanted)).toBe(false)
    expect(commandsDiffer([], wanted)).toBe(true)
    expect(commandsDiffer([{ command: 'plane', description: 'old' }], wanted)).toBe(true)
  })
})
