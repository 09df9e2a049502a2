/** @module A reply through the outbox (its rate limits and retries): split at 4096, one item per chunk, in order. */
import { type Outbox, telegramMessage } from '../notify/outbox.ts'
import { splitMessage } from '../telegram/split.ts'
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
}

/** Returns how many chunks were enqueued (0 when this reply was already queued). */
export async function enqueueReply(
  outbox: Outbox,
  { chatId, html, buttons = [], threadId = null, dedupeKey, first = false }: EnqueueReplyOptions
): Promise<number> {
  const chunks = splitMessage(html)
  let enqueued = 0
  for (const [i, text] of chunks.entries()) {
    // The buttons go under the last chunk, where the reading ends.
    const markup =
      i === chunks.length - 1 && buttons.length > 0
        ? { reply_markup: { inline_keyboard: buttons.map((row) => [...row]) } }
        : {}
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
