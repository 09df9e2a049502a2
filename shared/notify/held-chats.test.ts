import { describe, expect, it } from 'vitest'
import { createLogger } from '../observe/log.ts'
import { createMemoryStore } from '../store/store.ts'
import { createChatHolds } from './chat-holds.ts'
import { createHeldChats } from './held-chats.ts'
import { createOutbox, type OutboxItem } from './outbox.ts'

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
