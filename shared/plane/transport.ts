/** @module The one place that speaks HTTP to Plane: API key header, the key's request window, timeout, retries, typed errors. */

import { ofetch } from 'ofetch'
import type { z } from 'zod'
import {
  DEFAULT_RETRY_DELAYS_MS,
  sleep as defaultSleep,
  parseRetryAfter,
  sleepUnless,
  withRetry,
} from '../net/retry.ts'
import { createRedactor, type Redactor } from '../observe/redact.ts'
import {
  createPlaneHttpError,
  createPlaneParseError,
  createPlaneTransportError,
  PlaneApiError,
} from './errors.ts'
import { normaliseBaseUrl, PLANE_API_PREFIX } from './paths.ts'
import {
  createRequestWindow,
  type KeyWindows,
  type RateLimit,
  type RequestPriority,
  type SharedWindow,
} from './request-window.ts'
import {
  compactQuery,
  honourAbort,
  type PlaneMethod,
  type PlaneQuery,
  parseBody,
  pathOf,
} from './transport-http.ts'
import { classifyPlaneRetry, defaultReplaySafe } from './transport-retry.ts'

export type { PlaneMethod, PlaneQuery }

/** OPENCLAW-15: 30 s per request. */
export const DEFAULT_TIMEOUT_MS = 30_000

/**
 * A wait at a person's or an agent's priority this long or longer is reported (`onWindowWait`): theirs are the waits
 * someone notices (a wake, a command's answer), and the shares kept for them mean they should not happen. Shorter
 * is the store's round trip for the shared window, not a wait.
 */
export const WINDOW_WAIT_REPORTED_MS = 100

/** One HTTP attempt, for metrics (requests per tick or per agent). `status` is 0 when no answer arrived. */
export type PlaneRequestInfo = {
  method: string
  path: string
  status: number
  durationMs: number
  /** The failure (no answer, or an error status), for what it says about the settings (diagnose.ts). */
  error?: PlaneApiError
}

/**
 * A request waited for the key's window before it could start: `window`, the window was full for its priority
 * (`waitedMs` measured); `refused`, Plane answered 429 and the request waits for its Retry-After (`waitedMs` asked).
 */
export type PlaneWindowWait = {
  priority: RequestPriority
  waitedMs: number
  cause: 'window' | 'refused'
}

export type PlaneTransportOptions = {
  /** e.g. `https://work.example`; trailing slashes are ignored. */
  baseUrl: string
  apiKey: string
  timeoutMs?: number
  retryDelaysMs?: readonly number[]
  /** Plane's `API_KEY_RATE_LIMIT` for this key (default 60/minute): the client's sliding window. */
  rateLimit?: RateLimit
  /** Whose requests these are, when the key's window is full: a person's, an agent's, or background work. */
  priority?: RequestPriority
  /** The key's window as every process on the store counts it (the store); this process's alone without it. */
  sharedWindow?: SharedWindow
  /** The runtime's key windows (createKeyWindows), shared by its clients; this transport's own without them. */
  keyWindows?: KeyWindows
  /** Whether a press is kept for people in the key's window (default; false for an agent's own key). */
  peopleShare?: boolean
  fetch?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  onRequest?: (info: PlaneRequestInfo) => void
  /** Told of each wait of `WINDOW_WAIT_REPORTED_MS` or more at a person's or an agent's priority (never background's). */
  onWindowWait?: (wait: PlaneWindowWait) => void
  /**
   * A request not yet started when this aborts is given up (`RequestNotStarted`): its wait for the key's window, and
   * a retry's wait with it. A request already sent is never abandoned (its answer, or its timeout, is awaited).
   */
  startSignal?: AbortSignal
}

export type PlaneRequestOptions = {
  query?: PlaneQuery
  body?: unknown
  /**
   * May this request be sent again after a failure that might have reached Plane? Defaults: GET yes;
   * PATCH yes (our PATCH bodies carry absolute values, so a replay writes the same state); POST only when
   * it carries `external_id`+`external_source` (a replay gets 409 with the id); DELETE no (a replay 404s).
   */
  replaySafe?: boolean
}

export type PlaneTransport = {
  request<S extends z.ZodType>(
    method: PlaneMethod,
    path: string,
    schema: S,
    options?: PlaneRequestOptions
  ): Promise<z.output<S>>
  /** Multipart POST to a presigned storage URL: no API key, no request window (it is not Plane's API). */
  uploadForm(url: string, form: FormData): Promise<void>
  redactor: Redactor
}

/**
 * Build the transport every endpoint uses.
 * @example const t = createPlaneTransport({ baseUrl, apiKey }); await t.request('GET', '/users/me/', userSchema)
 */
export function createPlaneTransport({
  baseUrl,
  apiKey,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  retryDelaysMs = DEFAULT_RETRY_DELAYS_MS,
  rateLimit,
  priority = 'background',
  sharedWindow,
  keyWindows,
  peopleShare,
  // Looked up at each request: a runtime lives long (one bridge per runtime), and a fetch installed later
  // (instrumentation, a test's stub) must be the one used.
  fetch: fetchImpl = (input, init) => globalThis.fetch(input, init),
  sleep = defaultSleep,
  now = Date.now,
  onRequest,
  onWindowWait,
  startSignal,
}: PlaneTransportOptions): PlaneTransport {
  const redactor = createRedactor([apiKey])
  const fetchWithDeadline = honourAbort(fetchImpl)
  const base = normaliseBaseUrl(baseUrl)
  const api = ofetch.create(
    {
      baseURL: base,
      headers: { 'X-API-Key': apiKey, Accept: 'application/json' },
      retry: false,
      timeout: timeoutMs,
      ignoreResponseError: true,
      responseType: 'text',
    },
    { fetch: fetchWithDeadline }
  )
  const storage = ofetch.create(
    { retry: false, timeout: timeoutMs, ignoreResponseError: true, responseType: 'text' },
    { fetch: fetchWithDeadline }
  )
  const keyWindow = createRequestWindow({
    apiKey,
    ...(rateLimit ? { limit: rateLimit } : {}),
    ...(sharedWindow ? { shared: sharedWindow } : {}),
    ...(keyWindows ? { keyWindows } : {}),
    ...(peopleShare === undefined ? {} : { peopleShare }),
    now,
    sleep,
  })

  async function attempt(
    method: PlaneMethod,
    path: string,
    send: () => Promise<Response>
  ): Promise<{ status: number; data: unknown }> {
    const startedAt = now()
    let response: Response
    try {
      response = await send()
    } catch (cause) {
      const error = createPlaneTransportError({ method, path, error: cause, timeoutMs }, redactor)
      onRequest?.({ method, path, status: 0, durationMs: now() - startedAt, error })
      throw error
    }
    const durationMs = now() - startedAt
    // Plane's count of the key's window, which other clients of the key spend too.
    const remaining = response.headers.get('x-ratelimit-remaining')
    if (remaining !== null) keyWindow.observe(Number(remaining))
    const data = parseBody((response as Response & { _data?: unknown })._data)
    if (response.status >= 200 && response.status < 300) {
      onRequest?.({ method, path, status: response.status, durationMs })
      return { status: response.status, data }
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now())
    // Over Plane's limit all the same (another client): nothing more starts before its Retry-After.
    if (response.status === 429) keyWindow.refused(retryAfterMs ?? 1_000)
    const error = createPlaneHttpError(
      { status: response.status, method, path, body: data, retryAfterMs },
      redactor
    )
    onRequest?.({ method, path, status: response.status, durationMs, error })
    throw error
  }

  // Background work waits by design (its share is a third less); only the waits of people and agents are told.
  const reportWait =
    onWindowWait && priority !== 'background'
      ? (waitedMs: number, cause: PlaneWindowWait['cause']) => {
          if (waitedMs >= WINDOW_WAIT_REPORTED_MS) onWindowWait({ priority, waitedMs, cause })
        }
      : null

  /** A start in the key's window, its wait reported. */
  async function acquire(): Promise<void> {
    if (!reportWait) return keyWindow.acquire(priority, startSignal)
    const asked = now()
    await keyWindow.acquire(priority, startSignal)
    reportWait(now() - asked, 'window')
  }

  /** A retry's wait ends when the start signal aborts: the next attempt's start is then given up at once. */
  const retrySleep = (ms: number) => sleepUnless(startSignal, ms, sleep)

  function retrying<T>(replaySafe: boolean, run: () => Promise<T>): Promise<T> {
    return withRetry(run, {
      delaysMs: replaySafe ? retryDelaysMs : [],
      classify: classifyPlaneRetry,
      sleep: retrySleep,
      // Plane's own window was full (another client of the key): the request waits for its Retry-After.
      ...(reportWait
        ? {
            onRetry: ({ delayMs, error }: { delayMs: number; error: unknown }) => {
              if (error instanceof PlaneApiError && error.kind === 'rate_limited')
                reportWait(delayMs, 'refused')
            },
          }
        : {}),
    })
  }

  return {
    redactor,
    async request(method, path, schema, { query, body, replaySafe } = {}) {
      const fullPath = `${PLANE_API_PREFIX}${path}`
      const safe = replaySafe ?? defaultReplaySafe(method, body)
      const { status, data } = await retrying(safe, async function planeAttempt() {
        await acquire()
        return attempt(method, fullPath, () =>
          api.raw(fullPath, {
            method,
            query: compactQuery(query),
            body: body as Record<string, unknown> | undefined,
          })
        )
      })
      const parsed = schema.safeParse(data)
      if (parsed.success) return parsed.data
      const problem = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')
      throw createPlaneParseError({ status, method, path: fullPath, body: data, problem }, redactor)
    },
    async uploadForm(url, form) {
      const path = pathOf(url)
      // A presigned POST to the same key overwrites the same object, so a replay is harmless.
      await retrying(true, function storageAttempt() {
        // `redirect: 'error'`: fetch keeps a copy of a body it may have to send again after a redirect, so a
        // 50 MiB file read from disk was held whole in memory; a presigned POST is never redirected.
        return attempt('POST', path, () =>
          storage.raw(url, { method: 'POST', body: form, redirect: 'error' })
        )
      })
    },
  }
}
