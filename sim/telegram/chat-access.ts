/**
 * @module Which calls a chat refuses, by the access they need (§1.7b). Modelled on telegram-bot-api's
 * `check_chat_access` (tdlib/telegram-bot-api, telegram-bot-api/Client.cpp): a read (getChat, the bot's own
 * getChatMember) passes where a write is refused, except in a supergroup or channel that banned the bot.
 */
import {
  type Answer,
  badRequest,
  type ChatId,
  describeChat,
  normalizeChatId,
  type SimState,
} from './state.ts'

/**
 * - `read`: getChat, getChatMember for the bot itself.
 * - `read-members`: getChatMemberCount, getChatMember for another user; a basic group checks it like a write.
 * - `write`: sendMessage and every call that changes the chat.
 */
export type ChatAccess = 'read' | 'read-members' | 'write'

export type ChatCheck = { ok: true; id: ChatId } | { ok: false; answer: Answer }

export function checkChatAccess(state: SimState, raw: unknown, access: ChatAccess): ChatCheck {
  if (raw === undefined || raw === null || raw === '') {
    return { ok: false, answer: badRequest('chat_id is empty') }
  }
  const id = normalizeChatId(raw)
  if (id === undefined || !isChatKnown(state, id))
    return { ok: false, answer: badRequest('chat not found') }
  const type = describeChat(id).type
  // A basic group's member list is closed to a bot that left it or moved on: checked like a write.
  const strict = access === 'write' || (access === 'read-members' && type !== 'private')
  const migratedTo = state.options.migratedChats?.[String(id)]
  if (migratedTo !== undefined && strict) {
    const answer = badRequest('group chat was upgraded to a supergroup chat', {
      migrate_to_chat_id: migratedTo,
    })
    return { ok: false, answer }
  }
  // A block in a private chat shows only when something is sent; a ban from a supergroup or channel shows always.
  const refusedAlways = type === 'supergroup' || type === 'channel'
  if (isChatBlocked(state, id) && (strict || refusedAlways)) {
    const answer: Answer = { ok: false, error_code: 403, description: forbiddenIn(id) }
    return { ok: false, answer }
  }
  return { ok: true, id }
}

/** The chats the bot knows: all by default; else those listed, and any it was blocked in or that migrated. */
export function isChatKnown(state: SimState, id: ChatId): boolean {
  const { knownChats, migratedChats, blockedChats } = state.options
  if (!knownChats) return true
  const key = String(id)
  return (
    knownChats.some((c) => String(c) === key) ||
    migratedChats?.[key] !== undefined ||
    (blockedChats ?? []).some((c) => String(c) === key)
  )
}

export function isChatBlocked(state: SimState, id: ChatId): boolean {
  return (state.options.blockedChats ?? []).some((c) => String(c) === String(id))
}

export function isChatRestricted(state: SimState, id: ChatId): boolean {
  return (state.options.restrictedChats ?? []).some((c) => String(c) === String(id))
}

/** A private chat blocks the bot; a group, supergroup or channel kicks it (§1.7b). */
export function forbiddenIn(id: ChatId): string {
  const chat = describeChat(id)
  if (chat.type === 'private') return 'Forbidden: bot was blocked by the user'
  return `Forbidden: bot was kicked from the ${chat.type === 'group' ? 'group' : chat.type} chat`
}

/**
 * A restricted bot's send (§1.7b: no right to write). tdlib's words: a group member without the right to send, or
 * a channel member that is not an administrator allowed to post.
 */
export function noRightToWrite(id: ChatId): Answer | undefined {
  const type = describeChat(id).type
  if (type === 'private') return undefined
  return type === 'channel'
    ? badRequest('need administrator rights in the channel chat')
    : badRequest('not enough rights to send text messages to the chat')
}
