/** @module OpenClaw Gateway hooks simulator (§4.5): auth, JSON-only bodies, agent runs and wake events. */

import { Hono } from 'hono'
import { createAppFetch, type Listening, listenApp } from '../shared/transport.ts'
import {
  type AgentRun,
  type HookAnswer,
  type HooksState,
  handleAgent,
  handleWake,
  type WakeEvent,
} from './handlers.ts'

export type OpenClawSimOptions = {
  /** The hooks token (`hooks.token`). */
  token: string
  /** Answer admitted agent runs with 202 like older releases instead of 200 (§4.5). */
  legacy202?: boolean
  /** `hooks.path`. */
  hooksPath?: string
  /** `hooks.enabled: false` answers 404 everywhere (§4.5: "Hooks are disabled by default"). */
  enabled?: boolean
  /** `hooks.allowedAgentIds`; unset allows any agent. */
  allowedAgentIds?: string[]
  /** `hooks.allowRequestSessionKey`. */
  allowRequestSessionKey?: boolean
  /** Bodies above this answer 413. */
  maxBodyBytes?: number
  /** Failed auth attempts tolerated per window before answering 429 with Retry-After (§4.5). */
  authFailureLimit?: number
  authFailureWindowS?: number
  now?: () => number
}

export type OpenClawSimCall = {
  path: string
  method: string
  headers: Record<string, string>
  body: unknown
  idempotencyKey?: string
  status: number
}

export type OpenClawSim = {
  app: Hono
  /** e.g. `http://openclaw.test/hooks`; pass to `createOpenClawClient({ hooksUrl })` with `fetch`. */
  hooksUrl: string
  fetch: typeof fetch
  /** Serve on a real socket; the returned `url` is the hooks URL (path included). */
  listen(port?: number): Promise<Listening>
  /** Every request, in order, rejected ones included. */
  calls: OpenClawSimCall[]
  /** Agent runs admitted (one per Idempotency-Key). */
  runs: AgentRun[]
  /** Wake events enqueued. */
  wakes: WakeEvent[]
  /** The agents process their pending wake requests: the next wake is `queued` again. */
  processWakes(): void
  faults: {
    failNext(n: number, status: number): void
    rateLimitNext(n: number, retryAfterS: number): void
    networkErrorNext(n: number): void
  }
}

type Fault = { status: number; retryAfterS?: number }

/**
 * Create a simulator of OpenClaw's `/hooks` endpoints as documented in reference §4.5.
 * @example
 * const sim = createOpenClawSim({ token: 'hooks-secret' })
 * const openclaw = createOpenClawClient({ hooksUrl: sim.hooksUrl, token: 'hooks-secret', fetch: sim.fetch })
 */
export function createOpenClawSim({
  token,
  legacy202 = false,
  hooksPath = '/hooks',
  enabled = true,
  allowedAgentIds,
  allowRequestSessionKey = false,
  maxBodyBytes = 256 * 1024,
  authFailureLimit = 20,
  authFailureWindowS = 60,
  now = () => Date.now(),
}: OpenClawSimOptions): OpenClawSim {
  const hooks: HooksState = {
    legacy202,
    ...(allowedAgentIds ? { allowedAgentIds } : {}),
    allowRequestSessionKey,
    runs: [],
    wakes: [],
    pendingWake: new Set(),
    seen: new Map(),
  }
  const calls: OpenClawSimCall[] = []
  const faults: Fault[] = []
  let authFailuresAt: number[] = []
  let networkFailures = 0
  const app = new Hono()

  app.all('*', async function handleHookRequest(c) {
    const url = new URL(c.req.url)
    const raw = await c.req.text()
    const headers = Object.fromEntries(c.req.raw.headers)
    const idempotencyKey = headers['idempotency-key']
    const answer = await route(c.req.method, url, headers, raw)
    calls.push({
      path: url.pathname,
      method: c.req.method,
      headers,
      body: _parseJson(raw) ?? raw,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      status: answer.status,
    })
    const responseHeaders: Record<string, string> = answer.retryAfterS
      ? { 'retry-after': String(answer.retryAfterS) }
      : {}
    return c.json(answer.body, answer.status as 200, responseHeaders)
  })

  async function route(
    method: string,
    url: URL,
    headers: Record<string, string>,
    raw: string
  ): Promise<HookAnswer & { retryAfterS?: number }> {
    const prefix = `${hooksPath}/`
    if (!enabled || !url.pathname.startsWith(prefix)) return _error(404, 'Not Found')
    // Current releases reject the deprecated query token outright (§4.5).
    if (url.searchParams.has('token')) {
      return _error(
        400,
        'hook token in the query string is not accepted; use Authorization: Bearer'
      )
    }
    if (method !== 'POST') return _error(405, 'Method Not Allowed')
    const nowMs = now()
    authFailuresAt = authFailuresAt.filter((t) => nowMs - t < authFailureWindowS * 1000)
    if (authFailuresAt.length >= authFailureLimit) {
      const oldest = authFailuresAt[0] ?? nowMs
      const retryAfterS = Math.max(
        1,
        Math.ceil((oldest + authFailureWindowS * 1000 - nowMs) / 1000)
      )
      return { ..._error(429, 'too many failed auth attempts'), retryAfterS }
    }
    if (!_isAuthorized(headers, token)) {
      authFailuresAt.push(nowMs)
      return _error(401, 'Unauthorized')
    }
    const fault = faults.shift()
    if (fault) return { ..._error(fault.status, 'simulated failure'), ...fault }
    if (!(headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return _error(415, 'Content-Type must be application/json')
    }
    if (new TextEncoder().encode(raw).length > maxBodyBytes) return _error(413, 'Payload Too Large')
    const body = _parseJson(raw)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return _error(400, 'body must be a JSON object')
    }
    const record = body as Record<string, unknown>
    const endpoint = url.pathname.slice(prefix.length)
    if (endpoint === 'agent') return handleAgent(hooks, record, headers['idempotency-key'])
    if (endpoint === 'wake') return handleWake(hooks, record, headers['idempotency-key'])
    return _error(404, 'Not Found')
  }

  const fetch = createAppFetch(app, {
    beforeRequest(request) {
      if (networkFailures <= 0) return
      networkFailures--
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error(`connect ECONNREFUSED ${new URL(request.url).host}`), {
          code: 'ECONNREFUSED',
        }),
      })
    },
  })

  return {
    app,
    hooksUrl: `http://openclaw.test${hooksPath}`,
    fetch,
    listen: async (port) => {
      const listening = await listenApp(app, port)
      return { ...listening, url: `${listening.url}${hooksPath}` }
    },
    calls,
    runs: hooks.runs,
    wakes: hooks.wakes,
    processWakes: () => hooks.pendingWake.clear(),
    faults: {
      failNext: (n, status) => {
        for (let i = 0; i < n; i++) faults.push({ status })
      },
      rateLimitNext: (n, retryAfterS) => {
        for (let i = 0; i < n; i++) faults.push({ status: 429, retryAfterS })
      },
      networkErrorNext: (n) => {
        networkFailures += n
      },
    },
  }
}

// --- Internal helpers ---

/** §4.5: `Authorization: Bearer <token>` (recommended) or `x-openclaw-token: <token>`. */
function _isAuthorized(headers: Record<string, string>, token: string): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]
  return bearer === token || headers['x-openclaw-token'] === token
}

function _error(status: number, error: string): HookAnswer {
  return { status, body: { ok: false, error } }
}

function _parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
