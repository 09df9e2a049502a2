/**
 * @module What a tool call or a task step can fail with: one code per cause, the same on HTTP (status + JSON) and MCP
 * (`isError`); a human's action from Telegram says its message in the chat.
 */

export type ToolErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'refused'
  | 'payload_too_large'
  | 'not_configured'
  | 'plane_error'
  | 'plane_unavailable'
  | 'busy'
  | 'store_unavailable'
  | 'rate_limited'
  | 'internal_error'

const STATUS: Record<ToolErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 502 | 503> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  refused: 409,
  payload_too_large: 413,
  not_configured: 503,
  plane_error: 502,
  plane_unavailable: 503,
  busy: 503,
  store_unavailable: 503,
  rate_limited: 429,
  internal_error: 500,
}

/** A failure the caller can act on; `message` is written for the agent (what happened, what to do). */
export class ToolError extends Error {
  override readonly name = 'ToolError'
  readonly status: (typeof STATUS)[ToolErrorCode]
  constructor(
    readonly code: ToolErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {}
  ) {
    super(message)
    this.status = STATUS[code]
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.details }
  }
}
