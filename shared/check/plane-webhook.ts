/** @module `check` for Plane's webhook: when the last signed delivery arrived, or what to look at. Pure. */
import type { WebhookTargetAdvice } from '../plane/webhook-target.ts'
import { ago, type CheckResult } from './result.ts'

export type PlaneWebhookFacts = {
  secretSet: boolean
  /** The URL Plane is to post to (PLANE_WEBHOOK_URL, else PUBLIC_URL/webhooks/plane), when known. */
  url: string | null
  /** Whether the running Plane takes that URL, and the fix when not (webhook-target.ts). */
  advice?: WebhookTargetAdvice
  /** Last delivery the route accepted (epoch ms), from the store; null when none in 30 days. */
  lastReceivedAt: number | null
  /** Deliveries of Plane's shape refused for their signature since the last accepted one. */
  refusedSinceAccepted: number
  /** Other requests refused on the public route since then (no signature, not Plane's headers): junk. */
  unsignedSinceAccepted?: number
  /** Since when the poll holds Plane's webhook for switched off, or null; and how to switch it on. */
  offSince?: number | null
  steps?: string
  now: number
}

export function checkPlaneWebhook(facts: PlaneWebhookFacts): CheckResult {
  const name = 'plane webhook'
  if (!facts.secretSet)
    return { name, status: 'off', detail: 'off (PLANE_WEBHOOK_SECRET unset: deploy step 6)' }
  const url = facts.url ?? 'PUBLIC_URL/webhooks/plane'
  const advice = facts.advice?.lines.length ? ` ${facts.advice.lines.join(' ')}` : ''
  // Junk on the public route is said, never blamed on the secret (one `curl -d x` must not turn check red).
  const junk = facts.unsignedSinceAccepted
    ? ` (${facts.unsignedSinceAccepted} unsigned requests refused since, not Plane's: ignored)`
    : ''
  // Blamed on the secret only when deliveries of Plane's shape fail while none verify (the count restarts at each
  // accepted one).
  if (facts.refusedSinceAccepted > 0)
    return {
      name,
      status: 'fail',
      detail: `${facts.refusedSinceAccepted} Plane deliveries refused for a bad signature${facts.lastReceivedAt === null ? '' : ' since the last accepted one'} and none accepted since: PLANE_WEBHOOK_SECRET differs from the webhook's secret in Plane${junk}`,
    }
  if (facts.offSince != null)
    return {
      name,
      status: 'fail',
      detail: `switched off in Plane ${ago(facts.offSince, facts.now)} (the poll found changes no delivery brought): ${facts.steps ?? 'switch it on again in Plane → Workspace settings → Webhooks'}`,
    }
  if (facts.lastReceivedAt === null)
    return {
      name,
      status: 'fail',
      detail: `none yet: check PLANE_WEBHOOK_SECRET and that Plane's webhook (Workspace settings → Webhooks) points to ${url} and is active, then edit a work item in Plane.${advice}${junk}`,
    }
  const when = new Date(facts.lastReceivedAt).toISOString()
  return {
    name,
    status: 'ok',
    detail: `last signed delivery ${ago(facts.lastReceivedAt, facts.now)} (${when})${junk}`,
  }
}
