/**
 * @module Plane's session cookies (`authentication/middleware/session.py`): a path containing `instances` reads and
 * writes `admin-session-id` (god-mode, one hour), every other path `session-id` (seven days); `login()` makes a new
 * session key and rotates the CSRF secret. DRF's `SessionAuthentication` then finds the user, and an anonymous
 * request to an `AllowAny` view counts against `AnonRateThrottle` (30/minute, settings `DEFAULT_THROTTLE_RATES`).
 */

import type { Context, MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import type { SimEnv } from '../access.ts'
import { notAuthenticated, PlaneHttpError } from '../http-errors.ts'
import type { RateLimiter } from '../rate-limit.ts'
import type { PlaneStore, UserRecord } from '../store.ts'
import { CSRF_COOKIE, newCsrfSecret } from './csrf.ts'
import type { SessionState } from './state.ts'

const APP_SESSION_S = 604_800
const ADMIN_SESSION_S = 3_600
const CSRF_COOKIE_AGE_S = 31_449_600

export type SessionDeps = {
  store: PlaneStore
  state: SessionState
  now: () => number
  /** The anonymous throttle: one bucket, as every request reaches Plane through the same proxy. */
  anonLimiter: RateLimiter
  secure: boolean
}

export function sessionCookieName(path: string): string {
  return path.includes('instances') ? 'admin-session-id' : 'session-id'
}

/** The user whose live session the request's cookie names, if any. */
export function sessionUser(deps: SessionDeps, c: Context): UserRecord | undefined {
  const key = getCookie(c, sessionCookieName(c.req.path))
  const session = key ? deps.state.sessions.get(key) : undefined
  if (!session || session.expiresAtMs <= deps.now()) return undefined
  return deps.store.users.get(session.user)
}

/** `login()`: a new session key for the path's cookie, and a new CSRF secret. */
export function logIn(deps: SessionDeps, c: Context, user: UserRecord): void {
  const name = sessionCookieName(c.req.path)
  const old = getCookie(c, name)
  if (old) deps.state.sessions.delete(old)
  const key = crypto.randomUUID().replaceAll('-', '')
  const ageS = name === 'admin-session-id' ? ADMIN_SESSION_S : APP_SESSION_S
  deps.state.sessions.set(key, { user: user.id, expiresAtMs: deps.now() + ageS * 1000 })
  setCookie(c, name, key, {
    path: '/',
    maxAge: ageS,
    httpOnly: true,
    sameSite: 'Lax',
    secure: deps.secure,
  })
  setCsrfCookie(deps, c, newCsrfSecret())
}

export function setCsrfCookie(deps: SessionDeps, c: Context, secret: string): void {
  setCookie(c, CSRF_COOKIE, secret, {
    path: '/',
    maxAge: CSRF_COOKIE_AGE_S,
    httpOnly: true,
    sameSite: 'Lax',
    secure: deps.secure,
  })
}

/** An `/api/` view behind `IsAuthenticated` with `BaseSessionAuthentication` (no CSRF check on the API). */
export function requireSession(deps: SessionDeps): MiddlewareHandler<SimEnv> {
  return async function sessionGuard(c, next) {
    const user = sessionUser(deps, c)
    if (!user) throw notAuthenticated()
    c.set('user', user)
    await next()
  }
}

/** An `AllowAny` DRF view: anonymous callers share `AnonRateThrottle`'s 30 a minute. */
export function anonThrottle(deps: SessionDeps): MiddlewareHandler<SimEnv> {
  return async function anonymousThrottle(c, next) {
    if (!sessionUser(deps, c)) {
      const decision = deps.anonLimiter.check('anon')
      // Plane's exception handler turns DRF's Throttled into its own code (adapter/exception.py).
      if (!decision.allowed)
        throw new PlaneHttpError(
          429,
          { error_code: 5900, error_message: 'RATE_LIMIT_EXCEEDED' },
          { 'Retry-After': String(decision.retryAfterS) }
        )
    }
    await next()
  }
}
