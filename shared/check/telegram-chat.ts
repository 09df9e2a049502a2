/**
 * @module `check` for a chat the bot writes to (reference §1.7b): whether Telegram knows it and the bot may write
 * there, asked without sending anything (getChat, then the bot's own getChatMember). A private chat's block shows in
 * no read, so it comes from what the bridge was last told (the outbox's hold: a refused send, or `my_chat_member`).
 */
import type { ChatFullInfo, ChatMember } from '@grammyjs/types'
import type { ChatHold } from '../notify/chat-holds.ts'
import { type TelegramClient, TelegramError } from '../telegram/index.ts'
import { classifyTelegramRefusal } from '../telegram/refusals.ts'
import { ago, type CheckResult } from './result.ts'

/** What Telegram said of the chat, and for a private chat the bridge's hold on it. */
export type ChatFacts =
  | { seen: 'refused'; error: TelegramError }
  | { seen: 'chat'; chat: ChatFullInfo; member: ChatMember | null; hold: ChatHold | null }

export type ReadChatFactsOptions = {
  telegram: Pick<TelegramClient, 'call'>
  chatId: string
  /** The bot's own user id (getMe). */
  botId: number
  /** The outbox's hold on a chat; a store that does not answer reads as none (its own line says so). */
  holdOf?: (chatId: string) => Promise<ChatHold | null>
}

/** A chat the check judges: the main one (TELEGRAM_CHAT_ID) or one /plane is answered in. */
export type ChatRole = {
  name: string
  chatId: string
  /** The setting that names the chat: the fix names it. */
  setting: 'TELEGRAM_CHAT_ID' | 'TELEGRAM_ALLOWED_CHAT_IDS'
  /** What the chat is for, said on a ✓ line: `messages go to …`. */
  ok: string
}

export type JudgeChatOptions = {
  role: ChatRole
  facts: ChatFacts
  /** The bot's @username, named in the fixes. */
  bot: string
  /** Where the API is, named when nothing answered. */
  host: string
  now: number
}

export async function readChatFacts({
  telegram,
  chatId,
  botId,
  holdOf,
}: ReadChatFactsOptions): Promise<ChatFacts> {
  try {
    const chat = await telegram.call('getChat', { chat_id: chatId })
    if (chat.type === 'private') {
      const hold = holdOf ? await holdOf(chatId).catch(() => null) : null
      return { seen: 'chat', chat, member: null, hold }
    }
    // A basic group that removed the bot, or became a supergroup, still answers getChat and the bot's own
    // getChatMember; its member list is checked like a write (tdlib/telegram-bot-api Client.cpp, check_chat_access).
    if (chat.type === 'group') await telegram.call('getChatMemberCount', { chat_id: chatId })
    const member = await telegram.call('getChatMember', { chat_id: chatId, user_id: botId })
    return { seen: 'chat', chat, member, hold: null }
  } catch (error) {
    if (error instanceof TelegramError) return { seen: 'refused', error }
    throw error
  }
}

/** The chat's line: ✓ with what it is, ✗ with what is wrong and the fix, ! when it works but the setting is stale. Pure. */
export function judgeChat({ role, facts, bot, host, now }: JudgeChatOptions): CheckResult {
  const { name } = role
  if (facts.seen === 'refused') return { name, ..._refused(role, facts.error, bot, host) }
  const { chat, member, hold } = facts
  if (chat.type === 'private') {
    const gone = _goneSince(hold)
    const told = gone && `the bridge was told ${ago(gone.since, now)}: "${gone.description}"`
    if (gone?.why === 'deactivated')
      return {
        name,
        status: 'fail',
        detail: `the account of chat ${role.chatId} was deleted (${told}): set ${role.setting} to another chat`,
      }
    if (gone)
      return {
        name,
        status: 'fail',
        detail: `the human blocked @${bot} (${told}): nothing reaches them until they open the chat with @${bot} in Telegram and unblock it (Restart); what waited goes then`,
      }
    return {
      name,
      status: 'ok',
      detail: `${role.ok} (private chat with ${chat.first_name}; a block shows only once a message is refused: --send-test sends one)`,
    }
  }
  const where = `${chat.type} "${chat.title}"`
  const cannot = member ? _cannotWrite(chat, member, where, bot, role) : null
  if (cannot) return { name, status: 'fail', detail: cannot }
  return { name, status: 'ok', detail: `${role.ok} (${where}, @${bot} ${member?.status})` }
}

// --- Internal helpers ---

/** Why the bot may not write in a group or channel it can read, with the fix; null when it may. */
function _cannotWrite(
  chat: ChatFullInfo,
  member: ChatMember,
  where: string,
  bot: string,
  role: ChatRole
): string | null {
  const gone = member.status === 'left' || member.status === 'kicked'
  if (gone || (member.status === 'restricted' && !member.is_member))
    return `@${bot} is not in ${where} (${gone ? member.status : 'restricted, not a member'}): add @${bot} to it again${chat.type === 'channel' ? ' as an administrator allowed to post messages' : ''}, or fix ${role.setting}`
  if (chat.type === 'channel') {
    if (member.status === 'creator') return null
    if (member.status === 'administrator' && member.can_post_messages) return null
    const as =
      member.status === 'administrator' ? 'an administrator without Post messages' : 'a subscriber'
    return `@${bot} may not post in ${where} (${as}): make @${bot} an administrator allowed to post messages (the channel → Administrators)`
  }
  if (member.status === 'restricted' && !member.can_send_messages)
    return `@${bot} may not write in ${where} (restricted, can_send_messages false): an administrator lets it send messages again (the group → Members → @${bot} → Permissions) or makes it an administrator`
  // Members without the right to send: only administrators (and the owner) write there.
  if (member.status === 'member' && chat.permissions?.can_send_messages === false)
    return `members may not send messages in ${where} and @${bot} is a plain member: make @${bot} an administrator, or let members send messages (the group → Permissions)`
  return null
}

function _refused(
  role: ChatRole,
  error: TelegramError,
  bot: string,
  host: string
): Pick<CheckResult, 'status' | 'detail'> {
  const { chatId, setting } = role
  const said = `${error.errorCode ?? ''} ${error.description}`.trim()
  if (error.kind === 'network')
    return {
      status: 'fail',
      detail: `no answer about chat ${chatId} (${error.description}): check that this machine reaches ${host}`,
    }
  const refusal = classifyTelegramRefusal(error)
  if (refusal.policy === 'migrated')
    return {
      status: 'warn',
      detail: `group ${chatId} became the supergroup ${refusal.chatId} (Telegram's answer: ${said}): messages and /plane follow it once the bridge learns of it, but set ${setting} to ${refusal.chatId}`,
    }
  const why = refusal.policy === 'hold-chat' ? refusal.why : null
  const detail =
    why === 'chat-not-found'
      ? `Telegram knows no chat ${chatId} (${said}): fix ${setting}. A person's id works once they opened @${bot} and pressed Start; a group's once @${bot} is in it (a supergroup's id starts with -100); write to the bot, then getUpdates shows message.chat.id`
      : why === 'blocked'
        ? `the human blocked @${bot} (${said}): they open the chat with @${bot} in Telegram and unblock it (Restart)`
        : why === 'kicked'
          ? `@${bot} is not in chat ${chatId} (${said}): add @${bot} to it again (a channel: as an administrator allowed to post messages), or fix ${setting}`
          : why === 'deactivated'
            ? `the account of chat ${chatId} was deleted (${said}): set ${setting} to another chat`
            : `Telegram refused ${error.method} for chat ${chatId} (${said}): check ${setting}, or run check again if Telegram is having trouble`
  return { status: 'fail', detail }
}

/**
 * A private chat's hold that says the human is gone. A flood wait is Telegram's clock, not the human; a chat not found
 * or a right to write are older news than the getChat that just answered.
 */
function _goneSince(hold: ChatHold | null): ChatHold | null {
  if (!hold) return null
  return hold.why === 'blocked' || hold.why === 'kicked' || hold.why === 'deactivated' ? hold : null
}
