import { describe, expect, it } from 'vitest'
import { createLogger } from '../observe/log.ts'
import { createMemoryStore } from '../store/store.ts'
import { createChatHolds } from './chat-holds.ts'
import { createHeldChats } from './held-chats.ts'
import { createOutbox } from './outbox.ts'

const CHAT = '-1001234567890'

function setup() {
  let clock = Date.parse('2026-11-26T10:00:00Z')
  const store = createMemoryStore()
  const holds = createChatHolds(store, () => clock)
  const care = createHeldChats({
    outbox: createOutbox(store, () => clock),
    holds,
    locale: 'fr',
    log: createLogger({ level: 'error' }),
    now: () => clock,
  })
  return { holds, care, tick: (ms: number) => (clock += ms) }
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
