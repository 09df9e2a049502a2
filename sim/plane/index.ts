/** @module Plane CE v1.2.3 simulator: wires store, clock, app, seed, web-UI helpers, webhooks and faults. */

import type { Hono } from 'hono'
import { type Listening, listenApp } from '../shared/transport.ts'
import type { SimEnv } from './access.ts'
import { createPlaneApp, type RequestLogEntry } from './app.ts'
import { createSimClock } from './clock.ts'
import { createFaults, type PlaneSimFaults } from './faults.ts'
import { createRateLimiter } from './rate-limit.ts'
import { ATTACHMENT_SIZE_LIMIT } from './routes/attachments.ts'
import type { PlaneVersion } from './routes/context.ts'
import { createSeed, type PlaneSimSeed } from './seed.ts'
import { createSessionState, type SessionState } from './session/index.ts'
import { createSimFetch } from './sim-fetch.ts'
import { createStore, type PlaneStore } from './store.ts'
import type { Webhook } from './types.ts'
import { createUi, type PlaneSimUi } from './ui.ts'
import {
  createWebhookEmitter,
  type Delivery,
  type RegisterWebhookInput,
} from './webhooks/emitter.ts'
import { createModelActivity } from './webhooks/model-activity.ts'
import {
  checkWebhookUrl,
  deliverableWebhookUrl,
  type PlaneRelease,
  type WebhookUrlPolicy,
} from './webhooks/url-rules.ts'

export { PyFloat, pyDumps, pyFloat } from './py-json.ts'
export type * from './types.ts'

export type PlaneSimOptions = {
  /** '1.2' (default): v1 PATCH fires no webhook, no `relations/`. '1.3': both (PR #8792, #8763). */
  version?: PlaneVersion
  /**
   * The release, for the rules on webhook URLs (webhooks/url-rules.ts); default 1.2.3 for version 1.2, 1.3.1 for
   * version 1.3.
   */
  release?: PlaneRelease
  /** v1.3.1's WEBHOOK_ALLOWED_HOSTS, WEBHOOK_ALLOWED_IPS, WEBHOOK_DISALLOWED_DOMAINS (plane.env). */
  webhookEnv?: { allowedHosts?: string[]; allowedIps?: string[]; disallowedDomains?: string[] }
  /**
   * The simulator's DNS (name → addresses) for webhook URLs; a name not listed resolves to a public address,
   * except names only a private network knows (`.internal`, `.local`, `.lan`, `.home.arpa`), which do not resolve.
   */
  dns?: Record<string, string[]>
  /**
   * A Plane just installed (`docker compose up` and nothing else): the instance is not set up, there is no user and
   * no workspace; the session API (session/) makes them as the web app and god-mode would.
   */
  fresh?: boolean
  /** `ENABLE_SIGNUP` (default on, as plane.env ships it): off, only an invited e-mail may sign up. */
  enableSignup?: boolean
  /** `DISABLE_WORKSPACE_CREATION`. */
  disableWorkspaceCreation?: boolean
  /** DRF's `AnonRateThrottle` on `AllowAny` views (the CSRF token, `/api/instances/`): default 30 a minute. */
  anonRatePerMinute?: number
  /** `API_KEY_RATE_LIMIT`, default 60 per minute, sliding window per key. */
  rateLimitPerMinute?: number
  /** `FILE_SIZE_LIMIT`: the largest attachment (default 5 MiB); deployments raise it (the compose file: 50 MiB). */
  fileSizeLimitBytes?: number
  /** Clock in ms; default `Date.now` (works with vi fake timers). */
  now?: () => number
  /** Origin the in-process `fetch` answers for; default 'http://plane.sim'. */
  baseUrl?: string
  workspaceSlug?: string
  /** How deliveries are POSTed; default `globalThis.fetch`. */
  webhookFetch?: typeof fetch
  /** Delay before webhook retry n in ms; default uniform 0–600 s (Celery full jitter). */
  webhookRetryDelayMs?: (retry: number) => number
  /** Webhook request timeout; default 30 s. */
  webhookTimeoutMs?: number
  /** Shuffle queued deliveries, as concurrent Celery workers may. */
  reorder?: boolean
  /** Randomness for retry jitter and reordering. */
  random?: () => number
}

export type PlaneSim = {
  app: Hono<SimEnv>
  baseUrl: string
  /** fetch-compatible: routes absolute URLs under `baseUrl` into the app; others fail like DNS errors. */
  fetch: typeof fetch
  listen(port?: number): Promise<Listening>
  requests: RequestLogEntry[]
  seed: PlaneSimSeed
  workspaceSlug: string
  ui: PlaneSimUi
  webhooks: {
    register(p: RegisterWebhookInput): Webhook
    deliveries: Delivery[]
    /** Deliveries v1.3.1 dropped at send time because their URL failed its check. */
    refusedAtDelivery: Array<{ url: string; event: string }>
    settle(): Promise<void>
    pendingRetries(): number
  }
  faults: PlaneSimFaults
  /** Direct access to the stored rows, for assertions. */
  state: PlaneStore
  /** The web app's side: instance, admins, passwords, profiles, sessions, token labels. */
  session: SessionState & {
    /** Every session ends now (Plane's one-hour god-mode sessions, or a restart with a new SECRET_KEY). */
    expireAll(): void
  }
  /** Forget the rate-limit history (e.g. between test phases). */
  resetRateLimits(): void
  /** Set `API_KEY_RATE_LIMIT` (requests per minute per key) from now on. */
  setRateLimit(perMinute: number): void
}

export function createPlaneSim(options: PlaneSimOptions = {}): PlaneSim {
  const {
    version = '1.2',
    rateLimitPerMinute = 60,
    now = () => Date.now(),
    baseUrl = 'http://plane.sim',
    workspaceSlug = 'javisi',
  } = options
  const store = createStore(workspaceSlug, { fresh: options.fresh ?? false })
  const sessionState = createSessionState({
    fresh: options.fresh ?? false,
    ...(options.enableSignup === undefined ? {} : { enableSignup: options.enableSignup }),
    ...(options.disableWorkspaceCreation === undefined
      ? {}
      : { disableWorkspaceCreation: options.disableWorkspaceCreation }),
  })
  const clock = createSimClock(now)
  const release: PlaneRelease = options.release ?? (version === '1.3' ? '1.3.1' : '1.2.3')
  // `localhost` is loopback; a public-looking name (the tests' hosts) is some public address unless `dns` says
  // otherwise; a private network's name does not resolve from here.
  const dns: Record<string, string[]> = { localhost: ['127.0.0.1'], ...options.dns }
  const resolveName = (host: string) =>
    dns[host] ??
    (/\.(internal|local|lan|home\.arpa|localdomain)$/.test(host) ? null : ['93.184.215.14'])
  const urlPolicy = (requestHost: string): WebhookUrlPolicy => ({
    release,
    requestHost,
    ...options.webhookEnv,
    resolve: resolveName,
  })
  const limiter = createRateLimiter({ limit: rateLimitPerMinute, now })
  const emitter = createWebhookEmitter({
    store,
    clock,
    fetch: options.webhookFetch ?? ((input, init) => globalThis.fetch(input, init)),
    retryDelayMs: options.webhookRetryDelayMs,
    timeoutMs: options.webhookTimeoutMs,
    reorder: options.reorder,
    random: options.random,
    deliverable: (url) => deliverableWebhookUrl(url, urlPolicy(new URL(baseUrl).hostname)),
  })
  const activity = createModelActivity(emitter.enqueue)
  const { faults, middleware } = createFaults({ deliverQueued: () => emitter.settle() })
  const requests: RequestLogEntry[] = []
  const app = createPlaneApp({
    store,
    clock,
    activity,
    version,
    release,
    baseUrl,
    fileSizeLimitBytes: options.fileSizeLimitBytes ?? ATTACHMENT_SIZE_LIMIT,
    limiter,
    faults: middleware,
    requests,
    session: {
      state: sessionState,
      now,
      anonLimiter: createRateLimiter({ limit: options.anonRatePerMinute ?? 30, now }),
      secure: baseUrl.startsWith('https:'),
      instanceId: crypto.randomUUID(),
      stamp: clock.stamp,
      webhookUrl: (url, requestHost) => checkWebhookUrl(url, urlPolicy(requestHost)),
      register: emitter.register,
    },
  })

  return {
    app,
    baseUrl,
    fetch: createSimFetch(app, baseUrl),
    listen: (port) => listenApp(app, port),
    requests,
    seed: createSeed(store, clock, sessionState),
    workspaceSlug,
    ui: createUi(store, clock, activity, {
      webhookUrl: (url, requestHost) => checkWebhookUrl(url, urlPolicy(requestHost)),
      register: emitter.register,
    }),
    webhooks: {
      register: emitter.register,
      deliveries: emitter.deliveries,
      refusedAtDelivery: emitter.refusedAtDelivery,
      settle: emitter.settle,
      pendingRetries: emitter.pendingRetries,
    },
    faults,
    state: store,
    session: Object.assign(sessionState, {
      expireAll: () => sessionState.sessions.clear(),
    }),
    resetRateLimits: limiter.reset,
    setRateLimit: limiter.setLimit,
  }
}
