/** @module Thin Telegram Bot API client over ofetch: typed calls, typed errors, no retries, no token leaks. */

import type { ApiMethods, Opts } from '@grammyjs/types'
import { createFetch } from 'ofetch'
import { createRedactor } from '../observe/redact.ts'
import { createTelegramApiError, createTelegramNetworkError } from './errors.ts'

/** Every Bot API method, with file fields typed `never`: this client only speaks JSON (no uploads). */
export type TelegramMethods = ApiMethods<never>
export type TelegramMethod = keyof TelegramMethods
export type TelegramParams<M extends TelegramMethod> = Opts<never>[M]
export type TelegramResult<M extends TelegramMethod> = ReturnType<TelegramMethods[M]>

/** One line per API call, for the caller's logger. Holds no token and no message text. */
export type TelegramCallLog = {
  method: string
  ok: boolean
  durationMs: number
  errorCode?: number
  description?: string
}

export type TelegramClientOptions = {
  /** Bot token from @BotFather; only ever placed in the request path. */
  token: string
  /** Bot API server; a local `telegram-bot-api` server or a simulator in tests. */
  apiBase?: string
  /** Injectable fetch (tests route it into a simulator). Defaults to the global fetch at call time. */
  fetch?: typeof fetch
  /** Abort a call after this long; it then fails as a `network` error with `timedOut: true`. */
  timeoutMs?: number
  /** Called once per call with a redacted summary. */
  onCall?: (entry: TelegramCallLog) => void
}

export type TelegramClient = {
  sendMessage(params: TelegramParams<'sendMessage'>): Promise<TelegramResult<'sendMessage'>>
  editMessageText(
    params: TelegramParams<'editMessageText'>
  ): Promise<TelegramResult<'editMessageText'>>
  answerCallbackQuery(
    params: TelegramParams<'answerCallbackQuery'>
  ): Promise<TelegramResult<'answerCallbackQuery'>>
  setWebhook(params: TelegramParams<'setWebhook'>): Promise<TelegramResult<'setWebhook'>>
  getWebhookInfo(): Promise<TelegramResult<'getWebhookInfo'>>
  deleteWebhook(params?: TelegramParams<'deleteWebhook'>): Promise<TelegramResult<'deleteWebhook'>>
  setMyCommands(params: TelegramParams<'setMyCommands'>): Promise<TelegramResult<'setMyCommands'>>
  /** No caching here: callers that need the bot's username keep the result (grammY's `botInfo`). */
  getMe(): Promise<TelegramResult<'getMe'>>
  /** Any other JSON method, typed by @grammyjs/types. */
  call<M extends TelegramMethod>(method: M, params?: TelegramParams<M>): Promise<TelegramResult<M>>
}

/**
 * Create a Bot API client. Each call POSTs JSON to `{apiBase}/bot{token}/{method}` exactly once;
 * retrying is the caller's decision (`withRetry` + `classifyTelegramError`, or the durable outbox).
 * @example
 * const telegram = createTelegramClient({ token: env.TELEGRAM_BOT_TOKEN })
 * await telegram.sendMessage({ chat_id, text: escapeHtml(title), parse_mode: 'HTML' })
 */
export function createTelegramClient({
  token,
  apiBase = 'https://api.telegram.org',
  fetch: fetchImpl,
  timeoutMs = 30_000,
  onCall,
}: TelegramClientOptions): TelegramClient {
  if (!token) throw new TypeError('createTelegramClient: token is required')
  // The token sits in the URL path, so every string that may quote the URL goes through this.
  const redactor = createRedactor([token, encodeURIComponent(token)])
  const base = apiBase.replace(/\/+$/, '')
  const $fetch = createFetch({
    // Resolved per call (tests may replace the global) and called unbound: Workers reject a fetch
    // invoked with a foreign `this`.
    fetch: (input, init) => (fetchImpl ? fetchImpl(input, init) : globalThis.fetch(input, init)),
  })

  async function call<M extends TelegramMethod>(
    method: M,
    params?: TelegramParams<M>
  ): Promise<TelegramResult<M>> {
    const startedAt = Date.now()
    const report = (entry: Omit<TelegramCallLog, 'method' | 'durationMs'>) =>
      onCall?.({ method, durationMs: Date.now() - startedAt, ...entry })
    let response: Awaited<ReturnType<typeof $fetch.raw>>
    try {
      response = await $fetch.raw(`${base}/bot${token}/${method}`, {
        method: 'POST',
        body: (params ?? {}) as Record<string, unknown>,
        timeout: timeoutMs,
        retry: false,
        ignoreResponseError: true,
        parseResponse: _parseJson,
      })
    } catch (error) {
      const failure = createTelegramNetworkError(method, error, redactor.text)
      report({ ok: false, description: failure.description })
      throw failure
    }
    const body: unknown = response._data
    if (response.ok && _isApiSuccess(body)) {
      report({ ok: true })
      return body.result as TelegramResult<M>
    }
    const failure = createTelegramApiError(method, response.status, body, redactor.text)
    report({ ok: false, errorCode: failure.errorCode, description: failure.description })
    throw failure
  }

  return {
    sendMessage: (params) => call('sendMessage', params),
    editMessageText: (params) => call('editMessageText', params),
    answerCallbackQuery: (params) => call('answerCallbackQuery', params),
    setWebhook: (params) => call('setWebhook', params),
    getWebhookInfo: () => call('getWebhookInfo'),
    deleteWebhook: (params) => call('deleteWebhook', params),
    setMyCommands: (params) => call('setMyCommands', params),
    getMe: () => call('getMe'),
    call,
  }
}

// --- Internal helpers ---

function _parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    // Not JSON (a proxy's page): the caller reports the HTTP status instead.
    return undefined
  }
}

function _isApiSuccess(body: unknown): body is { ok: true; result: unknown } {
  return typeof body === 'object' && body !== null && (body as { ok?: unknown }).ok === true
}
