/**
 * @module What the Plane webhook route keeps per runtime: the signature verifier (its HMAC key imported once) and
 * the pace of its warnings about refused signatures. Built once in the composition root when PLANE_WEBHOOK_SECRET
 * is set (the settings are fixed for a runtime's life).
 */
import type { Hashing } from '../hash.ts'
import { createPlaneSignatureVerifier, type PlaneSignatureVerifier } from './webhook-signature.ts'

/** At most one warning a minute per runtime: junk traffic must not flood the log. */
export const SIGNATURE_WARN_EVERY_MS = 60_000

export type PlaneWebhookDoor = {
  verify: PlaneSignatureVerifier
  /**
   * One delivery refused for its signature. When a warning is due (the last one a minute old), the refusals since
   * the last warning, this one included; null when it is not.
   */
  refused(): number | null
}

export type PlaneWebhookDoorOptions = {
  secret: string
  hashing: Hashing
  now: () => number
}

export function createPlaneWebhookDoor({
  secret,
  hashing,
  now,
}: PlaneWebhookDoorOptions): PlaneWebhookDoor {
  const verify = createPlaneSignatureVerifier(secret, hashing)
  let warnedAt = Number.NEGATIVE_INFINITY
  let since = 0
  return {
    verify,
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
