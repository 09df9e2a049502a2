/**
 * @module What each answer of the Bot API means for a message (reference §1.7b), in one place: the policy the sender
 * applies, so that no refusal is a silent dead letter. Pure.
 */
import { TelegramError } from './errors.ts'

/**
 * - `done`: Telegram shows it already ("message is not modified").
 * - `plain`: the text or its keyboard cannot be sent as is (entities, encoding, length, empty, markup): the same
 *   content goes once more as plain text (`markup`: without its keyboard).
 * - `send-new`: the message to edit is gone (the human deleted it): its new state goes as a new message.
 * - `topic-gone`: the forum topic was deleted: a new one is made and the message goes there.
 * - `migrated`: the group is a supergroup now: the new id is kept and the message goes there.
 * - `wait-chat`: 429: the whole chat waits `retry_after`, not one message.
 * - `hold-chat`: the bot cannot write to the chat (blocked, kicked, chat not found, no right to write): everything
 *   for it waits, none of it dead, until the chat is back.
 * - `retry`: no answer, or Telegram's own failure (5xx): the same message later.
 * - `give-up`: anything else (a 400 no other form of the message would pass): a dead letter, and the human told.
 */
export type TelegramRefusal =
  | { policy: 'done' }
  | { policy: 'plain'; why: PlainWhy }
  | { policy: 'send-new' }
  | { policy: 'topic-gone' }
  | { policy: 'migrated'; chatId: string }
  | { policy: 'wait-chat'; afterMs: number }
  | { policy: 'hold-chat'; why: HoldWhy }
  | { policy: 'retry'; afterMs?: number }
  | { policy: 'give-up' }

export type PlainWhy = 'entities' | 'encoding' | 'length' | 'empty' | 'markup'
export type HoldWhy = 'blocked' | 'kicked' | 'chat-not-found' | 'no-rights' | 'deactivated'

/** When Telegram says 429 without `retry_after` (it always sends one; a proxy may not). */
const DEFAULT_FLOOD_WAIT_MS = 5_000

/**
 * The policy for a failed Bot API call. The descriptions are tdlib's (telegram-bot-api's `Bad Request: …`); they are
 * matched as substrings, lower-cased, so a prefix or a longer wording reads the same.
 * @example classifyTelegramRefusal(error).policy === 'hold-chat' // the human blocked the bot
 */
export function classifyTelegramRefusal(error: unknown): TelegramRefusal {
  if (!(error instanceof TelegramError)) return { policy: 'give-up' }
  if (error.kind === 'network') return { policy: 'retry' }
  if (error.migrateToChatId !== undefined)
    return { policy: 'migrated', chatId: String(error.migrateToChatId) }
  const code = error.errorCode ?? 0
  const said = error.description.toLowerCase()
  if (code === 429)
    return {
      policy: 'wait-chat',
      afterMs: error.retryAfterS === undefined ? DEFAULT_FLOOD_WAIT_MS : error.retryAfterS * 1000,
    }
  if (code >= 500) return { policy: 'retry' }
  if (said.includes('message is not modified')) return { policy: 'done' }
  if (said.includes('message to edit not found') || said.includes("message can't be edited"))
    return { policy: 'send-new' }
  if (said.includes('message thread not found')) return { policy: 'topic-gone' }
  const hold = _holdWhy(code, said)
  if (hold) return { policy: 'hold-chat', why: hold }
  const plain = _plainWhy(said)
  if (plain) return { policy: 'plain', why: plain }
  return { policy: 'give-up' }
}

// --- Internal helpers ---

function _holdWhy(code: number, said: string): HoldWhy | null {
  if (said.includes('bot was blocked by the user')) return 'blocked'
  if (said.includes('bot was kicked') || said.includes('bot is not a member')) return 'kicked'
  if (said.includes('user is deactivated')) return 'deactivated'
  if (said.includes('chat not found')) return 'chat-not-found'
  if (
    said.includes('not enough rights') ||
    said.includes('have no rights to send') ||
    // A channel where the bot is not an administrator allowed to post (tdlib/telegram-bot-api's check_chat_access).
    said.includes('need administrator rights in the channel') ||
    said.includes('chat_write_forbidden')
  )
    return 'no-rights'
  // Any other 403 is Telegram refusing the chat, not the message.
  return code === 403 ? 'kicked' : null
}

function _plainWhy(said: string): PlainWhy | null {
  if (said.includes("can't parse entities") || said.includes('unsupported start tag'))
    return 'entities'
  if (said.includes('must be encoded in utf-8')) return 'encoding'
  if (said.includes('message is too long') || said.includes('text is too long')) return 'length'
  if (said.includes('message text is empty') || said.includes('text must be non-empty'))
    return 'empty'
  if (
    said.includes('reply markup is too long') ||
    said.includes('button_data_invalid') ||
    said.includes('button_url_invalid') ||
    said.includes("can't parse inline keyboard button") ||
    said.includes('inline keyboard') ||
    said.includes('reply keyboard markup')
  )
    return 'markup'
  return null
}
