/** @module OpenClaw hooks client (§4.5): wake an agent or start an agent run, once, with typed errors. */

import { createFetch } from 'ofetch'
import { isTimeoutError, redactErrorChain } from '../net/http-errors.ts'
import { parseRetryAfter } from '../net/retry.ts'
import { createRedactor } from '../observe/redact.ts'
import { capText } from '../text/cap.ts'
import { kindOfStatus, OpenClawError } from './errors.ts'

export type OpenClawWakeMode = 'now' | 'next-heartbeat'

/** Body of `POST /hooks/agent` (§4.5). Content is wrapped as untrusted by OpenClaw. */
export type OpenClawAgentParams = {
  message: string
  agentId?: string
  /** Label of the run, e.g. `plane-bridge`. */
  name?: string
  wakeMode?: OpenClawWakeMode
  /** Deliver the agent's reply to a channel (OpenClaw's default is true). */
  deliver?: boolean
  /** Direct delivery target: `channel` and `to` go together or not at all. */
  channel?: string
  to?: string
  timeoutSeconds?: number
}

/** Body of `POST /hooks/wake` (§4.5): a short trusted text for the agent's main session. */
export type OpenClawWakeParams = { text: string; mode?: OpenClawWakeMode; agentId?: string }

export type OpenClawAgentResult = { status: number; runId?: string }
export type OpenClawWakeResult = { status: number; eventOutcome?: string }

export type OpenClawClientOptions = {
  /** Hooks base, e.g. `http://openclaw:18789/hooks` (no query string: the token never goes in URLs). */
  hooksUrl: string
  /** The dedicated hooks token (`hooks.token`), sent as `Authorization: Bearer`. */
  token: string
  fetch?: typeof fetch
  timeoutMs?: number
}

export type OpenClawClient = {
  /** Start an isolated agent run; retries with the same `idempotencyKey` never start a second one. */
  agent(
    params: OpenClawAgentParams,
    options: { idempotencyKey: string }
  ): Promise<OpenClawAgentResult>
  /** Enqueue a system event for the agent's main session (`mode: 'now'` processes it at once). */
  wake(
    params: OpenClawWakeParams,
    options?: { idempotencyKey?: string }
  ): Promise<OpenClawWakeResult>
}

/**
 * Create a hooks client. Any 2xx is success (older releases answer 202, current ones 200, §6.5); each
 * call is made once, and `classifyOpenClawError` tells `withRetry` what is worth repeating.
 * @example
 * const openclaw = createOpenClawClient({ hooksUrl: env.OPENCLAW_HOOKS_URL, token: env.OPENCLAW_HOOKS_TOKEN })
 * await openclaw.agent({ message: `Task ${id} is assigned to you`, agentId }, { idempotencyKey: `assign:${id}` })
 */
export function createOpenClawClient({
  hooksUrl,
  token,
  fetch: fetchImpl,
  timeoutMs = 30_000,
}: OpenClawClientOptions): OpenClawClient {
  if (!token) throw new TypeError('createOpenClawClient: token is required')
  const base = _checkHooksUrl(hooksUrl)
  const redactor = createRedactor([token])
  const $fetch = createFetch({
    // Resolved per call (tests may replace the global) and called unbound: Workers reject a fetch
    // invoked with a foreign `this`.
    fetch: (input, init) => (fetchImpl ? fetchImpl(input, init) : globalThis.fetch(input, init)),
  })

  async function post(
    endpoint: string,
    body: Record<string, unknown>,
    idempotencyKey: string | undefined
  ): Promise<{ status: number; data: Record<string, unknown> }> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'content-type': 'application/json',
    }
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey
    let response: Awaited<ReturnType<typeof $fetch.raw>>
    try {
      response = await $fetch.raw(`${base}${endpoint}`, {
        method: 'POST',
        headers,
        body,
        timeout: timeoutMs,
        retry: false,
        ignoreResponseError: true,
        parseResponse: _parseJson,
      })
    } catch (error) {
      const timedOut = isTimeoutError(error)
      const cause = redactErrorChain(error, redactor.text)
      const detail = timedOut ? 'request timed out' : `network error: ${cause.message}`
      throw new OpenClawError({ kind: 'unavailable', endpoint, detail, timedOut, cause })
    }
    const data = _asRecord(response._data)
    if (response.ok) return { status: response.status, data }
    const serverText = typeof data.error === 'string' ? data.error : data.message
    const detail = typeof serverText === 'string' ? capText(serverText, 200) : response.statusText
    throw new OpenClawError({
      kind: kindOfStatus(response.status),
      endpoint,
      status: response.status,
      detail: redactor.text(detail || `HTTP ${response.status}`),
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    })
  }

  return {
    async agent(params, { idempotencyKey }) {
      if (!idempotencyKey) throw new TypeError('OpenClaw agent: idempotencyKey is required')
      _checkDelivery(params)
      const { status, data } = await post('/agent', { ...params }, idempotencyKey)
      return typeof data.runId === 'string' ? { status, runId: data.runId } : { status }
    },
    async wake({ mode = 'now', ...params }, { idempotencyKey } = {}) {
      const { status, data } = await post('/wake', { ...params, mode }, idempotencyKey)
      const outcome = data.eventOutcome
      return typeof outcome === 'string' ? { status, eventOutcome: outcome } : { status }
    },
  }
}

// --- Internal helpers ---

/** Refuse URLs that would carry credentials: `?token=` is rejected by current releases (§4.5). */
function _checkHooksUrl(hooksUrl: string): string {
  const url = new URL(hooksUrl)
  if (url.search || url.username || url.password) {
    throw new TypeError(
      'createOpenClawClient: hooksUrl must not carry a query string or credentials; pass `token`'
    )
  }
  return hooksUrl.replace(/\/+$/, '')
}

/** §4.5/§6.5: `channel` + `to` are both required for direct delivery; `channel: "last"` answers 400. */
function _checkDelivery({ channel, to }: OpenClawAgentParams): void {
  if ((channel === undefined) !== (to === undefined)) {
    throw new TypeError('OpenClaw agent: send `channel` and `to` together, or neither')
  }
  if (channel === 'last') {
    throw new TypeError('OpenClaw agent: `channel: "last"` is rejected by current releases')
  }
}

function _parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    // Not JSON (a proxy's page): the caller reports the HTTP status instead.
    return undefined
  }
}

function _asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
}
