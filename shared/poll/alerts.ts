/** @module Operational alerts to the human (and the Concierge): once per condition, not once per tick. */
import type { Bridge } from '../bridge.ts'
import type { Services } from '../function.ts'
import { telegramMessage } from '../notify/outbox.ts'

/** An alert stays "said" this long while its condition lasts; clearing it lets the next occurrence speak. */
const ALERT_TTL_S = 24 * 60 * 60

export type AlertOptions = {
  /** Identifies the condition (`agent-token:imhotep`, `webhooks-silent`). */
  key: string
  /** Telegram HTML for the human; omitted: the human is told another way (the pipeline) or not at all. */
  html?: string
  /** Plain text for the Concierge agent (OpenClaw hook); omitted: the Concierge is not told. */
  conciergeText?: string
}

/** Raise an alert unless this condition was already reported; returns whether it was sent. */
export async function raiseAlert(
  services: Services,
  bridge: Bridge,
  { key, html, conciergeText }: AlertOptions
): Promise<boolean> {
  if (!(await services.store.claim(`alert:${key}`, ALERT_TTL_S))) return false
  services.log.warn('alert', { key })
  const { chatId } = bridge
  if (chatId && html) {
    await bridge.outbox.enqueue(telegramMessage(chatId, html, `alert:${key}:${services.now()}`))
  }
  const concierge = conciergeText && bridge.openclaw ? await bridge.directory.concierge() : null
  if (concierge && conciergeText) {
    await bridge.outbox.enqueue({
      channel: 'openclaw',
      target: concierge.openclawAgentId,
      payload: {
        message: conciergeText,
        agentId: concierge.openclawAgentId,
        name: 'plane-bridge',
        wakeMode: 'now',
        deliver: false,
      },
      dedupeKey: `alert:${key}:concierge:${services.now()}`,
    })
  }
  bridge.kick()
  return true
}

/** The condition is over: the next time it happens, it is reported again. */
export async function clearAlert(services: Services, key: string): Promise<void> {
  await services.store.delete(`alert:${key}`)
}
