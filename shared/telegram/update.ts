/** @module What an incoming Update is for the /plane commands (§1.1): a new message, a button press, or nothing. Pure. */

import { capText } from '../text/cap.ts'

/** A person's name as Telegram gives it may be long: it goes into cards, Plane comments and wakes, cut visibly. */
const MAX_NAME_CHARS = 64

export type IncomingUpdate =
  | {
      kind: 'message'
      updateId: number
      chatId: string
      chatUsername: string | null
      messageId: number
      /** Forum topic to answer in, when the message came from one. */
      threadId: number | null
      text: string
      /** The person, as Telegram names them (first and last name, else @username). */
      fromName: string
      /** The bot message this one answers (a Telegram reply), if any. */
      replyToMessageId: number | null
    }
  | {
      kind: 'callback'
      updateId: number
      chatId: string
      chatUsername: string | null
      queryId: string
      data: string
      fromName: string
      /** The message the pressed button belongs to. */
      messageId: number | null
    }
  /**
   * The bot's membership of a chat changed (`my_chat_member`): `present` false when the human blocked it or a group
   * removed it, true when it is back (reference §1.7b).
   */
  | {
      kind: 'membership'
      updateId: number
      chatId: string
      chatUsername: string | null
      present: boolean
    }
  /** A group became a supergroup: the service message in either chat names both ids (§1.7b). */
  | { kind: 'migration'; updateId: number; fromChatId: string; toChatId: string }
  /** §1.1: edits "may at times be triggered by changes … not actively used": never re-run a command. */
  | { kind: 'edited'; updateId: number }
  | { kind: 'other'; updateId: number | null }

type Chat = { id?: unknown; username?: unknown }
type From = { first_name?: unknown; last_name?: unknown; username?: unknown }
type Msg = {
  migrate_to_chat_id?: unknown
  migrate_from_chat_id?: unknown
  message_id?: unknown
  from?: From
  reply_to_message?: { message_id?: unknown }
  message_thread_id?: unknown
  is_topic_message?: unknown
  chat?: Chat
  text?: unknown
}

/** Reads only the fields the commands use; anything unexpected is `other`, never an exception. */
export function readUpdate(body: unknown): IncomingUpdate {
  const update = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const updateId = Number.isSafeInteger(update.update_id) ? (update.update_id as number) : null
  if (updateId === null) return { kind: 'other', updateId: null }
  if (update.edited_message || update.edited_channel_post) return { kind: 'edited', updateId }
  const message = update.message as Msg | undefined
  if (message && typeof message.text === 'string') {
    const chat = _chat(message.chat)
    if (!chat || typeof message.message_id !== 'number') return { kind: 'other', updateId }
    const topic = message.is_topic_message === true && typeof message.message_thread_id === 'number'
    return {
      kind: 'message',
      updateId,
      ...chat,
      messageId: message.message_id,
      threadId: topic ? (message.message_thread_id as number) : null,
      text: message.text,
      fromName: _name(message.from),
      replyToMessageId:
        typeof message.reply_to_message?.message_id === 'number'
          ? message.reply_to_message.message_id
          : null,
    }
  }
  if (message) {
    const chat = _chat(message.chat)
    const to = message.migrate_to_chat_id
    const from = message.migrate_from_chat_id
    if (chat && Number.isSafeInteger(to))
      return { kind: 'migration', updateId, fromChatId: chat.chatId, toChatId: String(to) }
    if (chat && Number.isSafeInteger(from))
      return { kind: 'migration', updateId, fromChatId: String(from), toChatId: chat.chatId }
  }
  const member = update.my_chat_member as
    | { chat?: Chat; new_chat_member?: { status?: unknown } }
    | undefined
  if (member) {
    const chat = _chat(member.chat)
    const status = member.new_chat_member?.status
    if (chat && typeof status === 'string')
      return {
        kind: 'membership',
        updateId,
        ...chat,
        present: status !== 'kicked' && status !== 'left',
      }
  }
  const query = update.callback_query as
    | { id?: unknown; data?: unknown; message?: Msg; from?: From }
    | undefined
  if (query && typeof query.id === 'string' && typeof query.data === 'string') {
    const chat = _chat(query.message?.chat)
    if (chat)
      return {
        kind: 'callback',
        updateId,
        ...chat,
        queryId: query.id,
        data: query.data,
        fromName: _name(query.from),
        messageId: typeof query.message?.message_id === 'number' ? query.message.message_id : null,
      }
  }
  return { kind: 'other', updateId }
}

/** Whether a chat may use the commands: its id, or its `@username`, is in the allowed list. */
export function isChatAllowed(
  chat: { chatId: string; chatUsername: string | null },
  allowed: readonly string[]
): boolean {
  return allowed.some(
    (a) =>
      a === chat.chatId ||
      (chat.chatUsername !== null && a.toLowerCase() === `@${chat.chatUsername.toLowerCase()}`)
  )
}

// --- Internal helpers ---

/** "Ada Lovelace", else "@ada", else "?" (Telegram always sends first_name for people). */
function _name(from: From | undefined): string {
  const full = [from?.first_name, from?.last_name]
    .filter((x): x is string => typeof x === 'string' && x.trim() !== '')
    .join(' ')
    .trim()
  if (full) return capText(full, MAX_NAME_CHARS)
  return typeof from?.username === 'string' ? `@${from.username}` : '?'
}

function _chat(chat: Chat | undefined): { chatId: string; chatUsername: string | null } | null {
  if (!chat || (typeof chat.id !== 'number' && typeof chat.id !== 'string')) return null
  return {
    chatId: String(chat.id),
    chatUsername: typeof chat.username === 'string' ? chat.username : null,
  }
}
