/** @module Typed factories for the Updates Telegram would POST to our webhook (§1.1). */

import type { Message, MessageEntity, Update, User } from '@grammyjs/types'
import { describeChat, type SimState } from './state.ts'

export const DEFAULT_HUMAN: User = {
  id: 1001,
  is_bot: false,
  first_name: 'Ada',
  username: 'ada_human',
  language_code: 'en',
}

export type MessageUpdateInit = {
  text: string
  /** Defaults to the sender's private chat. Negative ids are groups, -100… supergroups. */
  chatId?: number
  from?: Partial<User>
  messageId?: number
  /** Seconds since the epoch; defaults to the sim clock. */
  date?: number
  replyToMessageId?: number
  /** Build an `edited_message` update instead (§1.1: do not re-run commands on edits). */
  edited?: boolean
}

export type CallbackUpdateInit = {
  /** callback_data of the pressed button (§1.6). */
  data: string
  chatId?: number
  /** The bot message the button belongs to; its current version is embedded when the sim has it. */
  messageId?: number
  from?: Partial<User>
  /** Defaults to a fresh unique id; the sim accepts one answerCallbackQuery for it. */
  id?: string
}

/** A `message` (or `edited_message`) update with the `bot_command` entities Telegram would add. */
export function makeMessageUpdate(state: SimState, init: MessageUpdateInit): Update {
  const from = { ...DEFAULT_HUMAN, ...init.from }
  const chatId = init.chatId ?? from.id
  const chat =
    chatId > 0
      ? { id: chatId, type: 'private' as const, first_name: from.first_name }
      : describeChat(chatId)
  const now = Math.floor(state.options.now() / 1000)
  const entities = findBotCommands(init.text)
  const message = {
    message_id: init.messageId ?? _nextIncomingId(state, chatId),
    date: init.date ?? now,
    chat,
    from,
    text: init.text,
    ...(entities.length > 0 ? { entities } : {}),
    ...(init.edited ? { edit_date: now } : {}),
    ...(init.replyToMessageId === undefined
      ? {}
      : { reply_to_message: _findMessage(state, chatId, init.replyToMessageId) }),
  } as Message.TextMessage
  const update_id = state.nextUpdateId++
  return init.edited
    ? ({ update_id, edited_message: message } as Update)
    : ({ update_id, message } as Update)
}

/** A `callback_query` update; the sim remembers its id so answerCallbackQuery succeeds once. */
export function makeCallbackUpdate(state: SimState, init: CallbackUpdateInit): Update {
  const from = { ...DEFAULT_HUMAN, ...init.from }
  const chatId = init.chatId ?? from.id
  const id = init.id ?? `${state.nextUpdateId}${Math.floor(Math.random() * 1e9)}`
  state.callbackQueries.set(id, { answered: false, issuedAtMs: state.options.now() })
  const message = _findMessage(state, chatId, init.messageId ?? 1)
  return {
    update_id: state.nextUpdateId++,
    callback_query: {
      id,
      from,
      message,
      chat_instance: `sim-${chatId}`,
      data: init.data,
    },
  } as Update
}

/**
 * Command entities as tdlib's `match_bot_commands` finds them: `/name` (1-64 chars) with an optional
 * `@bot` (3-32 chars), not preceded or followed by a word character, `/`, `<` or `>`.
 */
export function findBotCommands(text: string): MessageEntity[] {
  const entities: MessageEntity[] = []
  for (const match of text.matchAll(/\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?/g)) {
    const before = text[match.index - 1] ?? ''
    const after = text[match.index + match[0].length] ?? ''
    if (/[\p{L}\p{N}_/<>]/u.test(before) || /[\p{L}\p{N}_/<>@]/u.test(after)) continue
    entities.push({ type: 'bot_command', offset: match.index, length: match[0].length })
  }
  return entities
}

// --- Internal helpers ---

function _findMessage(state: SimState, chatId: number, messageId: number): Message {
  const stored = state.messages.get(String(chatId))?.find((m) => m.message_id === messageId)
  if (stored) return stored
  const date = Math.floor(state.options.now() / 1000)
  return {
    message_id: messageId,
    date,
    chat: describeChat(chatId),
    text: '',
  } as Message.TextMessage
}

/** Incoming messages share the chat's id sequence with the bot's own messages. */
function _nextIncomingId(state: SimState, chatId: number): number {
  const key = String(chatId)
  const id = (state.lastMessageId.get(key) ?? 0) + 1
  state.lastMessageId.set(key, id)
  return id
}
