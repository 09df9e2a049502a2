/** @module The Hono app, built from the registry: request ids, access logs, metrics, body limit, 404/500 boundaries. */

import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
// PatternRouter (hono/tiny): one small router for a dozen routes; SmartRouter's two routers cost ~2 KiB gzip on Workers.
import { Hono } from 'hono/tiny'
import type { Config } from '../shared/core/config.ts'
import type { AppEnv, AppFunction, HttpFunction, Root } from '../shared/core/function.ts'
import { clientAddress } from '../shared/net/client-address.ts'
import { AnswerWithheld } from '../shared/net/http-errors.ts'
import { STORE_RETRY_AFTER_S, StoreUnavailableError } from '../shared/store/unavailable.ts'

export type CreateAppOptions = {
  functions: readonly AppFunction[]
  /** The runtime's services and parts: each routed request gets both (`c.get('services')`, `c.get('parts')`). */
  root: Root
  /** Largest request body accepted; default from BODY_LIMIT_BYTES. */
  bodyLimitBytes?: number
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * @example const app = createApp({ functions, root }); await app.request('/health')
 */
export function createApp({
  functions,
  root,
  bodyLimitBytes = root.services.config.BODY_LIMIT_BYTES,
}: CreateAppOptions): Hono<AppEnv> {
  const { services } = root
  const app = new Hono<AppEnv>()
  const { log, metrics, inventory } = services

  app.use('*', async function observe(c, next) {
    // X-Request-Id as hono/request-id gives it (the caller's when it is a sane token), one middleware fewer.
    const given = c.req.header('x-request-id')
    const id = given && given.length <= 255 && !/[^\w\-=]/.test(given) ? given : crypto.randomUUID()
    c.set('requestId', id)
    c.header('X-Request-Id', id)
    c.set('services', services)
    c.set('functionName', 'unmatched')
    const started = performance.now()
    await next()
    const seconds = (performance.now() - started) / 1000
    const route = c.get('functionName')
    metrics.httpRequests.inc({ route, method: c.req.method, status: String(c.res.status) })
    metrics.httpDuration.observe({ route, method: c.req.method }, seconds)
    // Built only when written: a URL parse and an address lookup per request add up under load.
    if (!log.enabled('info')) return
    // The path only: query strings may carry things that do not belong in logs.
    log.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      route,
      status: c.res.status,
      durationMs: Math.round(seconds * 1000),
      client: clientAddress(c, services.config.TRUSTED_PROXIES ?? []) ?? undefined,
    })
  })

  for (const fn of functions) {
    if (fn.kind !== 'http') continue
    const missing = inventory.disabled[fn.name]
    // One handler per route: its name, its body limit, then the function (each layer Hono composes costs a
    // dispatch and a promise on every request).
    const limit = BODY_METHODS.has(fn.method)
      ? _limitBody(_routeBodyLimit(fn, bodyLimitBytes, services.config))
      : null
    const handler = missing ? _notConfigured(fn, missing) : fn.handler
    const name = fn.name
    app.on(fn.method, fn.path, async function route(c: Context<AppEnv>) {
      c.set('functionName', name)
      // The runtime's parts, built on its first routed request (the Node runtime builds them at start).
      c.set('parts', root.parts())
      return limit ? limit(c, () => handler(c)) : handler(c)
    })
  }

  app.notFound((c) => c.json({ error: 'not_found', message: 'No such route.' }, 404))

  app.onError(function errorBoundary(error, c) {
    if (error instanceof HTTPException) return error.getResponse()
    // No answer at all: the runtime's server drops the connection (node-server.ts, worker.ts).
    if (error instanceof AnswerWithheld) throw error
    // The store down is an outage to wait out, named for the operator, not an internal error.
    if (error instanceof StoreUnavailableError) {
      log.error('request failed: the store does not answer', {
        requestId: c.get('requestId'),
        route: c.get('functionName'),
        setting: error.setting,
        error: error.message,
      })
      return c.json(
        {
          error: 'store_unavailable',
          message: `plane-bridge cannot reach its store (${error.setting}); try again later.`,
          requestId: c.get('requestId'),
        },
        503,
        { 'Retry-After': String(STORE_RETRY_AFTER_S) }
      )
    }
    // Details go to the log only; the caller learns nothing about internals.
    log.error('unhandled error', {
      requestId: c.get('requestId'),
      route: c.get('functionName'),
      error:
        error instanceof Error
          ? { name: error.name, message: error.message, stack: error.stack }
          : String(error),
    })
    return c.json(
      { error: 'internal_error', message: 'Internal error.', requestId: c.get('requestId') },
      500
    )
  })

  return app
}

/** The largest body any route takes: a refused one is read to its end up to this (runtime/node-early-answer.ts). */
export function largestBodyLimit(functions: readonly AppFunction[], config: Config): number {
  let largest = config.BODY_LIMIT_BYTES
  for (const fn of functions)
    if (fn.kind === 'http' && BODY_METHODS.has(fn.method))
      largest = Math.max(largest, _routeBodyLimit(fn, config.BODY_LIMIT_BYTES, config))
  return largest
}

// --- Internal helpers ---

function _routeBodyLimit(fn: HttpFunction, bodyLimitBytes: number, config: Config): number {
  return Math.max(bodyLimitBytes, fn.bodyLimitBytes?.(config) ?? 0)
}

function _limitBody(maxSize: number) {
  const tooLarge = (c: Context<AppEnv>) =>
    c.json({ error: 'payload_too_large', message: `Body larger than ${maxSize} bytes.` }, 413)
  /** `run` (the route's function) while the body fits; 413 as soon as it does not. */
  return async function limitBody(
    c: Context<AppEnv>,
    run: () => Response | Promise<Response>
  ): Promise<Response> {
    // A declared length is checked from the header alone (the HTTP parser delivers exactly that many bytes).
    const length = c.req.header('content-length')
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > maxSize) return tooLarge(c)
      return run()
    }
    const body = c.req.raw.body
    if (!body) return run()
    // An undeclared length is counted as the route reads it, and cut past the limit. (Hono's bodyLimit reads such
    // a body whole into memory before the route runs: up to the upload routes' 67 MB, per request.)
    let size = 0
    let exceeded = false
    const counted = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength
          if (size <= maxSize) return controller.enqueue(chunk)
          exceeded = true
          controller.error(new Error(`Body larger than ${maxSize} bytes.`))
        },
      })
    )
    c.req.raw = new Request(c.req.raw, { body: counted, duplex: 'half' } as RequestInit)
    try {
      const response = await run()
      // Whatever the route made of a cut body (an error it caught, an "ignored"), the answer is 413.
      return exceeded ? tooLarge(c) : response
    } catch (error) {
      if (exceeded) return tooLarge(c)
      throw error
    }
  }
}

function _notConfigured(fn: HttpFunction, missing: readonly string[]) {
  // Fail closed: an unconfigured route accepts nothing (e.g. no webhook secret → nothing is trusted).
  return function notConfigured(c: Context<AppEnv>) {
    return c.json(
      { error: 'not_configured', message: `${fn.name} is off: missing ${missing.join(', ')}.` },
      503
    )
  }
}
