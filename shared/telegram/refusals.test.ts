import { describe, expect, it } from 'vitest'
import { createTelegramApiError } from './errors.ts'
import { classifyTelegramRefusal } from './refusals.ts'

const refused = (status: number, description: string) =>
  classifyTelegramRefusal(
    createTelegramApiError(
      'sendMessage',
      status,
      { ok: false, error_code: status, description },
      (text) => text
    )
  )

describe('classifyTelegramRefusal: a chat the bot may not write in', () => {
  it.each([
    [400, 'Bad Request: not enough rights to send text messages to the chat'],
    [400, 'Bad Request: have no rights to send a message'],
    // A channel where the bot is a member, not an administrator allowed to post (tdlib/telegram-bot-api).
    [400, 'Bad Request: need administrator rights in the channel chat'],
    [403, 'Forbidden: CHAT_WRITE_FORBIDDEN'],
  ])(
    'should hold the chat (no right to write) on %i "%s", not give up on the message',
    (status, said) => {
      expect(refused(status, said)).toEqual({ policy: 'hold-chat', why: 'no-rights' })
    }
  )
})

describe('classifyTelegramRefusal: a keyboard Telegram will not take', () => {
  it.each([
    'Bad Request: BUTTON_DATA_INVALID',
    // A url button to a host without a dot (http://localhost:8080, http://plane): rubenlagus/TelegramBots#302.
    'Bad Request: BUTTON_URL_INVALID',
    "Bad Request: inline keyboard button URL 'happ://x' is invalid: Unsupported URL protocol",
  ])('should send the message again as plain text, without its keyboard, on "%s"', (said) => {
    expect(refused(400, said)).toEqual({ policy: 'plain', why: 'markup' })
  })
})
