/** @module Typed Telegram Bot API errors that never carry the bot token, and their retry classification. */

import type { ApiError } from '@grammyjs/types'
import { isTimeoutError, redactErrorChain } from '../net/http-errors.ts'
import type { RetryDecision } from '../net/retry.ts'

/**
 * `api`: Telegram (or a proxy in front of it) answered with an error status or `ok: false`.
 * `network`: no usable answer (connection refused, DNS, TLS, timeout). Like grammY's GrammyError vs HttpError.
 */
export type TelegramErrorKind = 'api' | 'network'

export type TelegramErrorInit = {
  kind: TelegramErrorKind
  /** Bot API method that failed, e.g. `sendMessage`. */
  method: string
  /** Telegram's `error_code` (the HTTP status for non-JSON answers); absent for network errors. */
  errorCode?: number
  /** Telegram's `description`, or a short account of the network failure. Already redacted. */
  description: string
  /** `parameters.retry_after`: seconds to wait before repeating the request (§1.7). */
  retryAfterS?: number
  /** `parameters.migrate_to_chat_id`: the group became a supergroup; store the new id (§1.7). */
  migrateToChatId?: number
  /** The request was aborted by our own timeout. */
  timedOut?: boolean
  /** A redacted copy of the underlying error (never the original: its message may hold the token URL). */
  cause?: Error
}

/**
 * A failed Bot API call. Safe to log as is: message, cause, stack and `toJSON()` hold no bot token.
 * @example if (e instanceof TelegramError && e.migrateToChatId) migrations.record(from, String(e.migrateToChatId))
 */
export class TelegramError extends Error {
  override readonly name = 'TelegramError'
  readonly kind: TelegramErrorKind
  readonly method: string
  readonly errorCode: number | undefined
  readonly description: string
  readonly retryAfterS: number | undefined
  readonly migrateToChatId: number | undefined
  readonly timedOut: boolean

  constructor(init: TelegramErrorInit) {
    super(_formatMessage(init), init.cause ? { cause: init.cause } : undefined)
    this.kind = init.kind
    this.method = init.method
    this.errorCode = init.errorCode
    this.description = init.description
    this.retryAfterS = init.retryAfterS
    this.migrateToChatId = init.migrateToChatId
    this.timedOut = init.timedOut ?? false
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      method: this.method,
      errorCode: this.errorCode,
      description: this.description,
      retryAfterS: this.retryAfterS,
      migrateToChatId: this.migrateToChatId,
      timedOut: this.timedOut,
    }
  }
}

/** Build the error for an `{ ok: false, ... }` answer (or a non-JSON error status). */
export function createTelegramApiError(
  method: string,
  status: number,
  body: unknown,
  redact: (text: string) => string
): TelegramError {
  if (_isApiError(body)) {
    return new TelegramError({
      kind: 'api',
      method,
      errorCode: body.error_code,
      description: redact(body.description),
      retryAfterS: body.parameters?.retry_after,
      migrateToChatId: body.parameters?.migrate_to_chat_id,
    })
  }
  const description =
    status >= 200 && status < 300 ? 'malformed answer: expected {ok, result}' : `HTTP ${status}`
  return new TelegramError({ kind: 'api', method, errorCode: status, description })
}

/** Build the error for a request that got no answer; the native error is copied with the token removed. */
export function createTelegramNetworkError(
  method: string,
  error: unknown,
  redact: (text: string) => string
): TelegramError {
  const timedOut = isTimeoutError(error)
  const cause = redactErrorChain(error, redact)
  const detail = cause.message ? `: ${cause.message}` : ''
  return new TelegramError({
    kind: 'network',
    method,
    description: timedOut ? 'request timed out' : `network error${detail}`,
    timedOut,
    cause,
  })
}

/**
 * Retry policy for `withRetry`: 429 waits `retry_after`, 5xx and network errors retry on the schedule,
 * everything else (400 bad request, 401 token, 403 blocked, migrated chat) is final.
 * @example await withRetry(() => telegram.sendMessage(msg), { classify: classifyTelegramError })
 */
export function classifyTelegramError(error: unknown): RetryDecision {
  if (!(error instanceof TelegramError)) return { retry: false }
  if (error.kind === 'network') return { retry: true }
  if (error.errorCode === 429) {
    return error.retryAfterS === undefined
      ? { retry: true }
      : { retry: true, afterMs: error.retryAfterS * 1000 }
  }
  if (error.errorCode !== undefined && error.errorCode >= 500) return { retry: true }
  return { retry: false }
}

// --- Internal helpers ---

function _formatMessage(init: TelegramErrorInit): string {
  const code = init.errorCode === undefined ? '' : ` ${init.errorCode}`
  return `Telegram ${init.method} failed:${code} ${init.description}`
}

function _isApiError(body: unknown): body is ApiError {
  if (typeof body !== 'object' || body === null) return false
  const b = body as Record<string, unknown>
  return b.ok === false && typeof b.error_code === 'number' && typeof b.description === 'string'
}
