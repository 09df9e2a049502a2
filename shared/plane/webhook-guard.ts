/**
 * @module What the Plane webhook route keeps per runtime: the signature verifier (its HMAC key imported once) and
 * the pace of its warnings about refused signatures. Built once in the composition root when PLANE_WEBHOOK_SECRET
 * is set (the settings are fixed for a runtime's life).
 */
import type { Hashing } from '../hash.ts'
import { createRecentDeliveries, type RecentDeliveries } from './recent-deliveries.ts'
import { createPlaneSignatureVerifier, type PlaneSignatureVerifier } from './webhook-signature.ts'

/**
 * Plane gives every retry a new X-Plane-Delivery but identical bytes (plane-api.md §7.5): the body's hash is
 * the dedupe key. A day outlasts Plane's whole retry schedule (6 attempts, ≤ 600 s apart: under an hour). A
 * copy later still (Plane's worker down for days, its retries queued) is processed again and changes nothing:
 * the diff finds the task's change stale or unchanged, comments and announcements keep their own claims.
 * Kept a week, these claims were most of the fs store's memory (one per delivery, ~210 bytes each).
 */
export const WEBHOOK_DEDUPE_TTL_S = 24 * 60 * 60

/** At most one warning a minute per runtime: junk traffic must not flood the log. */
export const SIGNATURE_WARN_EVERY_MS = 60_000

export type PlaneWebhookGuard = {
  verify: PlaneSignatureVerifier
  /** Bodies kept lately by this runtime: their retries are answered without a store read. */
  recent: RecentDeliveries
  /**
   * One delivery refused for its signature. When a warning is due (the last one a minute old), the refusals since
   * the last warning, this one included; null when it is not.
   */
  refused(): number | null
}

export type PlaneWebhookGuardOptions = {
  secret: string
  hashing: Hashing
  now: () => number
}

export function createPlaneWebhookGuard({
  secret,
  hashing,
  now,
}: PlaneWebhookGuardOptions): PlaneWebhookGuard {
  const verify = createPlaneSignatureVerifier(secret, hashing)
  const recent = createRecentDeliveries({ now, ttlMs: WEBHOOK_DEDUPE_TTL_S * 1000 })
  let warnedAt = Number.NEGATIVE_INFINITY
  let since = 0
  return {
    verify,
    recent,
    refused() {
      since++
      if (now() - warnedAt < SIGNATURE_WARN_EVERY_MS) return null
      const refused = since
      warnedAt = now()
      since = 0
      return refused
    },
  }
}

/** The sorted index of the deliveries kept and not yet read and processed (functions/webhooks/inbox.ts), by arrival. */
export const WEBHOOK_INBOX_SET = 'index:webhook-inbox'
