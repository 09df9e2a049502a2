/**
 * @module Errors from fetch/ofetch made safe to keep (no URL, which may hold a token, no original objects), and the
 * error a route throws to give no answer at all.
 */

/** Whether an error (or its cause chain) is an abort by our own timeout (ofetch / AbortSignal.timeout). */
export function isTimeoutError(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.name === 'TimeoutError') return true
  }
  return false
}

/**
 * Copy an error chain keeping only redacted names, messages and codes. The originals are dropped on
 * purpose: ofetch's FetchError exposes `request` (the token URL) and its message quotes the URL
 * (grammY's `toHttpError` hides the underlying message for the same reason). Shared with the OpenClaw client.
 */
export function redactErrorChain(
  error: unknown,
  redact: (text: string) => string,
  depth = 0
): Error {
  if (!(error instanceof Error)) return new Error(redact(String(error)))
  // ofetch wraps the native error in a FetchError that only adds the URL: keep the native one.
  if (error.name === 'FetchError' && error.cause !== undefined && depth === 0) {
    return redactErrorChain(error.cause, redact, depth)
  }
  const inner =
    error.cause !== undefined && depth < 3
      ? redactErrorChain(error.cause, redact, depth + 1)
      : undefined
  const copy = new Error(redact(_stripOfetchPrefix(error.message)), inner ? { cause: inner } : {})
  copy.name = error.name
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code })
  return copy
}

// --- Internal helpers ---

/** ofetch prefixes `[POST] "<url>": <no response> `; the URL is noise (and secret) here. */
function _stripOfetchPrefix(message: string): string {
  return message.replace(/^\[[A-Z]+\] "[^"]*": (?:<no response> )?/, '')
}

/**
 * Thrown by a route that must not answer at all: the runtime drops the connection (Node) or outlasts the caller's
 * timeout (Workers), so the sender sees a transport error. Plane resends a webhook only after one (plane-api.md
 * §7.5: any HTTP status, 5xx included, is final), so a delivery the bridge could not keep gets no answer.
 */
export class AnswerWithheld extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AnswerWithheld'
  }
}
