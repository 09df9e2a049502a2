/** @module Typed OpenClaw hooks errors (§4.5 status codes) and their retry classification. */

import type { RetryDecision } from '../net/retry.ts'
import { errorMessage } from '../observe/errors.ts'

/**
 * What went wrong, by the §4.5 status list: 401 bad token, 400 bad request, 404 hooks disabled or wrong
 * path, 413 body too large, 429 auth-failure throttling, 409 conflict, 5xx and network: unavailable.
 */
export type OpenClawErrorKind =
  | 'auth'
  | 'bad_request'
  | 'not_found'
  | 'too_large'
  | 'rate_limited'
  | 'conflict'
  | 'unavailable'

export type OpenClawErrorInit = {
  kind: OpenClawErrorKind
  /** Hook endpoint, e.g. `/agent`. */
  endpoint: string
  /** HTTP status; absent when no answer arrived. */
  status?: number
  /** Redacted detail: the server's error text or the network failure. */
  detail: string
  /** From `Retry-After` on 429 (and 503). */
  retryAfterMs?: number
  timedOut?: boolean
  /** Redacted copy of the underlying error. */
  cause?: Error
}

/** A failed hooks call. Safe to log: no token in message, cause, stack or `toJSON()`. */
export class OpenClawError extends Error {
  override readonly name = 'OpenClawError'
  readonly kind: OpenClawErrorKind
  readonly endpoint: string
  readonly status: number | undefined
  readonly detail: string
  readonly retryAfterMs: number | undefined
  readonly timedOut: boolean

  constructor(init: OpenClawErrorInit) {
    const status = init.status === undefined ? '' : ` ${init.status}`
    super(
      `OpenClaw hooks ${init.endpoint} failed:${status} ${init.kind} (${init.detail})`,
      init.cause ? { cause: init.cause } : undefined
    )
    this.kind = init.kind
    this.endpoint = init.endpoint
    this.status = init.status
    this.detail = init.detail
    this.retryAfterMs = init.retryAfterMs
    this.timedOut = init.timedOut ?? false
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      endpoint: this.endpoint,
      status: this.status,
      detail: this.detail,
      retryAfterMs: this.retryAfterMs,
      timedOut: this.timedOut,
    }
  }
}

/** Map an HTTP error status to its kind (§4.5); unlisted 4xx are the caller's fault, 5xx the server's. */
export function kindOfStatus(status: number): OpenClawErrorKind {
  if (status === 401 || status === 403) return 'auth'
  if (status === 404) return 'not_found'
  if (status === 409) return 'conflict'
  if (status === 413) return 'too_large'
  if (status === 429) return 'rate_limited'
  if (status >= 500 || status === 408) return 'unavailable'
  return 'bad_request'
}

/**
 * Retry policy for `withRetry`. Safe because every agent call carries an Idempotency-Key (§4.5):
 * 429 waits `Retry-After`; 5xx, network and 409 (a concurrent request with the same key) retry on the
 * schedule; auth, bad request, not found and too large are final.
 * @example await withRetry(() => openclaw.agent(body, { idempotencyKey }), { classify: classifyOpenClawError })
 */
export function classifyOpenClawError(error: unknown): RetryDecision {
  if (!(error instanceof OpenClawError)) return { retry: false }
  switch (error.kind) {
    case 'rate_limited':
    case 'unavailable':
      return error.retryAfterMs === undefined
        ? { retry: true }
        : { retry: true, afterMs: error.retryAfterMs }
    case 'conflict':
      return { retry: true }
    default:
      return { retry: false }
  }
}

/**
 * What a failed hooks call says, safe to store and show (no token): an `OpenClawError`'s kind, status and
 * detail; anything else counts as OpenClaw being unreachable.
 */
export function openClawFailure(error: unknown): {
  kind: OpenClawErrorKind
  status: number | null
  detail: string
} {
  if (error instanceof OpenClawError)
    return { kind: error.kind, status: error.status ?? null, detail: error.detail }
  return {
    kind: 'unavailable',
    status: null,
    detail: errorMessage(error),
  }
}
