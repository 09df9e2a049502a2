/** @module Tell the human once when Plane stops delivering webhooks: the poll sees human edits no webhook reported. */
import type { Services } from '../function.ts'
import { REJECTED_KEY, type RejectionNotes } from '../webhook-rejections.ts'
import { type AlertParts, clearAlert, raiseAlert } from './alerts.ts'

/** What the poll's webhook check uses: the settings, the metrics, and an alert's parts. */
export type WebhookHealthParts = AlertParts & Pick<Services, 'config' | 'metrics'>

/** A webhook normally lands within seconds; an edit older than this that the poll finds first was missed. */
export const WEBHOOK_GRACE_MS = 2 * 60 * 1000
/** How long without any delivery, while edits are being missed, before the human is told. */
export const WEBHOOK_SILENCE_MS = 30 * 60 * 1000
const LAST_RECEIVED_KEY = 'webhook:last-received'
const ALERT_KEY = 'webhooks-silent'

/** Called by the webhook route for every accepted delivery: one write, the poll does the rest. */
export async function noteWebhookReceived(services: Services): Promise<void> {
  // MONITOR-04: in this process's /metrics at once, whatever the store does.
  services.metrics.lastWebhook.set({}, services.now() / 1000)
  // The store is told at most every NOTE_EVERY_MS per store: two writes per delivery were a third of the
  // request path's store work under load, for a time read at minute scale (/ready, the poll's silence check).
  const last = lastNoted.get(services.store) ?? Number.NEGATIVE_INFINITY
  if (services.now() - last < NOTE_EVERY_MS) return
  lastNoted.set(services.store, services.now())
  try {
    await services.store.set(LAST_RECEIVED_KEY, services.now(), { ttlSeconds: 30 * 24 * 60 * 60 })
    // A delivery with the right signature: the secret is right, earlier refusals were someone else's.
    await services.store.delete(REJECTED_KEY)
  } catch (error) {
    lastNoted.delete(services.store)
    throw error
  }
}

/**
 * The route gave a delivery no answer (the store did not take it): Plane retries it for up to an hour, so until then
 * a change the poll sees first is no sign of a switched-off webhook. Kept in memory first (the store is what failed)
 * and written down with the next accepted delivery or poll.
 */
export function noteWebhookWithheld(services: Pick<Services, 'store' | 'now'>): void {
  withheld.set(services.store, services.now())
}

/** When this runtime, or any process on the store, last withheld a delivery's answer (epoch ms), or null. */
export async function lastWebhookWithheldAt(
  services: Pick<Services, 'store'>
): Promise<number | null> {
  const here = withheld.get(services.store) ?? null
  const stored = await services.store.get<number>(WITHHELD_KEY).catch(() => null)
  if (here !== null && (stored === null || here > stored)) {
    await services.store
      .set(WITHHELD_KEY, here, { ttlSeconds: 2 * 24 * 60 * 60 })
      .catch(() => undefined)
    return here
  }
  return stored
}

const WITHHELD_KEY = 'webhook:last-withheld'
const withheld = new WeakMap<object, number>()

/** How often an accepted delivery is written down (per store object, i.e. per runtime). */
const NOTE_EVERY_MS = 5_000
const lastNoted = new WeakMap<object, number>()

/**
 * Deliveries refused for a bad signature since the last accepted one: when it grows while nothing is
 * accepted, PLANE_WEBHOOK_SECRET differs from the webhook's secret in Plane.
 */
export async function signaturesRejectedSinceAccepted(
  services: Pick<Services, 'store'>,
  notes?: Pick<RejectionNotes, 'pending'>
): Promise<number> {
  // What this process refused since its last write counts too (written down once a minute).
  return ((await services.store.get<number>(REJECTED_KEY)) ?? 0) + (notes?.pending() ?? 0)
}

/** When the webhook route last accepted a delivery (epoch ms), or null if none in the last 30 days. */
export async function lastWebhookReceivedAt(
  services: Pick<Services, 'store'>
): Promise<number | null> {
  return (await services.store.get<number>(LAST_RECEIVED_KEY)) ?? null
}

/**
 * Whether Plane's webhooks are known to be failing: the poll found people's edits no delivery reported, for longer
 * than WEBHOOK_SILENCE_MS (the alert it raised is still standing). The index of work items then trusts no listing
 * older than the call (issue 32).
 */
export async function webhooksSilent(store: Pick<Services['store'], 'has'>): Promise<boolean> {
  return store.has(`alert:${ALERT_KEY}`)
}

/**
 * `missedHumanEdits`: edits by people (not agents, not the bridge — API writes fire no webhook in v1.2,
 * makeplane/plane#6746) older than the grace period that the poll was first to see.
 */
export async function checkWebhookHealth(
  services: WebhookHealthParts,
  missedHumanEdits: number
): Promise<boolean> {
  if (!services.config.PLANE_WEBHOOK_SECRET) return false
  services.metrics.webhookMissedEdits.inc({}, missedHumanEdits)
  const stored = await lastWebhookReceivedAt(services)
  // Every replica (and a restarted process) shows the last delivery any of them accepted.
  if (stored !== null) services.metrics.lastWebhook.set({}, stored / 1000)
  const lastReceived = stored ?? 0
  const silentForMs = services.now() - lastReceived
  if (silentForMs < WEBHOOK_SILENCE_MS) {
    // Deliveries arrive again: the next silence is reported anew.
    await clearAlert(services.store, ALERT_KEY)
    return false
  }
  if (missedHumanEdits === 0) return false
  const minutes = lastReceived === 0 ? null : Math.round(silentForMs / 60_000)
  const fr = services.config.LOCALE !== 'en'
  const since =
    minutes === null
      ? fr
        ? 'depuis le démarrage'
        : 'since start'
      : fr
        ? `depuis ${minutes} min`
        : `for ${minutes} min`
  return raiseAlert(services, {
    key: ALERT_KEY,
    html: fr
      ? `⚠️ Plane n'envoie plus de webhooks ${since} (${missedHumanEdits} modification(s) vue(s) seulement par le poll). Vérifiez que le webhook est actif dans Plane (Paramètres → Webhooks) : Plane le désactive après des échecs répétés. Les notifications continuent, avec jusqu'à 5 min de retard.`
      : `⚠️ Plane has sent no webhook ${since} (${missedHumanEdits} change(s) seen only by the poll). Check that the webhook is still active in Plane (Settings → Webhooks): Plane deactivates it after repeated failures. Notifications go on, up to 5 min late.`,
  })
}
