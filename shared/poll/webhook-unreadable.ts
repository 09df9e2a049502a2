/**
 * @module Signed Plane deliveries that cannot be read: not JSON, an event the bridge does not know, data of the wrong
 * shape. Plane resends neither a 4xx nor a 2xx (only after a transport error), so such a delivery is answered 2xx
 * like any other and read after its answer; then it is kept apart here for the operator (a week, the latest 100, with
 * the start of its body), counted (`plane_bridge_webhook_rejected_total{reason}`), logged, shown by `/ready` and
 * `npm run job -- dead-letters`, and told to the human at most once in ten minutes. It is never processed.
 */

import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import type { Locale } from '../notify/i18n.ts'
import { createStoreQueue, type StoreQueue } from '../store/queue.ts'
import type { Store } from '../store/store.ts'
import { escapeHtml } from '../telegram/html.ts'
import { capText } from '../text/cap.ts'
import { raiseAlert } from './alerts.ts'

export type UnreadableDelivery = {
  /** Its id in the webhook inbox (arrival time, body hash). */
  id: string
  receivedAt: number
  /** `invalid_json`, `unknown_event`, `invalid_payload`; `invalid_entry` for an inbox entry the bridge did not write. */
  reason: string
  /** What the reader found, in plain English (the fields at fault). */
  message: string
  /** X-Plane-Event and X-Plane-Delivery, as sent. */
  event: string | null
  deliveryId: string | null
  /** The body's length in characters, and its start. */
  length: number
  excerpt: string
}

/** What was found, as the inbox's reader hands it over. */
export type UnreadableFound = Omit<UnreadableDelivery, 'length' | 'excerpt'> & { body: string }

export type UnreadableServices = Pick<Services, 'store' | 'log' | 'now' | 'config' | 'metrics'>
export type UnreadableParts = Pick<Parts, 'outbox' | 'chatId' | 'kick' | 'directory'>

const UNREADABLE_TTL_S = 7 * 24 * 60 * 60
/** Kept at most: a flood of unreadable deliveries keeps its latest, the counter counts them all. */
export const UNREADABLE_KEPT = 100
const EXCERPT_CHARS = 2_000
const MESSAGE_CHARS = 1_000
/** The human hears of unreadable deliveries at most this often; the rest are counted and listed. */
const TELL_EVERY_S = 10 * 60

/** The deliveries kept apart, by arrival. */
export function unreadableDeliveries(
  store: Store,
  now: () => number
): StoreQueue<UnreadableDelivery> {
  return createStoreQueue<UnreadableDelivery>({
    store,
    sortedSet: 'index:webhook-unreadable',
    itemPrefix: 'webhook:unreadable:',
    ttlSeconds: UNREADABLE_TTL_S,
    now,
  })
}

/**
 * Count, log, keep apart (the same id twice is one entry) and, unless told in the last ten minutes, tell the human.
 */
export async function keepUnreadable(
  services: UnreadableServices,
  parts: UnreadableParts,
  { body, ...found }: UnreadableFound
): Promise<void> {
  const { store, log, now, metrics, config } = services
  metrics.webhookRejected.inc({ reason: found.reason })
  log.warn('plane webhook unreadable: answered, kept apart, not processed', {
    id: found.id,
    delivery: found.deliveryId,
    event: found.event,
    reason: found.reason,
    error: found.message,
  })
  const kept = unreadableDeliveries(store, now)
  // Cut between graphemes: what is kept, listed and told stays well-formed text, and bounded (an unknown event's
  // name, quoted in the message, is as long as the body let it be).
  const entry = {
    ...found,
    message: capText(found.message, MESSAGE_CHARS),
    length: body.length,
    excerpt: capText(body, EXCERPT_CHARS),
  }
  await kept.put(found.id, entry, found.receivedAt)
  const over = (await kept.size()) - UNREADABLE_KEPT
  if (over > 0) for (const { id } of await kept.range({ limit: over })) await kept.remove(id)
  await raiseAlert(
    { ...parts, store, log, now },
    {
      key: 'webhook-unreadable',
      ttlSeconds: TELL_EVERY_S,
      html: unreadableMessage(config.LOCALE, entry),
    }
  )
}

/** The deliveries kept apart, newest first. */
export async function listUnreadable(
  store: Store,
  now: () => number
): Promise<UnreadableDelivery[]> {
  const kept = await unreadableDeliveries(store, now).range({ limit: UNREADABLE_KEPT * 2 })
  return kept.map((e) => e.value).reverse()
}

/** For `/ready`: how many are kept, and when the latest came (null: none). */
export async function unreadableSummary(
  store: Store,
  now: () => number
): Promise<{ kept: number; latestAt: number | null }> {
  const kept = unreadableDeliveries(store, now)
  const count = await kept.size()
  if (count === 0) return { kept: 0, latestAt: null }
  const [latest] = await store
    .sortedRange(kept.sortedSet, { limit: count })
    .then((e) => e.slice(-1))
  return { kept: count, latestAt: latest?.score ?? null }
}

/** One line per delivery for a terminal: when, its ids, why; the body's start left out (it may quote people). */
export function unreadableLine(d: UnreadableDelivery): string {
  return [
    d.id,
    new Date(d.receivedAt).toISOString(),
    d.event ?? '-',
    d.deliveryId ?? '-',
    `${d.length} chars`,
    `${d.reason}: ${d.message}`,
  ].join('\t')
}

/** The human's message (Telegram HTML): what came, why it was not read, where the operator sees the rest. */
export function unreadableMessage(locale: Locale, d: UnreadableDelivery): string {
  const id = d.deliveryId ? ` <code>${escapeHtml(d.deliveryId)}</code>` : ''
  const why = escapeHtml(capText(`${d.reason}: ${d.message}`, 300))
  if (locale === 'en') {
    return [
      `⚠️ Plane sent a delivery plane-bridge cannot read${id} (${why}). Nothing was done with it; the poll catches up with the tasks it may have concerned.`,
      'Others in the next 10 minutes are only counted: <code>npm run job -- dead-letters</code> lists them, /ready counts them.',
    ].join('\n')
  }
  return [
    `⚠️ Plane a envoyé une livraison que plane-bridge ne sait pas lire${id} (${why}). Elle n’a pas été traitée ; le poll rattrape les tâches qu’elle pouvait concerner.`,
    'Les suivantes des 10 prochaines minutes sont seulement comptées : <code>npm run job -- dead-letters</code> les liste, /ready les compte.',
  ].join('\n')
}
