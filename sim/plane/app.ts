/** @module The simulator's Hono app: request log, faults, routes, Django-like 404/405/500 handling. */

import type { MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import { createGuard, type SimEnv } from './access.ts'
import { PlaneHttpError, pageNotFound, serverError } from './http-errors.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { RouteDeps } from './routes/context.ts'
import { registerLabelRoutes } from './routes/labels.ts'
import { registerMemberRoutes } from './routes/members.ts'
import { registerProjectRoutes } from './routes/projects.ts'
import { registerExtraRoutes } from './routes/register-extra.ts'
import { registerStateRoutes } from './routes/states.ts'
import { registerWorkItemDetailRoutes } from './routes/work-item-detail.ts'
import { registerWorkItemRoutes } from './routes/work-items.ts'
import { registerSessionRoutes, type SessionRouteDeps } from './session/index.ts'

export type RequestLogEntry = {
  method: string
  path: string
  query: Record<string, string>
  apiKey?: string
  status: number
  /** When it arrived, on the simulator's clock (ms). */
  at: number
}

export type CreateAppOptions = Omit<RouteDeps, 'guard'> & {
  limiter: RateLimiter
  faults: MiddlewareHandler
  requests: RequestLogEntry[]
  /** The web app's session API (session/index.ts). */
  session: Omit<SessionRouteDeps, 'store' | 'baseUrl' | 'release'>
}

export function createPlaneApp(options: CreateAppOptions): Hono<SimEnv> {
  // strict: `/users/me` and `/users/me/` are different routes, as in Django's URLconf.
  const app = new Hono<SimEnv>({ strict: true })
  const guard = createGuard({
    store: options.store,
    limiter: options.limiter,
    now: options.clock.nowMs,
  })
  const deps: RouteDeps = { ...options, guard }

  app.use('*', async function logRequest(c, next) {
    const at = options.clock.nowMs()
    await next()
    const apiKey = c.req.header('x-api-key')
    // Redirects are part of the answer the session API gives (auth posts answer 302).
    options.requests.push({
      method: c.req.method,
      path: c.req.path,
      query: { ...c.req.query() },
      ...(apiKey ? { apiKey } : {}),
      status: c.res.status,
      at,
    })
  })
  app.use('*', options.faults)

  registerMemberRoutes(app, deps)
  registerProjectRoutes(app, deps)
  registerStateRoutes(app, deps)
  registerLabelRoutes(app, deps)
  registerWorkItemRoutes(app, deps)
  registerWorkItemDetailRoutes(app, deps)
  registerExtraRoutes(app, deps)
  registerMethodNotAllowed(app, guard)
  // After the v1 405s: the session API authenticates by cookie, never by key.
  registerSessionRoutes(app, {
    ...options.session,
    store: options.store,
    baseUrl: options.baseUrl,
    release: options.release,
  })

  // Django has no route for a path without its trailing slash (APPEND_SLASH would redirect a GET;
  // the simulator answers 404 so a client that drops the slash fails loudly for every method).
  app.notFound(function planeNotFound(c) {
    const error = pageNotFound()
    return c.json(error.body as object, 404)
  })

  app.onError(function planeOnError(error, c) {
    const planeError = error instanceof PlaneHttpError ? error : serverError()
    for (const [name, value] of Object.entries(planeError.headers)) c.header(name, value)
    return c.json(planeError.body as object, planeError.status as 400)
  })
  return app
}

/**
 * DRF answers a known path with an unsupported method with 405 — after authentication and
 * throttling, which is why the guard runs first.
 */
function registerMethodNotAllowed(app: Hono<SimEnv>, guard: ReturnType<typeof createGuard>) {
  const paths = [
    ...new Set(
      app.routes
        .filter((route) => route.method !== 'ALL' && route.path.startsWith('/api/'))
        .map((route) => route.path)
    ),
  ]
  for (const path of paths) {
    app.all(path, guard('authenticated'), function methodNotAllowed(c) {
      return c.json({ detail: `Method "${c.req.method}" not allowed.` }, 405)
    })
  }
}
