/**
 * @module Tell the human once when Plane's webhook is switched off: the poll sees changes no delivery brought. Also
 * what the webhook route notes for it: deliveries accepted, answers withheld.
 */

import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import { webhookTargetOf } from '../plane/release.ts'
import { LAST_RECEIVED_KEY } from '../plane/webhook-notes.ts'
import { REJECTED_KEY, type RejectionNotes, UNSIGNED_KEY } from '../plane/webhook-rejections.ts'
import { type AlertParts, clearAlert, raiseAlert } from './alerts.ts'
import { webhookOffMessage, webhookSettingsUrl } from './webhook-off.ts'

/** What the poll's webhook check uses: the settings, the metrics, and an alert's parts. */
export type WebhookHealthParts = AlertParts &
  Pick<Services, 'config' | 'metrics'> &
  Pick<Parts, 'webhookNotes'>

/** A webhook normally lands within seconds; an edit older than this that the poll finds first was missed. */
export const WEBHOOK_GRACE_MS = 2 * 60 * 1000
const ALERT_KEY = 'webhooks-silent'

/**
 * Called by the webhook route for every accepted delivery: the gauge at once; the store's note through the notes, as
 * a task for after the answer, or null when none is due (at most one every 5 s: a delivery in between costs no task).
 */
export function noteWebhookReceived(
  parts: Pick<Services, 'metrics' | 'now'> & Pick<Parts, 'webhookNotes'>
): (() => Promise<void>) | null {
  // MONITOR-04: in this process's /metrics at once, whatever the store does.
  parts.metrics.lastWebhook.set({}, parts.now() / 1000)
  const notes = parts.webhookNotes
  return notes.due() ? () => notes.received() : null
}

/**
 * Deliveries of Plane's shape refused for a bad signature since the last accepted one: when it grows while nothing
 * is accepted, PLANE_WEBHOOK_SECRET differs from the webhook's secret in Plane.
 */
export async function signaturesRejectedSinceAccepted(
  services: Pick<Services, 'store'>,
  notes?: Pick<RejectionNotes, 'pending'>
): Promise<number> {
  // What this process refused since its last write counts too (written down once a minute).
  return ((await services.store.get<number>(REJECTED_KEY)) ?? 0) + (notes?.pending('signed') ?? 0)
}

/**
 * Requests refused on the public route since the last accepted delivery that were not Plane's (no signature, or
 * without Plane's headers): junk, which says nothing about PLANE_WEBHOOK_SECRET.
 */
export async function unsignedRejectedSinceAccepted(
  services: Pick<Services, 'store'>,
  notes?: Pick<RejectionNotes, 'pending'>
): Promise<number> {
  return ((await services.store.get<number>(UNSIGNED_KEY)) ?? 0) + (notes?.pending('unsigned') ?? 0)
}

/** When the webhook route last accepted a delivery (epoch ms), or null if none in the last 30 days. */
export async function lastWebhookReceivedAt(
  services: Pick<Services, 'store'>
): Promise<number | null> {
  return (await services.store.get<number>(LAST_RECEIVED_KEY)) ?? null
}

/**
 * Whether Plane's webhook is known to be switched off (or failing): the poll found changes no delivery brought, and
 * no delivery since (the alert it raised is still standing). The index of work items then trusts no listing older
 * than the call.
 */
export async function webhooksSilent(store: Pick<Services['store'], 'has'>): Promise<boolean> {
  return store.has(OFF_SINCE_KEY)
}

/** Since when (epoch ms) the bridge holds Plane's webhook for switched off, or null. */
export async function webhookOffSince(services: Pick<Services, 'store'>): Promise<number | null> {
  return (await services.store.get<number>(OFF_SINCE_KEY)) ?? null
}

/** What the poll saw that no delivery brought, older than WEBHOOK_GRACE_MS (webhooks land within seconds). */
export type MissedByWebhooks = {
  /**
   * Edits by people (not agents, not the bridge: API writes fire no webhook in v1.2, makeplane/plane#6746) that the
   * poll was first to see.
   */
  edits: number
  /** Comments by people the poll caught up that no delivery had brought (comments fire webhooks in every version). */
  comments: number
  /** When the oldest of them was made (epoch ms); null when there are none. */
  oldestAt: number | null
}

/**
 * Plane retries a delivery that got no answer up to 5 times, each within 600 s (plane-api.md §7.5): for this long
 * after the bridge withheld an answer (its store down), a change the poll sees first may still be on its way.
 */
export const WEBHOOK_RETRY_HORIZON_MS = 60 * 60 * 1000

/**
 * Tell the human once when Plane's webhook is switched off. After its 6th failed attempt at a delivery
 * Plane sets the webhook's `is_active=False` and mails its creator (plane-api.md §7.5); from then on the bridge hears
 * only its polls. That shows within one poll: changes the poll found first (two at least), and no delivery at all
 * since the oldest of them. A delivery lost among others (a network blip) is not it: others arrive after. Nor is a delivery whose
 * answer the bridge withheld within the last hour: Plane is still retrying it. Said once; the state stands
 * (`webhook:off-since`: `webhooksSilent`, the `plane_bridge_webhook_off` gauge, `/ready`, `npm run job -- check`)
 * until a delivery is accepted again. True when the human was told now.
 */
export async function checkWebhookHealth(
  services: WebhookHealthParts,
  missed: MissedByWebhooks
): Promise<boolean> {
  if (!services.config.PLANE_WEBHOOK_SECRET) return false
  const { store, metrics, now } = services
  metrics.webhookMissedEdits.inc({}, missed.edits)
  const stored = await lastWebhookReceivedAt(services)
  // Every replica (and a restarted process) shows the last delivery any of them accepted.
  if (stored !== null) metrics.lastWebhook.set({}, stored / 1000)
  const lastReceived = stored ?? Number.NEGATIVE_INFINITY
  const offSince = await webhookOffSince(services)
  if (offSince !== null) {
    const back = lastReceived >= offSince
    if (back) {
      // Deliveries arrive again: the next time it is switched off is reported anew.
      await clearAlert(store, ALERT_KEY)
      await store.delete(OFF_SINCE_KEY)
    }
    metrics.webhookOff.set({}, back ? 0 : 1)
    return false
  }
  metrics.webhookOff.set({}, 0)
  if (!_switchedOff(missed, lastReceived)) return false
  // Plane is still retrying a delivery the bridge gave no answer: not switched off (yet).
  const withheldAt = await services.webhookNotes.lastWithheldAt()
  if (withheldAt !== null && now() - withheldAt < WEBHOOK_RETRY_HORIZON_MS) return false
  services.log.warn('Plane webhook switched off: changes seen only by the poll', {
    edits: missed.edits,
    comments: missed.comments,
    lastReceived: stored,
  })
  const { PLANE_BASE_URL, PLANE_WORKSPACE_SLUG, LOCALE } = services.config
  // Told first, then marked: a crash in between tells it at the next poll, once (the alert's claim).
  const told = await raiseAlert(services, {
    key: ALERT_KEY,
    html: webhookOffMessage(LOCALE, {
      lastReceivedAt: stored,
      now: now(),
      missed: missed.edits + missed.comments,
      settingsUrl: webhookSettingsUrl(PLANE_BASE_URL, PLANE_WORKSPACE_SLUG),
      webhookUrl: webhookTargetOf(services.config),
    }),
  })
  await store.set(OFF_SINCE_KEY, now(), { ttlSeconds: OFF_SINCE_TTL_S })
  metrics.webhookOff.set({}, 1)
  return told
}

// --- Internal helpers ---

const OFF_SINCE_KEY = 'webhook:off-since'
/** Longer than any silence worth a standing alert; a later one is noticed again. */
const OFF_SINCE_TTL_S = 30 * 24 * 60 * 60

/**
 * Changes no delivery brought, two at least, and no delivery since the oldest of them. One alone is no proof: a
 * single delivery lost (a proxy's 502 while plane-bridge restarts is final for Plane too) looks the same until a
 * second change shows whether deliveries still come.
 */
function _switchedOff(missed: MissedByWebhooks, lastReceived: number): boolean {
  if (missed.edits + missed.comments < MIN_MISSED || missed.oldestAt === null) return false
  return lastReceived < missed.oldestAt
}

const MIN_MISSED = 2
