import { describe, expect, it } from 'vitest'
import { createOutbox } from '../notify/outbox.ts'
import { createMemoryStore } from '../store/store.ts'
import { enqueueReply } from './send-reply.ts'

const buttons = [[{ text: '📁 Onboarding', callback_data: 's' }]]

describe('enqueueReply', () => {
  it('should queue one HTML item per chunk, in order, buttons under the last one', async () => {
    const outbox = createOutbox(createMemoryStore())
    const html = Array.from(
      { length: 120 },
      (_, i) => `• <b>ligne ${i}</b> ${'x'.repeat(50)}`
    ).join('\n')
    const count = await enqueueReply(outbox, { chatId: '-100', html, buttons, dedupeKey: 'r:1' })
    const items = await outbox.pending()
    expect(count).toBe(items.length)
    expect(items.length).toBeGreaterThanOrEqual(2)
    expect(items.map((i) => i.dedupeKey)).toEqual(items.map((_, n) => `r:1:${n}`))
    expect(String(items[0]?.payload.text)).toMatch(/^• <b>ligne 0<\/b>/)
    expect(items[0]?.payload).toMatchObject({
      chat_id: '-100',
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    })
    expect(items[0]?.payload.reply_markup).toBeUndefined()
    expect(items.at(-1)?.payload.reply_markup).toEqual({ inline_keyboard: buttons })
    for (const item of items) expect(String(item.payload.text).length).toBeLessThanOrEqual(4096)
  })

  it('should queue nothing the second time for the same key, and answer in a forum topic', async () => {
    const outbox = createOutbox(createMemoryStore())
    const reply = { chatId: '42', html: 'ok', dedupeKey: 'r:2', threadId: 7 }
    expect(await enqueueReply(outbox, reply)).toBe(1)
    expect(await enqueueReply(outbox, reply)).toBe(0)
    const [item] = await outbox.pending()
    expect(item?.payload).toMatchObject({ message_thread_id: 7, text: 'ok' })
    expect(item?.payload.reply_markup).toBeUndefined()
  })
})
