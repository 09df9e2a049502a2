/**
 * @module Plane's form posts (Django `View`s, not DRF): `request.POST` (a JSON body reads as empty), the CSRF check
 * the middleware makes before them, and their answers — a 302 whose `Location` carries `error_code` and
 * `error_message` on failure (`authentication/adapter/error.py`, `utils/path_validator.py get_safe_redirect_url`).
 */

import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { CSRF_COOKIE, csrfRejection } from './csrf.ts'

/** `AUTHENTICATION_ERROR_CODES` (authentication/adapter/error.py, the same at v1.2.2 and v1.3.1), those met here. */
export const AUTH_ERROR_CODES = {
  INSTANCE_NOT_CONFIGURED: 5000,
  SIGNUP_DISABLED: 5015,
  PASSWORD_TOO_WEAK: 5021,
  USER_ALREADY_EXIST: 5030,
  REQUIRED_EMAIL_PASSWORD_SIGN_UP: 5040,
  INVALID_EMAIL_SIGN_UP: 5045,
  EMAIL_PASSWORD_AUTHENTICATION_DISABLED: 5056,
  USER_DOES_NOT_EXIST: 5060,
  AUTHENTICATION_FAILED_SIGN_IN: 5065,
  REQUIRED_EMAIL_PASSWORD_SIGN_IN: 5070,
  INVALID_EMAIL_SIGN_IN: 5075,
  ADMIN_ALREADY_EXIST: 5150,
  REQUIRED_ADMIN_EMAIL_PASSWORD_FIRST_NAME: 5155,
  INVALID_ADMIN_EMAIL: 5160,
  REQUIRED_ADMIN_EMAIL_PASSWORD: 5170,
  ADMIN_AUTHENTICATION_FAILED: 5175,
  ADMIN_USER_ALREADY_EXIST: 5180,
  ADMIN_USER_DOES_NOT_EXIST: 5185,
} as const

export type AuthErrorName = keyof typeof AUTH_ERROR_CODES

/** Django's `validate_email`, for the addresses a deployment uses. */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** `request.POST`: only a form body fills it. */
export async function readForm(c: Context): Promise<Record<string, string>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') return {}
  const form = await c.req.raw.clone().formData()
  const fields: Record<string, string> = {}
  for (const [key, value] of form.entries()) if (typeof value === 'string') fields[key] = value
  return fields
}

/** The CSRF middleware's verdict on a form post: null to go on, else Plane's failure page (status 200). */
export function csrfFailurePage(
  c: Context,
  form: Record<string, string>,
  siteOrigin: string
): Response | null {
  const reason = csrfRejection({
    cookie: getCookie(c, CSRF_COOKIE),
    token: form.csrfmiddlewaretoken || c.req.header('x-csrftoken'),
    origin: c.req.header('origin'),
    referer: c.req.header('referer'),
    siteOrigin,
  })
  if (reason === null) return null
  return c.html(
    `<!doctype html><html><body><h1>CSRF verification failed</h1><p>${reason}</p><a href="${siteOrigin}">Go back</a></body></html>`
  )
}

/** `AuthenticationException.get_error_dict()`: the code and message first, then the payload. */
export function errorParams(
  name: AuthErrorName,
  payload: Record<string, string> = {}
): URLSearchParams {
  return new URLSearchParams({
    error_code: String(AUTH_ERROR_CODES[name]),
    error_message: name,
    ...payload,
  })
}

/** `get_safe_redirect_url(base, next_path, params)`: `base/?params`, or `base` alone. */
export function appRedirect(c: Context, base: string, params?: URLSearchParams): Response {
  const query = params?.toString()
  return c.redirect(query ? `${base.replace(/\/+$/, '')}/?${query}` : base, 302)
}
