/** The bot's messages in a chat as they are now (after edits), with their inline buttons: what a person sees. */
import type { Message, Update } from '@grammyjs/types'
import type { CallbackUpdateInit, TelegramSim } from '../telegram/index.ts'

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
    // The buttons a press sends back to the bot: a link button (a project's "Ouvrir") opens a page instead.
    buttons: (
      (
        m.reply_markup as
          | { inline_keyboard?: Array<Array<Partial<ChatCard['buttons'][number]>>> }
          | undefined
      )?.inline_keyboard ?? []
    )
      .flat()
      .filter((b): b is ChatCard['buttons'][number] => typeof b.callback_data === 'string'),
  }))
}

/**
 * The update a person's press of the button `label` on message `messageId` makes, as Telegram would send it (throws
 * when that message has no such button: the test then says what the chat shows).
 */
export function pressUpdate(
  telegram: Pick<TelegramSim, 'messagesIn' | 'makeCallbackUpdate'>,
  chatId: number,
  messageId: number,
  label: string,
  from?: CallbackUpdateInit['from']
): Update {
  const message = chatCards(telegram, chatId).find((c) => c.id === messageId)
  const button = message?.buttons.find((b) => b.text === label)
  if (!button) throw new Error(`no button ${label} on ${JSON.stringify(message ?? messageId)}`)
  return telegram.makeCallbackUpdate({
    data: button.callback_data,
    chatId,
    messageId,
    ...(from ? { from } : {}),
  })
}
