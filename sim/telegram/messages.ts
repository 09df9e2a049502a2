/** @module Simulated sendMessage / editMessageText with Telegram's validations (§1.4, §1.5, §1.6, §1.7). */

import type { Message, MessageEntity } from '@grammyjs/types'
import { type ChatCheck, checkChatAccess, isChatRestricted, noRightToWrite } from './chat-access.ts'
import { parseTelegramHtml } from './html-parser.ts'
import {
  type Answer,
  badRequest,
  describeChat,
  ok,
  type Params,
  type SimState,
  tooManyRequests,
} from './state.ts'

/** §1.4: "1-4096 characters after entities parsing", counted in UTF-16 code units. */
export const MESSAGE_LIMIT = 4096
/** §1.6: callback_data is 1-64 bytes. */
const CALLBACK_DATA_MAX_BYTES = 64
/** §1.7b: at most 100 buttons in an inline keyboard [S], 8 in a row [S]. */
const KEYBOARD_MAX_BUTTONS = 100
const ROW_MAX_BUTTONS = 8
/** A markup whose JSON passes about 10 kB is refused whatever its count [S: tginfo/Telegram-Limits#187]. */
const MARKUP_MAX_JSON_CHARS = 10_000
/** §1.7 [S]: about 20 edits a minute in a group; flood control applies it to every chat. */
const EDITS_PER_MINUTE = 20
const EDIT_WINDOW_MS = 60_000
const MARKUP_TOO_LONG = 'reply markup is too long'
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message'
const BUTTON_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
] as const

export function sendMessage(state: SimState, params: Params): Answer {
  const chat = _checkChat(state, params.chat_id)
  if (!chat.ok) return chat.answer
  const unwritable = isChatRestricted(state, chat.id) ? noRightToWrite(chat.id) : undefined
  if (unwritable) return unwritable
  const content = _parseContent(state, params)
  if (!content.ok) return content.answer
  const markupError = _checkReplyMarkup(params.reply_markup)
  if (markupError) return markupError
  const key = String(chat.id)
  const thread = _checkThread(state, key, params.message_thread_id)
  if (!thread.ok) return thread.answer
  const now = state.options.now()
  const waiting = _floodWait(state, key) ?? _tooSoon(state, key)
  if (waiting) return waiting
  state.lastSentAtMs.set(key, now)
  const messageId = (state.lastMessageId.get(key) ?? 0) + 1
  state.lastMessageId.set(key, messageId)
  const message = {
    message_id: messageId,
    date: Math.floor(now / 1000),
    chat: describeChat(chat.id),
    from: {
      id: state.bot.id,
      is_bot: true,
      first_name: state.bot.first_name,
      username: state.bot.username,
    },
    text: content.text,
    ...(content.entities.length > 0 ? { entities: content.entities } : {}),
    ...(params.reply_markup ? { reply_markup: params.reply_markup } : {}),
    ...(thread.id === null ? {} : { message_thread_id: thread.id, is_topic_message: true }),
  } as Message.TextMessage
  state.messages.set(key, [...(state.messages.get(key) ?? []), message])
  return ok(message)
}

/**
 * createForumTopic: only in a forum supergroup (`forumChats`); name 1-128 characters. The topic's id is
 * the id of its creation service message, taken from the chat's message sequence.
 */
export function createForumTopic(state: SimState, params: Params): Answer {
  const chat = _checkChat(state, params.chat_id)
  if (!chat.ok) return chat.answer
  const key = String(chat.id)
  if (!_isForum(state, key)) return badRequest('the chat is not a forum')
  const name = params.name
  if (typeof name !== 'string' || name.length < 1 || name.length > 128)
    return badRequest('TOPIC_TITLE_EMPTY')
  const id = (state.lastMessageId.get(key) ?? 0) + 1
  state.lastMessageId.set(key, id)
  const topics = state.topics.get(key) ?? new Map<number, string>()
  topics.set(id, name)
  state.topics.set(key, topics)
  const iconColor = typeof params.icon_color === 'number' ? params.icon_color : 7322096
  return ok({ message_thread_id: id, name, icon_color: iconColor })
}

export function editMessageText(state: SimState, params: Params): Answer {
  if (params.inline_message_id !== undefined) return badRequest('message to edit not found')
  const chat = _checkChat(state, params.chat_id)
  if (!chat.ok) return chat.answer
  const content = _parseContent(state, params)
  if (!content.ok) return content.answer
  const markupError = _checkReplyMarkup(params.reply_markup)
  if (markupError) return markupError
  // A flood wait holds the chat, edits included (§1.7b), not only new messages; edits have a limit of their own.
  const key = String(chat.id)
  const waiting = _floodWait(state, key) ?? _tooSoon(state, key) ?? _tooManyEdits(state, key)
  if (waiting) return waiting
  const stored = state.messages.get(key) ?? []
  const index = stored.findIndex((m) => m.message_id === Number(params.message_id))
  const current = stored[index]
  if (!current) return badRequest('message to edit not found')
  const sameContent =
    current.text === content.text &&
    JSON.stringify(current.entities ?? []) === JSON.stringify(content.entities) &&
    JSON.stringify(current.reply_markup ?? null) === JSON.stringify(params.reply_markup ?? null)
  if (sameContent) return badRequest(NOT_MODIFIED)
  const { entities: _old, reply_markup: _oldMarkup, ...rest } = current
  const edited = {
    ...rest,
    text: content.text,
    edit_date: Math.floor(state.options.now() / 1000),
    ...(content.entities.length > 0 ? { entities: content.entities } : {}),
    // An empty inline keyboard removes the buttons: the message has no reply_markup any more.
    ...(params.reply_markup && !_emptyKeyboard(params.reply_markup)
      ? { reply_markup: params.reply_markup }
      : {}),
  } as Message.TextMessage
  stored[index] = edited
  if (state.options.floodControl) {
    const now = state.options.now()
    state.lastSentAtMs.set(key, now)
    state.editedAtMs.set(key, [...(state.editedAtMs.get(key) ?? []), now])
  }
  return ok(edited)
}

// --- Internal helpers ---

/** 429 with what is left of the chat's flood wait, or nothing when it has none. */
function _floodWait(state: SimState, key: string): Answer | undefined {
  const until = state.floodUntilMs.get(key)
  const now = state.options.now()
  return until !== undefined && now < until
    ? tooManyRequests(Math.ceil((until - now) / 1000))
    : undefined
}

/** 429 for a send or an edit sooner than flood control's interval after the chat's last one (§1.7). */
function _tooSoon(state: SimState, key: string): Answer | undefined {
  const flood = state.options.floodControl
  const last = state.lastSentAtMs.get(key)
  const since = state.options.now() - (last ?? 0)
  return flood && last !== undefined && since < flood.minIntervalMs
    ? tooManyRequests(Math.ceil((flood.minIntervalMs - since) / 1000))
    : undefined
}

/**
 * 429 for an edit past the chat's edits in the last minute (§1.7: about 20 a minute [S]), `retry_after` until the
 * oldest leaves the minute: a bridge that edits a message at every report meets it, as it would in Telegram.
 */
function _tooManyEdits(state: SimState, key: string): Answer | undefined {
  const flood = state.options.floodControl
  if (!flood) return undefined
  const now = state.options.now()
  const recent = (state.editedAtMs.get(key) ?? []).filter((at) => now - at < EDIT_WINDOW_MS)
  state.editedAtMs.set(key, recent)
  const oldest = recent[0]
  return oldest !== undefined && recent.length >= (flood.editsPerMinute ?? EDITS_PER_MINUTE)
    ? tooManyRequests(Math.max(1, Math.ceil((oldest + EDIT_WINDOW_MS - now) / 1000)))
    : undefined
}

function _isForum(state: SimState, key: string): boolean {
  return (state.options.forumChats ?? []).some((c) => String(c) === key)
}

/** In a forum, `message_thread_id` must name a topic; elsewhere the sim ignores it. */
function _checkThread(
  state: SimState,
  key: string,
  raw: unknown
): { ok: true; id: number | null } | { ok: false; answer: Answer } {
  if (raw === undefined || raw === null) return { ok: true, id: null }
  if (!_isForum(state, key)) return { ok: true, id: null }
  const id = Number(raw)
  if (!state.topics.get(key)?.has(id))
    return { ok: false, answer: badRequest('message thread not found') }
  return { ok: true, id }
}

function _emptyKeyboard(markup: unknown): boolean {
  const rows = (markup as { inline_keyboard?: unknown[] }).inline_keyboard
  return Array.isArray(rows) && rows.flat().length === 0
}

/** Sends and edits need write access: a block, a ban, a migration or an unknown chat refuse them (§1.7b). */
function _checkChat(state: SimState, raw: unknown): ChatCheck {
  return checkChatAccess(state, raw, 'write')
}

type Content = { ok: true; text: string; entities: MessageEntity[] } | { ok: false; answer: Answer }

/** Parse `text` per `parse_mode`, then apply the emptiness and length rules to the parsed text. */
function _parseContent(state: SimState, params: Params): Content {
  const raw = params.text
  if (typeof raw !== 'string' || raw === '') {
    return { ok: false, answer: badRequest('message text is empty') }
  }
  const mode = params.parse_mode
  let text = raw
  let entities: MessageEntity[] = []
  if (mode === 'HTML') {
    const parsed = parseTelegramHtml(raw, { strictness: state.options.htmlStrictness })
    if (!parsed.ok)
      return { ok: false, answer: badRequest(`can't parse entities: ${parsed.error}`) }
    text = parsed.text
    entities = parsed.entities
  } else if (mode !== undefined && mode !== 'MarkdownV2' && mode !== 'Markdown') {
    return { ok: false, answer: badRequest('unsupported parse_mode') }
  }
  if (text.trim() === '') return { ok: false, answer: badRequest('message text is empty') }
  if (text.length > MESSAGE_LIMIT) return { ok: false, answer: badRequest('message is too long') }
  return { ok: true, text, entities }
}

/**
 * A url button's link as Telegram takes it: http(s) or tg, and a host with a dot (a button to `http://localhost:8080`
 * or `http://plane` answers BUTTON_URL_INVALID: rubenlagus/TelegramBots#302).
 */
function _buttonUrlAllowed(url: unknown): boolean {
  if (typeof url !== 'string' || !URL.canParse(url)) return false
  const u = new URL(url)
  if (u.protocol === 'tg:') return true
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.includes('.')
}

/** Inline keyboards (§1.6): each button has text and exactly one action; callback_data is 1-64 bytes. */
function _checkReplyMarkup(markup: unknown): Answer | undefined {
  if (markup === undefined) return undefined
  if (typeof markup !== 'object' || markup === null) {
    return badRequest("can't parse reply keyboard markup JSON object")
  }
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard
  if (rows === undefined) return undefined
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
    return badRequest(
      'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
    )
  }
  const buttons = rows.flat()
  if (
    buttons.length > KEYBOARD_MAX_BUTTONS ||
    rows.some((row) => row.length > ROW_MAX_BUTTONS) ||
    JSON.stringify(markup).length > MARKUP_MAX_JSON_CHARS
  )
    return badRequest(MARKUP_TOO_LONG)
  for (const button of buttons as Array<Record<string, unknown>>) {
    if (typeof button?.text !== 'string' || button.text === '') {
      return badRequest(
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
      )
    }
    const actions = BUTTON_ACTIONS.filter((field) => button[field] !== undefined)
    if (actions.length !== 1) {
      return badRequest(
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
      )
    }
    const data = button.callback_data
    if (data !== undefined) {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data).length : 0
      if (bytes < 1 || bytes > CALLBACK_DATA_MAX_BYTES) return badRequest('BUTTON_DATA_INVALID')
    }
    if (button.url !== undefined && !_buttonUrlAllowed(button.url))
      return badRequest('BUTTON_URL_INVALID')
  }
  return undefined
}
