/** @module Plane's error bodies (plane-api.md §6) as a throwable error and ready-made constructors. */

export class PlaneHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {
    super(`Plane ${status}: ${JSON.stringify(body)}`)
    this.name = 'PlaneHttpError'
  }
}

/** `handler404`: no URL matched, including a missing trailing slash or a non-UUID path param. */
export function pageNotFound(): PlaneHttpError {
  return new PlaneHttpError(404, { error: 'Page not found.' })
}

/** An `ObjectDoesNotExist` escaping a v1 `BaseAPIView`. */
export function doesNotExist(): PlaneHttpError {
  return new PlaneHttpError(404, { error: 'The requested resource does not exist.' })
}

/** The same inside the `BaseViewSet` endpoints (invitations). */
export function viewSetDoesNotExist(): PlaneHttpError {
  return new PlaneHttpError(404, { error: 'The required object does not exist.' })
}

/** NotAuthenticated: forced to 401 by Plane's custom exception handler. */
export function notAuthenticated(): PlaneHttpError {
  return new PlaneHttpError(401, { detail: 'Authentication credentials were not provided.' })
}

/** AuthenticationFailed: DRF coerces it to 403 because no WWW-Authenticate is set. */
export function invalidToken(): PlaneHttpError {
  return new PlaneHttpError(403, { detail: 'Given API token is not valid' })
}

/** Permission denied, also for an unknown project or workspace (§3.3 "Membership errors"). */
export function permissionDenied(): PlaneHttpError {
  return new PlaneHttpError(403, { detail: 'You do not have permission to perform this action.' })
}

/** `{"error": "..."}` bodies written by hand in the views. */
export function errorBody(status: number, message: string, extra: Record<string, unknown> = {}) {
  return new PlaneHttpError(status, { error: message, ...extra })
}

/** A DRF serializer error for one field: `{"field": ["msg"]}`. */
export function fieldError(field: string, message: string): PlaneHttpError {
  return new PlaneHttpError(400, { [field]: [message] })
}

/** A serializer `validate()` error: `{"non_field_errors": ["msg"]}`. */
export function nonFieldError(message: string): PlaneHttpError {
  return new PlaneHttpError(400, { non_field_errors: [message] })
}

/** DRF ParseError (pagination, malformed JSON): `{"detail": "..."}`. */
export function parseError(detail: string): PlaneHttpError {
  return new PlaneHttpError(400, { detail })
}

/** Any other exception (`BaseAPIView.handle_exception`). */
export function serverError(): PlaneHttpError {
  return new PlaneHttpError(500, { error: 'Something went wrong please try again later' })
}

/** The throttle's 429 (§5): DRF's `detail` replaced by Plane's error code. */
export function throttled(retryAfterS: number): PlaneHttpError {
  return new PlaneHttpError(
    429,
    { error_code: 5900, error_message: 'RATE_LIMIT_EXCEEDED' },
    { 'Retry-After': String(retryAfterS) }
  )
}
