/** Assertions on Telegram HTML shared by the reply and digest tests. */
import { expect } from 'vitest'
import { parseTelegramHtml } from '../../sim/telegram/index.ts'

/** A task reference as the replies link it (fixtures use https://work.example.com and workspace javisi). */
export const taskLink = (ref: string) =>
  `<a href="https://work.example.com/javisi/browse/${ref}/">${ref}</a>`

/** Telegram must accept every reply as HTML (tdlib's parser, stricter on bare `&` and `>`). */
export function expectValidHtml(html: string) {
  const parsed = parseTelegramHtml(html)
  expect(parsed.ok ? 'ok' : parsed.error).toBe('ok')
}
