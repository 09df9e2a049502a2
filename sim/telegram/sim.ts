/** @module Telegram Bot API simulator: a Hono app answering `/bot<token>/<method>` like api.telegram.org. */

import type { BotCommand, Message, Update } from '@grammyjs/types'
import { Hono } from 'hono'
import { createAppFetch, type Listening, listenApp } from '../shared/transport.ts'
import {
  answerCallbackQuery,
  deleteWebhook,
  getMe,
  getMyCommands,
  getUpdates,
  getWebhookInfo,
  setMyCommands,
  setWebhook,
} from './bot-methods.ts'
import { getChat, getChatMember, getChatMemberCount } from './chat-methods.ts'
import { createForumTopic, editMessageText, sendMessage } from './messages.ts'
import {
  type Answer,
  type ChatId,
  createSimState,
  type Params,
  type SimState,
  type TelegramSimOptions,
  tooManyRequests,
  type WebhookState,
} from './state.ts'
import {
  type CallbackUpdateInit,
  type MessageUpdateInit,
  makeCallbackUpdate,
  makeMessageUpdate,
} from './updates.ts'

/** One Bot API call as received: method, parameters, the status answered, and when (the simulator's clock, `now`). */
export type TelegramSimCall = { method: string; params: Params; status: number; at: number }

export type PostUpdateOptions = {
  /** Header value to send; defaults to the secret of the webhook set via setWebhook, `null` sends none. */
  secretToken?: string | null
  /** Where to deliver; e.g. the bridge app's `app.request`-backed fetch. Defaults to the global fetch. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>
}

export type TelegramSimFaults = {
  /** The next `n` calls answer 429 with `parameters.retry_after` (§1.7). */
  rateLimitNext(n: number, retryAfterS: number): void
  /** The next `n` calls fail with `status`: 500 as Telegram JSON, other 5xx as the nginx HTML page. */
  failNext(n: number, status?: number): void
  /** The next `n` requests through `sim.fetch` reject like a refused connection (URL in the message). */
  networkErrorNext(n: number): void
  /** The next `n` calls are answered only after `ms`, and still take effect (a client timeout races it). */
  delayNext(n: number, ms: number): void
  /** A person deletes every topic of a forum chat: sending to their threads answers "message thread not found". */
  deleteTopics(chatId: ChatId): void
  /** The chat is in flood wait for `retryAfterS`: every send to it answers 429 until then (§1.7b). */
  floodWait(chatId: ChatId, retryAfterS: number): void
}

/** What people do in Telegram that changes what the bot may send (§1.7b). */
export type TelegramSimChats = {
  /**
   * The human blocks the bot (a private chat: only sends answer 403, reads pass) or kicks it (a group: sends and member
   * reads answer 403, its getChatMember says `kicked`; a supergroup or channel: every call answers 403).
   */
  block(chatId: ChatId): void
  unblock(chatId: ChatId): void
  /**
   * The group takes away the bot's right to send messages (or gives it back): the bot stays a member, the members'
   * messages still come as updates, every send answers 400 "not enough rights" (a channel: "need administrator
   * rights") until `unrestrict`, and getChatMember says why.
   */
  restrict(chatId: ChatId): void
  unrestrict(chatId: ChatId): void
  /** The group becomes a supergroup: sends to the old id answer 400 with `migrate_to_chat_id`. */
  migrate(fromChatId: ChatId, toChatId: number): void
  /** The human deletes one of the bot's messages: editing it answers "message to edit not found". */
  deleteMessage(chatId: ChatId, messageId: number): void
}

export type TelegramSim = {
  app: Hono
  apiBase: string
  /** Routes absolute URLs into `app` without a socket; inject into `createTelegramClient({ fetch })`. */
  fetch: typeof fetch
  listen(port?: number): Promise<Listening>
  /** Every call that reached a method route, in order, faulted ones included. */
  calls: TelegramSimCall[]
  callsOf(method: string): TelegramSimCall[]
  /** Current version (after edits) of the messages the bot sent to `chatId`, in message_id order. */
  messagesIn(chatId: ChatId): Message.TextMessage[]
  readonly webhook: WebhookState
  commands(scope?: unknown, languageCode?: string): BotCommand[]
  /** The answerCallbackQuery params for a query, once answered. */
  callbackAnswer(queryId: string): Params | undefined
  faults: TelegramSimFaults
  chats: TelegramSimChats
  /** POST an Update to a webhook like Telegram does; returns the HTTP status our endpoint answered. */
  postUpdate(webhookUrl: string, update: Update, options?: PostUpdateOptions): Promise<number>
  deliveries: Array<{ url: string; update: Update; status: number }>
  makeMessageUpdate(init: MessageUpdateInit): Update
  makeCallbackUpdate(init: CallbackUpdateInit): Update
  state: SimState
}

type Method = (state: SimState, params: Params) => Answer
type Fault =
  | { kind: 'rate-limit'; retryAfterS: number }
  | { kind: 'fail'; status: number }
  | { kind: 'delay'; ms: number }

const METHODS: Record<string, Method> = {
  sendMessage,
  editMessageText,
  createForumTopic,
  answerCallbackQuery,
  setWebhook,
  getWebhookInfo,
  deleteWebhook,
  setMyCommands,
  getMyCommands,
  getMe,
  getUpdates,
  getChat,
  getChatMember,
  getChatMemberCount,
}
/** "All methods in the Bot API are case-insensitive" (@grammyjs/types api.ts, from the official docs). */
const METHOD_BY_LOWER = new Map(Object.keys(METHODS).map((name) => [name.toLowerCase(), name]))
/** Parameters Telegram reads as JSON when they arrive as strings (form bodies, or stringified in JSON). */
const JSON_PARAMS = new Set([
  'reply_markup',
  'allowed_updates',
  'commands',
  'scope',
  'entities',
  'link_preview_options',
  'reply_parameters',
])
const NGINX_REASONS: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
}
/** Telegram's front answers gateway errors with nginx's HTML page, not Bot API JSON. */
const NGINX_PAGE = (status: number) => {
  const title = `${status} ${NGINX_REASONS[status] ?? 'Error'}`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}

/**
 * Create a simulator of the Bot API (reference §1) with its validations and error shapes.
 * @example
 * const sim = createTelegramSim({ token: '123:abc' })
 * const telegram = createTelegramClient({ token: '123:abc', apiBase: sim.apiBase, fetch: sim.fetch })
 */
export function createTelegramSim(options: TelegramSimOptions): TelegramSim {
  const state = createSimState(options)
  const calls: TelegramSimCall[] = []
  const deliveries: TelegramSim['deliveries'] = []
  const faultQueue: Fault[] = []
  let networkFailures = 0
  const app = new Hono()

  app.all('/:bot/:method', async function handleBotApiCall(c) {
    const segment = c.req.param('bot')
    if (!segment.startsWith('bot')) return c.json(_notFound(), 404)
    if (segment.slice(3) !== state.options.token) {
      return c.json({ ok: false, error_code: 401, description: 'Unauthorized' }, 401)
    }
    const requested = c.req.param('method')
    const name = METHOD_BY_LOWER.get(requested.toLowerCase())
    const params = await _readParams(c.req.raw)
    const record = (status: number) =>
      calls.push({
        method: name ?? requested,
        params: params ?? {},
        status,
        at: state.options.now(),
      })
    if (!name) {
      record(404)
      return c.json(_notFound(), 404)
    }
    if (params && !_wellFormed(params)) {
      record(400)
      // §1.7b: half a surrogate pair (a JavaScript cut inside an emoji) cannot be encoded.
      return c.json(
        {
          ok: false,
          error_code: 400,
          description: 'Bad Request: strings must be encoded in UTF-8',
        },
        400
      )
    }
    if (!params) {
      record(400)
      return c.json(
        { ok: false, error_code: 400, description: "Bad Request: can't parse JSON object" },
        400
      )
    }
    let fault = faultQueue.shift()
    if (fault?.kind === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, (fault as { ms: number }).ms))
      fault = undefined
    }
    if (fault?.kind === 'rate-limit') {
      record(429)
      return c.json(tooManyRequests(fault.retryAfterS), 429)
    }
    if (fault?.kind === 'fail') {
      record(fault.status)
      if (fault.status !== 500 && fault.status >= 500)
        return c.html(NGINX_PAGE(fault.status), fault.status as 502)
      const description = fault.status === 500 ? 'Internal Server Error' : `Error ${fault.status}`
      return c.json({ ok: false, error_code: fault.status, description }, fault.status as 500)
    }
    const answer = (METHODS[name] as Method)(state, params)
    const status = answer.ok ? 200 : answer.error_code
    record(status)
    return c.json(answer, status as 200)
  })
  app.notFound((c) => c.json(_notFound(), 404))

  const fetch = createAppFetch(app, {
    beforeRequest(request) {
      if (networkFailures <= 0) return
      networkFailures--
      // Some runtimes (node-fetch, older undici) quote the URL, token included, in the message.
      const reason = `request to ${request.url} failed, reason: connect ECONNREFUSED`
      throw new TypeError(reason, {
        cause: Object.assign(new Error(reason), { code: 'ECONNREFUSED' }),
      })
    },
  })

  async function postUpdate(
    webhookUrl: string,
    update: Update,
    {
      secretToken = state.webhook.secretToken,
      fetch: deliver = globalThis.fetch,
    }: PostUpdateOptions = {}
  ): Promise<number> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    // §1.2: the secret goes in this header "in every webhook request".
    if (secretToken) headers['x-telegram-bot-api-secret-token'] = secretToken
    const response = await deliver(webhookUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify(update),
    })
    await response.body?.cancel()
    deliveries.push({ url: webhookUrl, update, status: response.status })
    if (response.status < 200 || response.status >= 300) {
      state.webhook.lastErrorDate = Math.floor(state.options.now() / 1000)
      state.webhook.lastErrorMessage =
        `Wrong response from the webhook: ${response.status} ${response.statusText}`.trim()
    }
    return response.status
  }

  const enqueue = (n: number, fault: Fault) => {
    for (let i = 0; i < n; i++) faultQueue.push(fault)
  }

  return {
    app,
    apiBase: state.options.apiBase,
    fetch,
    listen: (port) => listenApp(app, port),
    calls,
    callsOf: (method) => calls.filter((call) => call.method === method),
    messagesIn: (chatId) => [...(state.messages.get(String(chatId)) ?? [])],
    get webhook() {
      return { ...state.webhook }
    },
    commands: (scope = { type: 'default' }, languageCode = '') =>
      state.commands.get(JSON.stringify([scope, languageCode])) ?? [],
    callbackAnswer: (queryId) => state.callbackQueries.get(queryId)?.answer,
    faults: {
      rateLimitNext: (n, retryAfterS) => enqueue(n, { kind: 'rate-limit', retryAfterS }),
      failNext: (n, status = 502) => enqueue(n, { kind: 'fail', status }),
      networkErrorNext: (n) => {
        networkFailures += n
      },
      delayNext: (n, ms) => enqueue(n, { kind: 'delay', ms }),
      deleteTopics: (chatId) => {
        state.topics.delete(String(chatId))
      },
      floodWait: (chatId, retryAfterS) => {
        state.floodUntilMs.set(String(chatId), state.options.now() + retryAfterS * 1000)
      },
    },
    chats: {
      block: (chatId) => {
        state.options.blockedChats = [...(state.options.blockedChats ?? []), chatId]
      },
      unblock: (chatId) => {
        state.options.blockedChats = (state.options.blockedChats ?? []).filter(
          (c) => String(c) !== String(chatId)
        )
      },
      restrict: (chatId) => {
        state.options.restrictedChats = [...(state.options.restrictedChats ?? []), chatId]
      },
      unrestrict: (chatId) => {
        state.options.restrictedChats = (state.options.restrictedChats ?? []).filter(
          (c) => String(c) !== String(chatId)
        )
      },
      migrate: (fromChatId, toChatId) => {
        state.options.migratedChats = {
          ...state.options.migratedChats,
          [String(fromChatId)]: toChatId,
        }
      },
      deleteMessage: (chatId, messageId) => {
        const key = String(chatId)
        state.messages.set(
          key,
          (state.messages.get(key) ?? []).filter((m) => m.message_id !== messageId)
        )
      },
    },
    postUpdate,
    deliveries,
    makeMessageUpdate: (init) => makeMessageUpdate(state, init),
    makeCallbackUpdate: (init) => makeCallbackUpdate(state, init),
    state,
  }
}

// --- Internal helpers ---

/** With the `u` flag a lone surrogate is a code point of category Cs; a pair is one astral code point. */
const LONE_SURROGATE = /\p{Cs}/u

/** Every string in the parameters, at any depth, is well-formed UTF-16 (so it can be UTF-8). */
function _wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value)
  if (Array.isArray(value)) return value.every(_wellFormed)
  if (typeof value === 'object' && value !== null) return Object.values(value).every(_wellFormed)
  return true
}

function _notFound(): Answer {
  return { ok: false, error_code: 404, description: 'Not Found' }
}

/** Telegram takes parameters from the query string, JSON, urlencoded or multipart bodies (§1, "Making requests"). */
async function _readParams(request: Request): Promise<Params | undefined> {
  const params: Params = Object.fromEntries(new URL(request.url).searchParams)
  const type = request.headers.get('content-type') ?? ''
  if (type.includes('application/json')) {
    const text = await request.text()
    if (text.trim() !== '') {
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        return undefined
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
      Object.assign(params, body)
    }
  } else if (type.includes('form')) {
    for (const [key, value] of (await request.formData()).entries()) {
      if (typeof value === 'string') params[key] = value
    }
  }
  for (const key of JSON_PARAMS) {
    const value = params[key]
    if (typeof value !== 'string') continue
    try {
      params[key] = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  return params
}
