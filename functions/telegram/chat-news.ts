/**
 * @module What an update says of the chat itself (reference §1.7b): the bot blocked, back, or the group moved to a
 * supergroup. The outbox holds a chat that refuses the bot; any update from it ends the hold and what waited goes.
 */
import type { Parts } from '../../shared/core/parts.ts'
import { isChatAllowed } from '../../shared/telegram/update.ts'

export type ChatNewsParts = Pick<Parts, 'holds' | 'migrations' | 'heldChats'>

/**
 * Whether a chat may use the bot: listed by id or `@username`, or a supergroup that a listed group became (its
 * updates come from the new id; the operator may not have changed the settings yet).
 */
export async function isChatAllowedNow(
  parts: ChatNewsParts,
  chat: { chatId: string; chatUsername: string | null },
  allowed: readonly string[]
): Promise<boolean> {
  if (isChatAllowed(chat, allowed)) return true
  const former = await parts.migrations.formerOf(chat.chatId)
  return former !== null && allowed.includes(former)
}

/** A group became a supergroup: kept (messages go to the new id), the operator told once. */
export async function noteMigration(
  parts: ChatNewsParts,
  fromChatId: string,
  toChatId: string
): Promise<void> {
  if (await parts.migrations.record(fromChatId, toChatId))
    await parts.heldChats.migrated(fromChatId, toChatId)
}

/**
 * The chat wrote to the bot, or its membership changed. Present: a hold on it (or on the group it was) ends and
 * what waited goes. Gone (`my_chat_member` kicked or left): held at once, before a message is refused.
 */
export async function noteChatPresence(
  parts: ChatNewsParts,
  chatId: string,
  present: boolean
): Promise<void> {
  if (!present) {
    await parts.holds.hold(chatId, 'blocked', 'the bot was blocked or removed (my_chat_member)')
    return
  }
  await parts.heldChats.back(chatId)
  const former = await parts.migrations.formerOf(chatId)
  if (former !== null) await parts.heldChats.back(former)
}
