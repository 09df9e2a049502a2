/** @module Operational alerts to the human (and the Concierge): once per condition, not once per tick. */

import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import { telegramMessage } from '../notify/outbox.ts'
import type { Store } from '../store/store.ts'

/** An alert stays "said" this long while its condition lasts; clearing it lets the next occurrence speak. */
const ALERT_TTL_S = 24 * 60 * 60

export type AlertOptions = {
  /** Identifies the condition (`agent-token:imhotep`, `webhooks-silent`). */
  key: string
  /** Telegram HTML for the human; omitted: the human is told another way (the pipeline) or not at all. */
  html?: string
  /** Plain text for the Concierge agent (OpenClaw hook); omitted: the Concierge is not told. */
  conciergeText?: string
  /** How long the alert stays said (default a day): a condition that comes back after it is told again. */
  ttlSeconds?: number
}

/** What raising an alert uses: the store (once per condition), the outbox, who to tell, and a kick to send now. */
export type AlertParts = Pick<Services, 'store' | 'log' | 'now'> &
  Pick<Parts, 'outbox' | 'chatId' | 'kick'> &
  Partial<Pick<Parts, 'openclaw'>> & {
    directory: Pick<Parts['directory'], 'concierge'>
  }

/** Raise an alert unless this condition was already reported; returns whether it was sent. */
export async function raiseAlert(
  parts: AlertParts,
  { key, html, conciergeText, ttlSeconds = ALERT_TTL_S }: AlertOptions
): Promise<boolean> {
  const { store, log, now, outbox, chatId } = parts
  if (!(await store.claim(`alert:${key}`, ttlSeconds))) return false
  log.warn('alert', { key })
  if (chatId && html) {
    await outbox.enqueue(telegramMessage(chatId, html, `alert:${key}:${now()}`))
  }
  const concierge = conciergeText && parts.openclaw ? await parts.directory.concierge() : null
  if (concierge && conciergeText) {
    await outbox.enqueue({
      channel: 'openclaw',
      target: concierge.openclawAgentId,
      payload: {
        message: conciergeText,
        agentId: concierge.openclawAgentId,
        name: 'plane-bridge',
        wakeMode: 'now',
        deliver: false,
      },
      dedupeKey: `alert:${key}:concierge:${now()}`,
    })
  }
  parts.kick()
  return true
}

/** The condition is over: the next time it happens, it is reported again. */
export async function clearAlert(store: Store, key: string): Promise<void> {
  await store.delete(`alert:${key}`)
}
