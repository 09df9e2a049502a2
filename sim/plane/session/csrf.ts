/**
 * @module Django's CSRF protection as Plane runs it (django/middleware/csrf.py, Django 4.2): the `csrftoken` cookie
 * holds a 32-character secret, forms send it masked (64 characters) as `csrfmiddlewaretoken` or `X-CSRFToken`; an
 * `Origin` that is not the site's is refused first. Plane's failure view (`authentication/views/common.py`
 * `csrf_failure`) renders a page with status 200, not Django's 403. Pure.
 */

const CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const SECRET_LENGTH = 32

export const CSRF_COOKIE = 'csrftoken'

export function newCsrfSecret(random: () => number = Math.random): string {
  let secret = ''
  for (let i = 0; i < SECRET_LENGTH; i++) secret += CHARS[Math.floor(random() * CHARS.length)]
  return secret
}

/** `_mask_cipher_secret`: a random mask, then each secret character shifted by the mask's. */
export function maskCsrfSecret(secret: string, random: () => number = Math.random): string {
  const mask = newCsrfSecret(random)
  let cipher = ''
  for (let i = 0; i < SECRET_LENGTH; i++)
    cipher += CHARS[(CHARS.indexOf(secret[i] ?? '') + CHARS.indexOf(mask[i] ?? '')) % CHARS.length]
  return mask + cipher
}

/** A secret as the cookie may hold it (a 64-character cookie from older Djangos is unmasked), or null if malformed. */
export function csrfSecretOf(cookie: string | undefined): string | null {
  if (cookie === undefined || !_wellFormed(cookie)) return null
  return cookie.length === 64 ? _unmask(cookie) : cookie
}

export type CsrfRequest = {
  cookie: string | undefined
  /** `csrfmiddlewaretoken` from the form, else the `X-CSRFToken` header. */
  token: string | undefined
  origin: string | undefined
  referer: string | undefined
  /** The site as the request reached it: `http://plane.sim`. */
  siteOrigin: string
}

/** Null when the POST passes; else Django's reason, as the failure page shows it. */
export function csrfRejection(request: CsrfRequest): string | null {
  const { origin, siteOrigin } = request
  if (origin !== undefined && origin !== siteOrigin)
    return `Origin checking failed - ${origin} does not match any trusted origins.`
  if (origin === undefined && siteOrigin.startsWith('https:')) {
    if (!request.referer) return 'Referer checking failed - no Referer.'
    if (!_sameOrigin(request.referer, siteOrigin))
      return `Referer checking failed - ${request.referer} does not match any trusted origins.`
  }
  const secret = csrfSecretOf(request.cookie)
  if (secret === null) return 'CSRF cookie not set.'
  const token = request.token
  if (!token) return 'CSRF token missing.'
  if (token.length !== 32 && token.length !== 64)
    return 'CSRF token from POST has incorrect length.'
  if (!_wellFormed(token)) return 'CSRF token from POST has invalid characters.'
  const given = token.length === 64 ? _unmask(token) : token
  return given === secret ? null : 'CSRF token from POST incorrect.'
}

// --- Internal helpers ---

function _wellFormed(value: string): boolean {
  return (value.length === 32 || value.length === 64) && /^[A-Za-z0-9]+$/.test(value)
}

function _unmask(token: string): string {
  const mask = token.slice(0, SECRET_LENGTH)
  const cipher = token.slice(SECRET_LENGTH)
  let secret = ''
  for (let i = 0; i < SECRET_LENGTH; i++) {
    const shifted = CHARS.indexOf(cipher[i] ?? '') - CHARS.indexOf(mask[i] ?? '')
    secret += CHARS[(shifted + CHARS.length) % CHARS.length]
  }
  return secret
}

function _sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin
  } catch {
    return false
  }
}
