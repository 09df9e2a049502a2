/**
 * @module A reply through the outbox (its rate limits and retries): split at 4096, one item per chunk, in order; its
 * buttons under the last chunk, in pages past PAGE_BUTTONS (reference §1.7b: ≤ 100 buttons, ~10 kB of markup).
 */
import type { Locale } from '../notify/i18n.ts'
import { type Outbox, telegramMessage } from '../notify/outbox.ts'
import type { Store } from '../store/store.ts'
import { KEYBOARD_MAX_BUTTONS } from '../telegram/limits.ts'
import { splitMessage } from '../telegram/split.ts'
import { firstPage } from './keyboard-pages.ts'
import type { InlineButton } from './render-parts.ts'

export type EnqueueReplyOptions = {
  chatId: string
  html: string
  buttons?: readonly (readonly InlineButton[])[]
  /** Forum topic to answer in. */
  threadId?: number | null
  /** Makes a replay harmless: chunk `i` is enqueued as `<dedupeKey>:<i>` at most once. */
  dedupeKey: string
  /** A person waits for this reply (a command): it goes ahead of what is queued for the chat. */
  first?: boolean
  /** Where a long keyboard's pages are kept, and the words of its turning buttons. Without: at most 100 buttons. */
  pages?: { store: Store; locale: Locale }
}

/** Returns how many chunks were enqueued (0 when this reply was already queued). */
export async function enqueueReply(
  outbox: Outbox,
  {
    chatId,
    html,
    buttons = [],
    threadId = null,
    dedupeKey,
    first = false,
    pages,
  }: EnqueueReplyOptions
): Promise<number> {
  const chunks = splitMessage(html)
  const rows = await _keyboard(chunks.at(-1) ?? '', buttons, dedupeKey, pages)
  let enqueued = 0
  for (const [i, text] of chunks.entries()) {
    // The buttons go under the last chunk, where the reading ends.
    const markup =
      i === chunks.length - 1 && rows.length > 0 ? { reply_markup: { inline_keyboard: rows } } : {}
    const item = telegramMessage(chatId, text, `${dedupeKey}:${i}`)
    const result = await outbox.enqueue({
      ...item,
      payload: {
        ...item.payload,
        ...(threadId === null ? {} : { message_thread_id: threadId }),
        ...markup,
      },
      ...(first ? { first: true } : {}),
    })
    if (result.enqueued) enqueued++
  }
  return enqueued
}

// --- Internal helpers ---

async function _keyboard(
  html: string,
  buttons: readonly (readonly InlineButton[])[],
  key: string,
  pages: EnqueueReplyOptions['pages']
): Promise<InlineButton[][]> {
  const all = buttons.flat()
  if (all.length === 0) return []
  const perRow = Math.max(1, ...buttons.map((row) => row.length))
  if (pages)
    return firstPage(pages.store, `pages:${key}`, { html, buttons: all, perRow }, pages.locale)
  // Nowhere to keep pages: the first 100 buttons, never a keyboard Telegram refuses.
  const kept = all.slice(0, KEYBOARD_MAX_BUTTONS)
  const rows: InlineButton[][] = []
  for (let i = 0; i < kept.length; i += perRow) rows.push(kept.slice(i, i + perRow))
  return rows
}
