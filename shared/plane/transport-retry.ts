/** @module When a request to Plane goes again: the failures worth another attempt, and the requests safe to replay. */
import type { RetryDecision } from '../net/retry.ts'
import { PlaneApiError } from './errors.ts'
import { hasExternalIds } from './paths.ts'
import type { PlaneMethod } from './transport-http.ts'

/** Statuses worth another attempt besides 429: gateway trouble and timeouts. A 500 is Plane's catch-all for
 * deterministic failures (e.g. an unknown `order_by`), so repeating it only burns quota. */
const RETRY_STATUSES = new Set([408, 502, 503, 504])

/** Retry transport failures, timeouts, 429 (after Retry-After when given) and 408/502/503/504. */
export function classifyPlaneRetry(error: unknown): RetryDecision {
  if (!(error instanceof PlaneApiError)) return { retry: false }
  const transient =
    error.reason === 'timeout' ||
    error.reason === 'network' ||
    error.kind === 'rate_limited' ||
    RETRY_STATUSES.has(error.status)
  if (!transient) return { retry: false }
  return error.retryAfterMs === undefined
    ? { retry: true }
    : { retry: true, afterMs: error.retryAfterMs }
}

/** Whether a request may be sent again after a failure that might have reached Plane, unless its caller says. */
export function defaultReplaySafe(method: PlaneMethod, body: unknown): boolean {
  if (method === 'GET' || method === 'PATCH') return true
  if (method === 'POST') return hasExternalIds(body)
  return false
}
