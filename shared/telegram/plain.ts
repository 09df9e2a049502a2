/**
 * @module A message Telegram refused, as plain text (reference §1.7b: "the same text sent with no `parse_mode` …
 * is always accepted"): tags gone, entities decoded, lone surrogates replaced, within 4096 units. Pure.
 */
import { capText, toWellFormed } from '../text/cap.ts'
import { htmlToText } from '../text/html-text.ts'
import type { PlainWhy } from './refusals.ts'
import { TELEGRAM_MESSAGE_LIMIT } from './split.ts'

type Markup = { inline_keyboard?: Array<Array<Record<string, unknown>>> } & Record<string, unknown>
type Sendable = { text: string; parse_mode?: string; entities?: unknown; reply_markup?: unknown }

/** Shown when nothing visible is left: Telegram refuses an empty text. */
const EMPTY_TEXT = '…'

/**
 * The same message as plain text. Its keyboard stays (a card keeps its buttons), its texts made well-formed, unless
 * the keyboard itself was refused (`markup`): then the message goes without it.
 * @example plainFallback({ chat_id, text: '<b>a</b> &amp; b', parse_mode: 'HTML' }, 'entities') // text 'a & b'
 */
export function plainFallback<P extends Sendable>(payload: P, why: PlainWhy): P {
  const { parse_mode: mode, entities: _entities, reply_markup: markup, ...rest } = payload
  const read = mode === 'HTML' ? htmlToText(payload.text) : payload.text
  const text = capText(toWellFormed(read).trim(), TELEGRAM_MESSAGE_LIMIT) || EMPTY_TEXT
  const keyboard = why === 'markup' ? undefined : _wellFormedMarkup(markup)
  return { ...rest, text, ...(keyboard ? { reply_markup: keyboard } : {}) } as P
}

// --- Internal helpers ---

function _wellFormedMarkup(markup: unknown): Markup | undefined {
  if (typeof markup !== 'object' || markup === null) return undefined
  const { inline_keyboard: rows, ...rest } = markup as Markup
  if (!Array.isArray(rows)) return markup as Markup
  return {
    ...rest,
    inline_keyboard: rows.map((row) =>
      row.map((button) =>
        typeof button.text === 'string'
          ? { ...button, text: toWellFormed(button.text) || EMPTY_TEXT }
          : button
      )
    ),
  }
}
