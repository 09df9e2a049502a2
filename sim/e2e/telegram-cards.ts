/** The bot's messages in a chat as they are now (after edits), with their inline buttons: what a person sees. */
import type { Message } from '@grammyjs/types'

export type ChatCard = {
  id: number
  text: string
  buttons: Array<{ text: string; callback_data: string }>
}

export function chatCards(
  telegram: { messagesIn(chatId: number): Message.TextMessage[] },
  chatId: number
): ChatCard[] {
  return telegram.messagesIn(chatId).map((m) => ({
    id: m.message_id,
    text: m.text,
    buttons: (
      (m.reply_markup as { inline_keyboard?: ChatCard['buttons'][] } | undefined)
        ?.inline_keyboard ?? []
    ).flat(),
  }))
}
