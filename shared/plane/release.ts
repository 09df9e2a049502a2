/**
 * @module Which Plane release runs (detected, not assumed): its public `GET /api/instances/` (no key) says
 * `instance.current_version` (`v1.3.1`). The rules on webhook URLs differ by release (webhook-target.ts).
 */
import { normaliseBaseUrl } from './paths.ts'
import { adviseWebhookTarget, type WebhookTargetAdvice } from './webhook-target.ts'

const TIMEOUT_MS = 5_000

/** `v1.3.1`, or null when Plane does not say (not set up, unreachable, an older or other build). */
export async function detectPlaneRelease(
  baseUrl: string,
  fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init)
): Promise<string | null> {
  try {
    const response = await fetchImpl(`${normaliseBaseUrl(baseUrl)}/api/instances/`, {
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    if (!response.ok) return null
    const body = (await response.json()) as { instance?: { current_version?: unknown } }
    const version = body.instance?.current_version
    return typeof version === 'string' && /^v?\d+\.\d+\.\d+/.test(version) ? version : null
  } catch {
    // Unreachable or not JSON: the release is unknown; the advice holds for every release.
    return null
  }
}

/** The URL Plane is to post its webhook to: PLANE_WEBHOOK_URL, else PUBLIC_URL's /webhooks/plane. */
export function webhookTargetOf(config: {
  PLANE_WEBHOOK_URL?: string | undefined
  PUBLIC_URL?: string | undefined
}): string | null {
  if (config.PLANE_WEBHOOK_URL) return config.PLANE_WEBHOOK_URL
  return config.PUBLIC_URL ? `${config.PUBLIC_URL.replace(/\/+$/, '')}/webhooks/plane` : null
}

/** The running Plane's verdict on the webhook URL, with the fix (its release read from Plane, its host from the URL). */
export async function adviseOnWebhookTarget(
  config: { PLANE_BASE_URL?: string | undefined },
  url: string
): Promise<WebhookTargetAdvice> {
  const release = config.PLANE_BASE_URL ? await detectPlaneRelease(config.PLANE_BASE_URL) : null
  let planeHost: string | null = null
  try {
    planeHost = config.PLANE_BASE_URL ? new URL(config.PLANE_BASE_URL).hostname : null
  } catch {
    // Not a URL (the check's Plane line says so): no host to compare the webhook's with.
  }
  return adviseWebhookTarget({ url, planeHost, release })
}
