import { describe, expect, it } from 'vitest'
import { errorMessage } from '../observe/errors.ts'
import { createLogger } from '../observe/log.ts'
import { createMemoryStore } from '../store/store.ts'
import { TelegramError } from '../telegram/errors.ts'
import { classifyTelegramRefusal } from '../telegram/refusals.ts'
import { createChatHolds } from './chat-holds.ts'
import { createHeldChats } from './held-chats.ts'
import { createOutbox, type OutboxItem, telegramMessage } from './outbox.ts'
import { createOutboxSender } from './sender.ts'

const CHAT = '-1001234567890'

function setup() {
  // 500 ms before a multiple of ten minutes: a notice's window must not follow the clock's ten-minute marks.
  let clock = Date.parse('2026-11-26T09:59:59.500Z')
  const store = createMemoryStore({ now: () => clock })
  const holds = createChatHolds(store, () => clock)
  const care = createHeldChats({
    outbox: createOutbox(store, () => clock),
    store,
    holds,
    locale: 'fr',
    log: createLogger({ level: 'error' }),
    now: () => clock,
  })
  return { store, holds, care, tick: (ms: number) => (clock += ms) }
}

describe('a chat back (issue 44)', () => {
  it("should not end a flood wait when the chat writes to the bot: only Telegram's retry_after does", async () => {
    const t = setup()
    const wait = await t.holds.wait(CHAT, 2_000, '429 Too Many Requests: retry after 2')
    // The human sends /plane help during the wait: the wait stands.
    expect(await t.care.back(CHAT)).toBeNull()
    expect(await t.holds.get(CHAT)).toEqual(wait)
    // Once it is over, the next word from the chat clears it.
    t.tick(2_000)
    expect(await t.care.back(CHAT)).toEqual(wait)
    expect(await t.holds.get(CHAT)).toBeNull()
  })

  it('should not count a live message among the messages that waited, nor sum it up', async () => {
    const t = setup()
    const outbox = createOutbox(t.store, () => 0)
    for (let i = 0; i < 12; i++) await outbox.enqueue(telegramMessage(CHAT, `Message ${i}`))
    await outbox.enqueue({
      channel: 'telegram',
      target: CHAT,
      payload: { chat_id: CHAT, live: 'task:t1', gen: 0 },
      meta: { kind: 'live' },
      notBefore: 1,
    })
    const hold = await t.holds.hold(CHAT, 'blocked', 'Forbidden: bot was blocked by the user')
    if (!hold) throw new Error('the chat was not held')
    await t.care.resumed(CHAT, hold)
    const pending = await outbox.pending('telegram')
    const notice = pending.find((i) => i.meta?.kind === 'back')
    // Twelve waited: summed up (past ten), the live message left to be edited to what is true now.
    expect(String((notice?.payload as { text?: string } | undefined)?.text)).toContain('12')
    expect(pending.filter((i) => i.meta?.kind === 'live')).toHaveLength(1)
  })

  it('should end the hold of a chat that blocked the bot when it writes again', async () => {
    const t = setup()
    const hold = await t.holds.hold(CHAT, 'blocked', 'Forbidden: bot was blocked by the user')
    expect(await t.care.back(CHAT)).toEqual(hold)
    expect(await t.holds.get(CHAT)).toBeNull()
  })
})

describe('messages given up (issue 44)', () => {
  const given = (n: number) =>
    ({ channel: 'telegram', target: CHAT, dedupeKey: `message:${n}` }) as OutboxItem

  it('should tell a chat once for messages given up within ten minutes, across a ten-minute mark, then again', async () => {
    const t = setup()
    const notices = async () =>
      (await createOutbox(t.store, () => 0).pending('telegram')).filter((i) =>
        String((i.payload as { text?: string }).text).startsWith('⚠️ Telegram a refusé un message')
      )
    await t.care.gaveUp(given(1), 'Bad Request: message is too long')
    t.tick(1_000)
    await t.care.gaveUp(given(2), 'Bad Request: message is too long')
    expect(await notices()).toHaveLength(1)
    t.tick(10 * 60_000)
    await t.care.gaveUp(given(3), 'Bad Request: message is too long')
    expect(await notices()).toHaveLength(2)
  })
})

/** A chat held, the sender and what the human hears of it, on one clock; Telegram refuses the chat until told. */
function heldWorld() {
  let clock = Date.parse('2026-11-26T09:00:00.000Z')
  const now = () => clock
  const store = createMemoryStore({ now })
  const outbox = createOutbox(store, now)
  const holds = createChatHolds(store, now)
  const log = createLogger({ level: 'error' })
  const care = createHeldChats({ outbox, store, holds, locale: 'fr', log, now })
  const telegram = {
    refusing: true,
    sent: [] as Array<{ at: number; target: string; text: string }>,
  }
  let afterSend: ((target: string) => Promise<void>) | null = null
  const sender = createOutboxSender({
    outbox,
    channel: 'telegram',
    store,
    log,
    now,
    sleep: async (ms) => {
      clock += ms
    },
    holds,
    onChatBack: (target, hold, went) => care.resumed(target, hold, went),
    deliver: async (item) => {
      if (telegram.refusing && item.target === CHAT)
        throw new TelegramError({
          kind: 'api',
          method: 'sendMessage',
          errorCode: 403,
          description: 'Forbidden: bot was kicked from the supergroup chat',
        })
      telegram.sent.push({ at: clock, target: item.target, text: String(item.payload.text) })
      await afterSend?.(item.target)
    },
    classify: (_item, error) => {
      const refusal = classifyTelegramRefusal(error)
      return refusal.policy === 'hold-chat'
        ? { retry: true, chat: { hold: refusal.why, description: errorMessage(error) } }
        : { retry: false }
    },
  })
  const send = (text: string, chat = CHAT) =>
    outbox.enqueue(telegramMessage(chat, text, `message:${chat}:${text}`))
  return {
    outbox,
    holds,
    care,
    sender,
    telegram,
    send,
    texts: (chat = CHAT) => telegram.sent.filter((s) => s.target === chat).map((s) => s.text),
    now,
    tick: (ms: number) => (clock += ms),
    onSend(hook: (target: string) => Promise<void>) {
      afterSend = hook
    },
  }
}

describe('a chat back after a return that was not one', () => {
  it('should send what waited, counted once, when the chat is back after refusing the notice of a first return', async () => {
    const w = heldWorld()
    await w.send('deux')
    await w.send('trois')
    await w.sender.drain()
    expect(await w.holds.get(CHAT)).toMatchObject({ why: 'kicked' })
    // A member writes while the bot still cannot: the hold ends, the notice is refused, the chat held again.
    w.tick(5_000)
    await w.care.back(CHAT)
    w.tick(20)
    await w.sender.drain()
    expect(await w.holds.get(CHAT)).toMatchObject({ why: 'kicked' })
    await w.send('quatre')
    w.tick(60_000)
    await w.sender.drain()
    // Back for good.
    w.tick(5_000)
    w.telegram.refusing = false
    const backAt = w.now()
    await w.care.back(CHAT)
    await w.sender.drain()
    expect(w.texts()).toEqual([
      '📬 3 messages attendaient pendant votre absence : les voici.',
      'deux',
      'trois',
      'quatre',
    ])
    expect(Math.max(...w.telegram.sent.map((s) => s.at)) - backAt).toBeLessThan(30_000)
    expect(await w.outbox.pending()).toEqual([])
  })

  it('should count in the summary what the refused summary of a first return stood for', async () => {
    const w = heldWorld()
    for (let i = 1; i <= 12; i++) await w.send(`notification ${i}`)
    await w.outbox.enqueue({
      ...telegramMessage(CHAT, '🛂 Approbation demandée', 'card:1'),
      meta: { kind: 'card', cardId: 'c1' },
    })
    await w.sender.drain()
    w.tick(5_000)
    await w.care.back(CHAT)
    w.tick(20)
    await w.sender.drain()
    await w.send('après')
    w.tick(5_000)
    w.telegram.refusing = false
    await w.care.back(CHAT)
    await w.sender.drain()
    // The twelve the first summary stood for left the lane with it: the second one counts them.
    expect(w.texts()).toEqual([
      '📬 14 messages pendant votre absence. Voici celui qui attend votre action ; le reste est dans Plane, et /plane status fait le point.'.replace(
        '/plane status',
        '<code>/plane status</code>'
      ),
      '🛂 Approbation demandée',
    ])
    expect(await w.outbox.pending()).toEqual([])
  })

  it('should send what waited for a chat back while a drain runs in its next round, not after the drain', async () => {
    const w = heldWorld()
    await w.send('deux')
    await w.sender.drain()
    for (let i = 1; i <= 10; i++) await w.send(`ailleurs ${i}`, '42')
    // The chat comes back while the drain sends another chat's backlog, a message a second.
    let backAt = 0
    w.onSend(async (target) => {
      if (target !== '42' || backAt !== 0) return
      w.telegram.refusing = false
      backAt = w.now()
      await w.care.back(CHAT)
    })
    await w.sender.drain()
    expect(w.texts()).toEqual(['📬 1 message attendait pendant votre absence : le voici.', 'deux'])
    const back = w.telegram.sent.filter((s) => s.target === CHAT).map((s) => s.at)
    expect(Math.max(...back) - backAt).toBeLessThanOrEqual(3_000)
    expect(w.texts('42')).toHaveLength(10)
  })
})
