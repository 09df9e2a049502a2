/**
 * @module A browser's view of Plane's session API (plane-session-api.md): a cookie jar, a fresh CSRF token for each
 * form post (Django rotates it at login), auth posts read from their redirect (`error_code` in the `Location`), JSON
 * calls on `/api/` with the session cookie. It waits out Plane's 429 (the anonymous throttle: 30 a minute for the
 * whole instance) and throws `PlaneSessionError` for what it cannot read. No secret goes into an error or a log.
 */
import { errorMessage } from '../../observe/errors.ts'
import { createCookieJar } from './cookie-jar.ts'

export type PlaneSessionOptions = {
  /** Plane's web address (PLANE_BASE_URL), no trailing slash. */
  baseUrl: string
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  /** Per request (default 30 s). */
  timeoutMs?: number
  /** The longest `Retry-After` waited out before giving up (default 65 s: the anonymous throttle's minute). */
  maxWaitMs?: number
}

/** What an auth form post came to: signed in (`ok`), or Plane's refusal by name. */
export type FormOutcome =
  | { ok: true }
  | { ok: false; error: string; code: number | null; detail?: string }

export type JsonAnswer<T = unknown> = { status: number; body: T }

/**
 * `failed`: Plane did not answer in a way the client can read (down, 5xx, a page instead of JSON): try again later.
 * `refused`: Plane answered a 4xx the caller did not expect (its message in `message`): a person must look.
 * `signed-out`: the session is gone (401): sign in again.
 */
export class PlaneSessionError extends Error {
  override name = 'PlaneSessionError'
  constructor(
    message: string,
    readonly status: number | null,
    readonly kind: 'failed' | 'refused' | 'signed-out' = 'failed'
  ) {
    super(message)
  }
}

export type PlaneSession = ReturnType<typeof createPlaneSession>

export function createPlaneSession({
  baseUrl,
  fetch: doFetch = globalThis.fetch,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now = Date.now,
  timeoutMs = 30_000,
  maxWaitMs = 65_000,
}: PlaneSessionOptions) {
  const base = baseUrl.replace(/\/+$/, '')
  const origin = new URL(base).origin
  const jar = createCookieJar()
  /** How to sign in again when Plane ends the session mid-run (set by a successful sign-in). */
  let signInAgain: (() => Promise<boolean>) | null = null

  async function send(path: string, init: RequestInit, attempt = 0): Promise<Response> {
    const headers = new Headers(init.headers)
    const cookie = jar.header()
    if (cookie) headers.set('cookie', cookie)
    headers.set('accept', 'application/json')
    let response: Response
    try {
      response = await doFetch(`${base}${path}`, {
        ...init,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      const cause = errorMessage(error)
      throw new PlaneSessionError(
        `Plane did not answer ${init.method ?? 'GET'} ${path} (${cause})`,
        null
      )
    }
    jar.take(response.headers.getSetCookie(), now())
    if (response.status === 429 && attempt < 3) {
      const waitMs = Math.max(1, Number(response.headers.get('retry-after') ?? '60')) * 1000
      if (waitMs <= maxWaitMs) {
        await response.body?.cancel()
        await sleep(waitMs)
        return send(path, init, attempt + 1)
      }
    }
    if (response.status >= 500 || response.status === 429) {
      await response.body?.cancel()
      throw new PlaneSessionError(
        `Plane answered ${response.status} to ${init.method ?? 'GET'} ${path}`,
        response.status
      )
    }
    return response
  }

  return {
    origin,
    /** A session cookie for the app (`session-id`) is held. */
    signedIn: () => jar.get('session-id') !== undefined,
    /** Forget every cookie (a session Plane ended, or another account next). */
    reset: () => jar.clear(),

    /** GET/POST/PATCH/DELETE on `/api/…` with the session cookie; any 2xx–4xx answer, its JSON body (or null). */
    async json<T = unknown>(method: string, path: string, body?: unknown): Promise<JsonAnswer<T>> {
      const answer = await _json<T>(method, path, body)
      if (answer.status !== 401 || !signInAgain) return answer
      // Sessions end (god-mode's after an hour, every one at a restart with a new SECRET_KEY): sign in once more.
      const again = signInAgain
      signInAgain = null
      const signedIn = await again().finally(() => {
        signInAgain = again
      })
      return signedIn ? _json<T>(method, path, body) : answer
    },

    /** What `json` calls once when Plane answers 401 (the session ended), before it asks again. */
    onSignedOut(again: () => Promise<boolean>) {
      signInAgain = again
    },

    /**
     * A form post as the web app sends it (the CSRF cookie and token, the site's Origin): Plane answers with a
     * redirect whose query holds `error_code` and `error_message` when it refused.
     */
    form,
  }

  async function _json<T>(method: string, path: string, body?: unknown): Promise<JsonAnswer<T>> {
    const response = await send(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    })
    const text = await response.text()
    try {
      return { status: response.status, body: (text ? JSON.parse(text) : null) as T }
    } catch {
      throw new PlaneSessionError(
        `Plane answered ${method} ${path} with ${response.status} and no JSON (is PLANE_BASE_URL Plane's address?)`,
        response.status
      )
    }
  }

  async function form(
    path: string,
    fields: Readonly<Record<string, string>>
  ): Promise<FormOutcome> {
    const token = await _csrfToken()
    const response = await send(path, {
      method: 'POST',
      body: new URLSearchParams({ csrfmiddlewaretoken: token, ...fields }),
      headers: { origin, referer: `${origin}/` },
    })
    await response.body?.cancel()
    const location = response.headers.get('location')
    if (response.status !== 302 || !location)
      // Plane's CSRF failure page answers 200; anything else is not the form's answer either.
      return {
        ok: false,
        error: response.status === 200 ? 'CSRF_REFUSED' : `HTTP_${response.status}`,
        code: null,
        detail: `Plane answered ${response.status} to ${path} instead of a redirect`,
      }
    const query = new URL(location, origin).searchParams
    const error = query.get('error_message')
    if (!error) return { ok: true }
    const code = Number(query.get('error_code'))
    return { ok: false, error, code: Number.isFinite(code) ? code : null }
  }

  async function _csrfToken(): Promise<string> {
    const response = await send('/auth/get-csrf-token/', { method: 'GET' })
    const body = (await response.json().catch(() => null)) as { csrf_token?: unknown } | null
    if (response.status !== 200 || typeof body?.csrf_token !== 'string')
      throw new PlaneSessionError(
        `Plane gave no CSRF token (${response.status} from /auth/get-csrf-token/): is PLANE_BASE_URL Plane's address, with /auth/ reaching Plane's api?`,
        response.status
      )
    return body.csrf_token
  }
}
