import { describe, expect, it } from 'vitest'
import type { AgentRef } from '../agents/registry.ts'
import { createOutbox } from '../notify/outbox.ts'
import { silentLogger } from '../observe/log.ts'
import { createOpenClawClient } from '../openclaw/client.ts'
import { createMemoryStore } from '../store/store.ts'
import { type AlertParts, clearAlert, raiseAlert } from './alerts.ts'

const CONCIERGE: AgentRef = {
  id: 'concierge',
  name: 'Concierge',
  role: 'concierge',
  planeUserId: 'u-concierge',
  openclawAgentId: 'oc-concierge',
}

/** Only the parts an alert uses: no services, no bridge. */
function parts(overrides: Partial<AlertParts> = {}) {
  const store = createMemoryStore()
  let kicks = 0
  const built: AlertParts = {
    store,
    log: silentLogger,
    now: () => Date.parse('2026-11-25T10:00:00Z'),
    outbox: createOutbox(store),
    chatId: '-100',
    // Never called: an alert only asks whether OpenClaw is configured.
    openclaw: createOpenClawClient({ hooksUrl: 'http://127.0.0.1:9/hooks', token: 'hooks-token' }),
    directory: { concierge: async () => CONCIERGE },
    kick: () => {
      kicks++
    },
    ...overrides,
  }
  return { parts: built, store, kicks: () => kicks }
}

describe('raiseAlert', () => {
  it('should tell the human and the Concierge once per condition, until it is cleared', async () => {
    const t = parts()
    const alert = { key: 'webhooks-silent', html: '<b>silence</b>', conciergeText: 'silence' }
    expect(await raiseAlert(t.parts, alert)).toBe(true)
    expect(await raiseAlert(t.parts, alert)).toBe(false)
    const sent = await t.parts.outbox.pending()
    expect(sent.map((i) => [i.channel, i.target])).toEqual([
      ['telegram', '-100'],
      ['openclaw', 'oc-concierge'],
    ])
    expect(t.kicks()).toBe(1)

    await clearAlert(t.store, 'webhooks-silent')
    expect(await raiseAlert(t.parts, alert)).toBe(true)
  })

  it('should leave out the Concierge without OpenClaw, and the human without a chat', async () => {
    const t = parts({ openclaw: null, chatId: null })
    expect(await raiseAlert(t.parts, { key: 'k', html: 'x', conciergeText: 'y' })).toBe(true)
    expect(await t.parts.outbox.pending()).toEqual([])
  })
})
