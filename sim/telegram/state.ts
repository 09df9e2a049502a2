/** @module Telegram simulator state, options and Bot API answer shapes (§1 of the reference). */

import type { BotCommand, Chat, Message, ResponseParameters, UserFromGetMe } from '@grammyjs/types'
import type { HtmlStrictness } from './html-parser.ts'

export type ChatId = number | string

export type TelegramSimOptions = {
  /** The only token the sim accepts in `/bot<token>/...`; others answer 401. */
  token: string
  botUsername?: string
  /** Origin the in-process `fetch` answers for (any host is routed into the app). */
  apiBase?: string
  /** Groups upgraded to supergroups: old chat id → new id (400 with `migrate_to_chat_id`, §1.7). */
  migratedChats?: Record<string, number>
  /** Users who blocked the bot: 403 "Forbidden: bot was blocked by the user". */
  blockedChats?: ChatId[]
  /** When given, any other chat answers 400 "chat not found". Default: every chat exists. */
  knownChats?: ChatId[]
  /**
   * Chats where the bot may not write (§1.7b): in a supergroup an admin restricted it (`can_send_messages: false`), in
   * a basic group members may not send, in a channel it is a member, not an administrator. Sends answer 400; the
   * members' messages still reach the bot.
   */
  restrictedChats?: ChatId[]
  /**
   * Supergroups with Topics on, where the bot may manage topics: createForumTopic works there and
   * `message_thread_id` must name one of their topics. Elsewhere createForumTopic answers 400.
   */
  forumChats?: ChatId[]
  /**
   * Per-chat flood control (§1.7), off by default: a send or an edit in the same chat sooner than `minIntervalMs`
   * after the last one answers 429, and so does an edit past `editsPerMinute` (default 20, §1.7 [S]) edits of the
   * chat's messages in any sliding minute.
   */
  floodControl?: { minIntervalMs: number; editsPerMinute?: number }
  /** How strictly `parse_mode: 'HTML'` is checked; see html-parser.ts. */
  htmlStrictness?: HtmlStrictness
  /** Accept `http://` webhook URLs and any port (for local end-to-end runs). */
  allowInsecureWebhook?: boolean
  /** Clock in ms, for `date` fields and flood control. */
  now?: () => number
}

/** A Bot API answer body; the HTTP status is 200 or `error_code`. */
export type Answer =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: ResponseParameters }

export type Params = Record<string, unknown>

export type WebhookState = {
  url: string
  secretToken?: string
  allowedUpdates?: string[]
  maxConnections?: number
  lastErrorDate?: number
  lastErrorMessage?: string
}

export type SimState = {
  options: Required<Pick<TelegramSimOptions, 'token' | 'botUsername' | 'apiBase' | 'now'>> &
    TelegramSimOptions
  bot: UserFromGetMe
  /** Current version of every message the bot sent, per chat key (`String(chat_id)`). */
  messages: Map<string, Message.TextMessage[]>
  lastMessageId: Map<string, number>
  lastSentAtMs: Map<string, number>
  /** When each chat's messages were edited within the last minute (flood control's edit limit). */
  editedAtMs: Map<string, number[]>
  webhook: WebhookState
  /** Commands per scope key (JSON of scope + language_code). */
  commands: Map<string, BotCommand[]>
  /** Callback queries issued by `makeCallbackUpdate`, and whether they were answered. */
  callbackQueries: Map<string, { answered: boolean; answer?: Params; issuedAtMs: number }>
  nextUpdateId: number
  /** Topics created per forum chat key: thread id → name. */
  topics: Map<string, Map<number, string>>
  /** A chat in flood wait (§1.7b: the wait holds the chat): every send before this instant answers 429. */
  floodUntilMs: Map<string, number>
}

export const ok = (result: unknown, description?: string): Answer =>
  description === undefined ? { ok: true, result } : { ok: true, result, description }

export const badRequest = (description: string, parameters?: ResponseParameters): Answer => ({
  ok: false,
  error_code: 400,
  description: `Bad Request: ${description}`,
  ...(parameters ? { parameters } : {}),
})

export const tooManyRequests = (retryAfterS: number): Answer => ({
  ok: false,
  error_code: 429,
  description: `Too Many Requests: retry after ${retryAfterS}`,
  parameters: { retry_after: retryAfterS },
})

export function createSimState(options: TelegramSimOptions): SimState {
  const resolved = {
    botUsername: 'plane_bridge_bot',
    apiBase: 'http://api.telegram.test',
    now: () => Date.now(),
    ...options,
  }
  const botId = Number(/^(\d+):/.exec(options.token)?.[1] ?? 1)
  return {
    options: resolved,
    bot: {
      id: botId,
      is_bot: true,
      first_name: 'Plane Bridge',
      username: resolved.botUsername,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    },
    messages: new Map(),
    lastMessageId: new Map(),
    lastSentAtMs: new Map(),
    editedAtMs: new Map(),
    webhook: { url: '' },
    commands: new Map(),
    callbackQueries: new Map(),
    nextUpdateId: 100_000,
    topics: new Map(),
    floodUntilMs: new Map(),
  }
}

/** Telegram accepts numeric ids as numbers or digit strings, and `@username` for channels. */
export function normalizeChatId(value: unknown): ChatId | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value !== 'string' || value === '') return undefined
  if (/^-?\d+$/.test(value)) return Number(value)
  return /^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(value) ? value : undefined
}

/** A Chat object shaped like Telegram's for the id's range (private > 0, group < 0, supergroup -100…). */
export function describeChat(chatId: ChatId): Chat {
  if (typeof chatId === 'string') {
    return {
      id: -1_009_000_000_000,
      type: 'channel',
      title: chatId.slice(1),
      username: chatId.slice(1),
    }
  }
  if (chatId > 0) return { id: chatId, type: 'private', first_name: 'Sim User' }
  if (chatId <= -1_000_000_000_000)
    return { id: chatId, type: 'supergroup', title: 'Sim supergroup' }
  return { id: chatId, type: 'group', title: 'Sim group' }
}
