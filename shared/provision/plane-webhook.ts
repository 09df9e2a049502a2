/** @module Plane's webhook: CE has no API-key route to create or list it (plane-api.md §7.1), so say what to do. Pure. */
import type { WebhookTargetAdvice } from '../plane/webhook-target.ts'
import type { ProvisionItem } from './types.ts'

/** A delivery within this window proves the webhook works; a quiet workspace may go days without one. */
export const WEBHOOK_RECENT_MS = 7 * 24 * 60 * 60 * 1000

export type PlaneWebhookCheck = {
  /** The URL Plane is to post to (PLANE_WEBHOOK_URL, else PUBLIC_URL/webhooks/plane), when known. */
  url: string | null
  /** Whether the running Plane takes that URL, and the fix when not (webhook-target.ts). */
  advice?: WebhookTargetAdvice
  secretSet: boolean
  /** When `/webhooks/plane` last accepted a signed delivery (`webhook:last-received`), or null. */
  lastReceivedAt: number | null
  /** Deliveries refused for a bad signature since the last accepted one. */
  refusedSinceAccepted?: number
  now: number
}

export function planeWebhookItem({
  url,
  advice,
  secretSet,
  lastReceivedAt,
  refusedSinceAccepted = 0,
  now,
}: PlaneWebhookCheck): ProvisionItem {
  const subject = 'plane webhook'
  // Deliveries arrive but none is accepted: the secret is not the webhook's.
  if (secretSet && refusedSinceAccepted > 0)
    return {
      subject,
      status: 'human',
      changed: false,
      detail: `${refusedSinceAccepted} deliveries refused for a bad signature${lastReceivedAt === null ? '' : ` since the last accepted one (${_ago(now - lastReceivedAt)} ago)`}: check PLANE_WEBHOOK_SECRET — it must be the secret Plane showed when the webhook was created (Workspace settings → Webhooks; regenerate it there if lost), then restart plane-bridge.`,
    }
  const ageMs = lastReceivedAt === null ? null : now - lastReceivedAt
  if (secretSet && ageMs !== null && ageMs <= WEBHOOK_RECENT_MS) {
    return {
      subject,
      status: 'ok',
      changed: false,
      detail: `working: last signed delivery ${_ago(ageMs)} ago`,
    }
  }
  const where = url ?? '<PUBLIC_URL>/webhooks/plane (set PUBLIC_URL first)'
  const warning = advice?.lines.length ? ` ${advice.lines.join(' ')}` : ''
  // Webhook CRUD is session-API only in CE and the secret is shown once: a person must do this step.
  const detail = secretSet
    ? `PLANE_WEBHOOK_SECRET is set but no delivery arrived ${ageMs === null ? 'yet' : `for ${_ago(ageMs)}`}. In Plane, Workspace settings → Webhooks: check that ${where} exists, is active and sends projects, work items, cycles, modules and work item comments (Plane deactivates a webhook after repeated failures). Edit a work item in Plane's UI, then run provision again to confirm.${warning}`
    : `create it by hand (Plane CE has no API-key route for webhooks): in Plane, Workspace settings → Webhooks → Add webhook, URL ${where}, events: projects, work items, cycles, modules, work item comments. Plane shows the secret (plane_wh_…) once: put it in .env as PLANE_WEBHOOK_SECRET, run \`docker compose up -d\`, then run provision again.${warning}`
  return { subject, status: 'human', changed: false, detail }
}

// --- Internal helpers ---

function _ago(ms: number): string {
  const minutes = Math.round(ms / 60_000)
  if (minutes < 120) return `${minutes} min`
  const hours = Math.round(minutes / 60)
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`
}
