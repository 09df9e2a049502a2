/** @module Simulated bot-level methods: getMe, webhooks (§1.2), commands (§1.8), callback answers (§1.6). */

import type { BotCommand, WebhookInfo } from '@grammyjs/types'
import { type Answer, badRequest, ok, type Params, type SimState } from './state.ts'

/** §1.2: supported webhook ports. */
const WEBHOOK_PORTS = new Set(['443', '80', '88', '8443'])
/** §1.2: "1-256 characters. Only characters A-Z, a-z, 0-9, _ and - are allowed." */
const SECRET_TOKEN_CHARS = /^[A-Za-z0-9_-]*$/
/** §1.8: "1-32 characters. Can contain only lowercase English letters, digits and underscores". */
const COMMAND_NAME = /^[a-z0-9_]{1,32}$/
const UPDATE_TYPES = new Set([
  'message',
  'edited_message',
  'channel_post',
  'edited_channel_post',
  'business_connection',
  'business_message',
  'edited_business_message',
  'deleted_business_messages',
  'message_reaction',
  'message_reaction_count',
  'inline_query',
  'chosen_inline_result',
  'callback_query',
  'shipping_query',
  'pre_checkout_query',
  'purchased_paid_media',
  'poll',
  'poll_answer',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
  'chat_boost',
  'removed_chat_boost',
])
const QUERY_INVALID = 'query is too old and response timeout expired or query ID is invalid'

export function getMe(state: SimState): Answer {
  return ok(state.bot)
}

export function setWebhook(state: SimState, params: Params): Answer {
  const url = params.url
  if (url === '' || url === undefined) return deleteWebhook(state)
  if (typeof url !== 'string')
    return badRequest('bad webhook: An HTTPS URL must be provided for webhook')
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return badRequest('bad webhook: Failed to resolve host: Name or service not known')
  }
  const insecureOk = state.options.allowInsecureWebhook === true
  if (parsed.protocol !== 'https:' && !insecureOk) {
    return badRequest('bad webhook: An HTTPS URL must be provided for webhook')
  }
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80')
  if (!WEBHOOK_PORTS.has(port) && !insecureOk) {
    return badRequest('bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443')
  }
  const secret = params.secret_token
  if (secret !== undefined) {
    if (typeof secret !== 'string' || !SECRET_TOKEN_CHARS.test(secret)) {
      return badRequest('secret token contains unallowed characters')
    }
    if (secret.length === 0 || secret.length > 256) {
      return badRequest('secret token must be 1-256 characters long')
    }
  }
  const maxConnections = params.max_connections
  if (maxConnections !== undefined) {
    const n = Number(maxConnections)
    if (!Number.isInteger(n) || n < 1 || n > 100) {
      return badRequest('bad webhook: max_connections must be in the range 1-100')
    }
  }
  const allowed = params.allowed_updates
  if (allowed !== undefined) {
    if (!Array.isArray(allowed) || !allowed.every((t) => UPDATE_TYPES.has(String(t)))) {
      return badRequest("can't parse allowed updates: unknown update type")
    }
  }
  state.webhook = {
    url,
    ...(secret === undefined ? {} : { secretToken: secret as string }),
    // §1.2: "If not specified, the previous setting will be used."
    ...(allowed === undefined
      ? _keep(state.webhook.allowedUpdates)
      : { allowedUpdates: (allowed as unknown[]).map(String) }),
    maxConnections: maxConnections === undefined ? 40 : Number(maxConnections),
  }
  return ok(true, 'Webhook was set')
}

export function deleteWebhook(state: SimState): Answer {
  const wasSet = state.webhook.url !== ''
  state.webhook = { url: '', ..._keep(state.webhook.allowedUpdates) }
  return ok(true, wasSet ? 'Webhook was deleted' : 'Webhook is already deleted')
}

/** The secret token is never echoed back: WebhookInfo has no such field. */
export function getWebhookInfo(state: SimState): Answer {
  const { url, allowedUpdates, maxConnections, lastErrorDate, lastErrorMessage } = state.webhook
  const info: WebhookInfo = { url, has_custom_certificate: false, pending_update_count: 0 }
  if (url && maxConnections !== undefined) info.max_connections = maxConnections
  if (url && allowedUpdates) info.allowed_updates = allowedUpdates as WebhookInfo['allowed_updates']
  if (lastErrorDate !== undefined) info.last_error_date = lastErrorDate
  if (lastErrorMessage !== undefined) info.last_error_message = lastErrorMessage
  return ok(info)
}

/** §1.2: "getUpdates does not work" while a webhook is set; this sim queues no updates otherwise. */
export function getUpdates(state: SimState): Answer {
  if (state.webhook.url) {
    return {
      ok: false,
      error_code: 409,
      description:
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    }
  }
  return ok([])
}

export function setMyCommands(state: SimState, params: Params): Answer {
  const commands = params.commands
  if (!Array.isArray(commands)) return badRequest('parameter "commands" is required')
  if (commands.length > 100) return badRequest('too many commands specified')
  for (const entry of commands as Array<Partial<BotCommand>>) {
    if (typeof entry?.command !== 'string' || !COMMAND_NAME.test(entry.command)) {
      return badRequest('BOT_COMMAND_INVALID')
    }
    const description = entry.description
    if (typeof description !== 'string' || description.length < 1 || description.length > 256) {
      return badRequest('BOT_COMMAND_DESCRIPTION_INVALID')
    }
  }
  state.commands.set(_scopeKey(params), commands as BotCommand[])
  return ok(true)
}

export function getMyCommands(state: SimState, params: Params): Answer {
  return ok(state.commands.get(_scopeKey(params)) ?? [])
}

/** §1.6: text is 0-200 characters; a query can be answered once, and only if Telegram issued it. */
export function answerCallbackQuery(state: SimState, params: Params): Answer {
  const id = params.callback_query_id
  const query = typeof id === 'string' ? state.callbackQueries.get(id) : undefined
  if (!query || query.answered) return badRequest(QUERY_INVALID)
  // §1.7b: a query is answered within about 15 minutes, or never.
  if (state.options.now() - query.issuedAtMs > CALLBACK_QUERY_TTL_MS)
    return badRequest(QUERY_INVALID)
  const text = params.text
  if (text !== undefined && (typeof text !== 'string' || text.length > 200)) {
    return badRequest('MESSAGE_TOO_LONG')
  }
  query.answered = true
  query.answer = params
  return ok(true)
}

/** §1.7b [S]: past about 15 minutes Telegram refuses to answer a callback query. */
const CALLBACK_QUERY_TTL_MS = 15 * 60 * 1000

// --- Internal helpers ---

function _keep(allowedUpdates: string[] | undefined) {
  return allowedUpdates ? { allowedUpdates } : {}
}

function _scopeKey(params: Params): string {
  return JSON.stringify([params.scope ?? { type: 'default' }, params.language_code ?? ''])
}
