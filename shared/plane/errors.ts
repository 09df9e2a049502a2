/** @module Typed Plane API errors: one class, a `kind` per status class, never the API key in the text. */

import type { Redactor } from '../observe/redact.ts'
import { capText } from '../text/cap.ts'

export type PlaneErrorKind =
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'validation'
  | 'rate_limited'
  | 'unavailable'
  | 'payload_too_large'
  /** A 2xx whose body is not what Plane sends (e.g. the web app's HTML when the base URL is wrong). */
  | 'invalid_response'

/** How the request failed: Plane answered (`http`), never answered (`timeout`, `network`), or answered garbage (`parse`). */
export type PlaneErrorReason = 'http' | 'timeout' | 'network' | 'parse'

/** Plane's error body as parsed JSON (`{"detail":…}`, `{"error":…,"id":…}`, `{"field":[…]}`), or text. */
export type PlaneErrorBody = Record<string, unknown> | string | null

export type PlaneApiErrorInit = {
  kind: PlaneErrorKind
  reason: PlaneErrorReason
  /** HTTP status; 0 when no response arrived (timeout, network). */
  status: number
  method: string
  /** API path without host or query, e.g. `/api/v1/users/me/`. */
  path: string
  body: PlaneErrorBody
  retryAfterMs?: number
  /** On `conflict`: the id of the object that already exists, when Plane says it. */
  existingId?: string
  cause?: unknown
}

export class PlaneApiError extends Error {
  override readonly name = 'PlaneApiError'
  readonly kind: PlaneErrorKind
  readonly reason: PlaneErrorReason
  readonly status: number
  readonly method: string
  readonly path: string
  readonly body: PlaneErrorBody
  readonly retryAfterMs: number | undefined
  readonly existingId: string | undefined

  constructor(message: string, init: PlaneApiErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause })
    this.kind = init.kind
    this.reason = init.reason
    this.status = init.status
    this.method = init.method
    this.path = init.path
    this.body = init.body
    this.retryAfterMs = init.retryAfterMs
    this.existingId = init.existingId
  }

  toJSON() {
    const { name, message, kind, reason, status, method, path, body, retryAfterMs, existingId } =
      this
    return { name, message, kind, reason, status, method, path, body, retryAfterMs, existingId }
  }
}

/** An endpoint this Plane instance does not have (e.g. `relations/` before CE v1.3.0). */
export class PlaneUnsupportedError extends Error {
  override readonly name = 'PlaneUnsupportedError'
  constructor(
    readonly feature: string,
    message: string
  ) {
    super(message)
  }
}

/**
 * A wait for the window given up: its `signal` aborted before the request could start. Nothing was sent, and
 * nothing was counted for it.
 */
export class RequestNotStarted extends Error {
  override name = 'RequestNotStarted'
  constructor() {
    super('request not started: its wait for the key’s window was given up')
  }
}

/** Plane answers 403 both for a bad key and for a non-member; only the body tells them apart (plane-api.md §6). */
const BAD_KEY_DETAIL = /api token is not valid|credentials were not provided|invalid token/i

/** Django's URL resolver 404, i.e. the route does not exist on this version (not "object missing"). */
export const ROUTE_MISSING_ERROR = 'Page not found.'

/** Map an HTTP status and Plane's body to an error kind. */
export function classifyPlaneStatus(status: number, body: PlaneErrorBody): PlaneErrorKind {
  if (status === 401) return 'auth'
  if (status === 403)
    return BAD_KEY_DETAIL.test(_field(body, 'detail') ?? '') ? 'auth' : 'forbidden'
  if (status === 404 || status === 410) return 'not_found'
  if (status === 409) return 'conflict'
  if (status === 413) return 'payload_too_large'
  if (status === 429) return 'rate_limited'
  if (status === 408 || status >= 500) return 'unavailable'
  return 'validation'
}

/** True when a 404 means "no such URL on this Plane" rather than "no such object". */
export function isRouteMissing(error: unknown): boolean {
  return (
    error instanceof PlaneApiError &&
    error.status === 404 &&
    _field(error.body, 'error') === ROUTE_MISSING_ERROR
  )
}

export type HttpErrorInput = {
  status: number
  method: string
  path: string
  body: unknown
  retryAfterMs?: number
}

/** Build the error for a non-2xx answer; message and body pass through the redactor. */
export function createPlaneHttpError(input: HttpErrorInput, redactor: Redactor): PlaneApiError {
  const body = _normaliseBody(redactor.value(input.body))
  const kind = classifyPlaneStatus(input.status, body)
  const summary = _summarise(body)
  const message = `Plane ${input.method} ${input.path} failed: ${input.status} ${kind}${summary ? ` (${summary})` : ''}`
  const existingId = kind === 'conflict' ? _field(body, 'id') : undefined
  return new PlaneApiError(redactor.text(message), {
    kind,
    reason: 'http',
    status: input.status,
    method: input.method,
    path: redactor.text(input.path),
    body,
    ...(input.retryAfterMs === undefined ? {} : { retryAfterMs: input.retryAfterMs }),
    ...(existingId === undefined ? {} : { existingId }),
  })
}

export type TransportErrorInput = {
  method: string
  path: string
  error: unknown
  timeoutMs: number
}

/** Build the error for a request that got no answer. The original error is replaced by a redacted copy. */
export function createPlaneTransportError(
  { method, path, error, timeoutMs }: TransportErrorInput,
  redactor: Redactor
): PlaneApiError {
  const timedOut = _isTimeout(error)
  const detail = timedOut ? `no answer within ${timeoutMs} ms` : _describe(error)
  const cause = new Error(redactor.text(_describe(error)))
  return new PlaneApiError(redactor.text(`Plane ${method} ${path} failed: ${detail}`), {
    kind: 'unavailable',
    reason: timedOut ? 'timeout' : 'network',
    status: 0,
    method,
    path: redactor.text(path),
    body: null,
    cause,
  })
}

/** Build the error for a 2xx whose body does not match the expected schema. */
export function createPlaneParseError(
  input: { status: number; method: string; path: string; body: unknown; problem: string },
  redactor: Redactor
): PlaneApiError {
  const body = _normaliseBody(redactor.value(input.body))
  const message = `Plane ${input.method} ${input.path} returned an unexpected body: ${input.problem}`
  return new PlaneApiError(redactor.text(message), {
    kind: 'invalid_response',
    reason: 'parse',
    status: input.status,
    method: input.method,
    path: redactor.text(input.path),
    body: typeof body === 'string' ? capText(body, 500) : body,
  })
}

// --- Internal helpers ---

function _field(body: PlaneErrorBody, key: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const value = body[key]
  return typeof value === 'string' ? value : undefined
}

function _normaliseBody(body: unknown): PlaneErrorBody {
  if (body === undefined || body === null || body === '') return null
  if (typeof body === 'string') return body
  if (typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>
  return { value: body }
}

/** A short human summary: Plane's `detail`/`error`/`error_message`, else the first field error. */
function _summarise(body: PlaneErrorBody): string {
  if (body === null) return ''
  if (typeof body === 'string') return capText(body, 200)
  const direct = _field(body, 'detail') ?? _field(body, 'error') ?? _field(body, 'error_message')
  if (direct) return capText(direct, 200)
  const first = Object.entries(body)[0]
  if (!first) return ''
  const [key, value] = first
  return capText(`${key}: ${Array.isArray(value) ? value.join(' ') : String(value)}`, 200)
}

function _isTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true
  }
  return false
}

function _describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const inner = error.cause instanceof Error ? `: ${error.cause.message}` : ''
  return `${error.name}: ${error.message}${inner}`
}
