/** @module Fault injection in front of the API: latency, proxy errors, hangs and 429 storms. */

import type { MiddlewareHandler } from 'hono'

export type PlaneSimFaults = {
  /** Added before every response (ms). */
  latencyMs: number
  /**
   * A write is answered only once the webhooks it fired have been delivered: Celery's worker faster than the
   * api's response (v1.3 fires webhooks for API writes), so the caller hears its own change from the webhook first.
   */
  echoesBeforeAnswer: boolean
  /** The next `n` requests get `status` from the proxy, with an nginx-style HTML body. */
  failNext(n: number, status?: number): void
  /**
   * The next `n` requests that `match` (method, path without query) get `status`, as `failNext` does:
   * one route of one project failing (a Django 500 on it) while the rest of Plane answers.
   */
  failWhen(
    match: (request: { method: string; path: string }) => boolean,
    n: number,
    status?: number
  ): void
  /**
   * The next `n` requests that `match` are carried out (written), then answered with Plane's catch-all 500 body:
   * what Plane does when a step after the save fails (its `issue_activity.delay` with the broker down), so the
   * caller cannot tell a write that happened from one that did not.
   */
  failAfterWhen(match: (request: { method: string; path: string }) => boolean, n: number): void
  /** The next `n` requests never answer (until the client aborts): exercises client timeouts. */
  hangNext(n: number): void
  /**
   * The next request that `match`es waits, unanswered, until `release()`: a slow Plane at one chosen step, to see
   * what the bridge does meanwhile. `reached` resolves when that request has arrived.
   */
  holdWhen(match: (request: { method: string; path: string }) => boolean): {
    reached: Promise<void>
    release(): void
  }
  /** The next `n` requests answer Plane's 429 body with `Retry-After`. */
  rateLimitStorm(requests: number, retryAfterS?: number): void
  /** Forget every pending fault. */
  clear(): void
}

const REASONS: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
}

function proxyErrorPage(status: number): string {
  const title = `${status} ${REASONS[status] ?? 'Error'}`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

export function createFaults({ deliverQueued }: { deliverQueued: () => Promise<void> }): {
  faults: PlaneSimFaults
  middleware: MiddlewareHandler
} {
  const pending = {
    fail: [] as number[],
    when: [] as Array<{
      match: (request: { method: string; path: string }) => boolean
      left: number
      status: number
    }>,
    after: [] as Array<{
      match: (request: { method: string; path: string }) => boolean
      left: number
    }>,
    hang: 0,
    holds: [] as Array<{
      match: (request: { method: string; path: string }) => boolean
      arrived: () => void
      released: Promise<void>
    }>,
    storm: 0,
    stormRetryAfterS: 60,
  }
  const faults: PlaneSimFaults = {
    latencyMs: 0,
    echoesBeforeAnswer: false,
    failNext: function failNext(n, status = 503) {
      for (let index = 0; index < n; index++) pending.fail.push(status)
    },
    failWhen: function failWhen(match, n, status = 500) {
      pending.when.push({ match, left: n, status })
    },
    failAfterWhen: function failAfterWhen(match, n) {
      pending.after.push({ match, left: n })
    },
    hangNext: function hangNext(n) {
      pending.hang += n
    },
    holdWhen: function holdWhen(match) {
      let arrived: () => void = () => undefined
      let release: () => void = () => undefined
      const reached = new Promise<void>((resolve) => {
        arrived = resolve
      })
      const released = new Promise<void>((resolve) => {
        release = resolve
      })
      pending.holds.push({ match, arrived, released })
      return { reached, release }
    },
    rateLimitStorm: function rateLimitStorm(requests, retryAfterS = 60) {
      pending.storm += requests
      pending.stormRetryAfterS = retryAfterS
    },
    clear: function clearFaults() {
      pending.fail = []
      pending.when = []
      pending.after = []
      pending.hang = 0
      pending.holds = []
      pending.storm = 0
    },
  }

  const middleware: MiddlewareHandler = async function faultInjection(c, next) {
    const signal = c.req.raw.signal
    if (faults.latencyMs > 0) await sleepUnlessAborted(faults.latencyMs, signal)
    if (pending.hang > 0) {
      pending.hang -= 1
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
      // nginx's 499: the client closed the connection first.
      return new Response(null, { status: 499 })
    }
    const request = { method: c.req.method, path: new URL(c.req.url).pathname }
    const hold = pending.holds.findIndex((h) => h.match(request))
    if (hold >= 0) {
      const [held] = pending.holds.splice(hold, 1)
      held?.arrived()
      await held?.released
    }
    const targeted = pending.when.find((rule) => rule.left > 0 && rule.match(request))
    if (targeted) targeted.left -= 1
    const status = targeted?.status ?? pending.fail.shift()
    if (status !== undefined) {
      return new Response(proxyErrorPage(status), {
        status,
        headers: { 'Content-Type': 'text/html', Server: 'nginx' },
      })
    }
    if (pending.storm > 0) {
      pending.storm -= 1
      c.header('Retry-After', String(pending.stormRetryAfterS))
      return c.json({ error_code: 5900, error_message: 'RATE_LIMIT_EXCEEDED' }, 429)
    }
    const after = pending.after.find((rule) => rule.left > 0 && rule.match(request))
    if (!after) {
      await next()
      if (faults.echoesBeforeAnswer && request.method !== 'GET') await deliverQueued()
      return
    }
    after.left -= 1
    await next()
    c.res = c.json({ error: 'Something went wrong please try again later' }, 500)
  }
  return { faults, middleware }
}
