import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../store/store.ts'
import { createChatHolds, HELD_CHAT_RETRY_MS } from './chat-holds.ts'

const CHAT = '-1001234567890'
const KICKED = 'Forbidden: bot was kicked from the supergroup chat'

function setup() {
  let clock = Date.parse('2026-11-26T09:00:00.000Z')
  const store = createMemoryStore({ now: () => clock })
  return { store, holds: createChatHolds(store, () => clock), tick: (ms: number) => (clock += ms) }
}

describe('chat holds', () => {
  it('should hold a chat that refuses the bot for an hour, keeping when the refusals began', async () => {
    const t = setup()
    const first = await t.holds.hold(CHAT, 'kicked', KICKED)
    t.tick(5_000)
    const again = await t.holds.hold(CHAT, 'kicked', KICKED)
    expect(again).toMatchObject({ since: first?.since, until: (first?.until ?? 0) + 5_000 })
    expect(again?.until).toBe((first?.since ?? 0) + 5_000 + HELD_CHAT_RETRY_MS)
  })

  it('should end the hold when the chat writes, but not a flood wait still running', async () => {
    const t = setup()
    const hold = await t.holds.hold(CHAT, 'no-rights', 'Bad Request: not enough rights')
    expect(await t.holds.present(CHAT)).toEqual(hold)
    expect(await t.holds.get(CHAT)).toBeNull()
    const wait = await t.holds.wait(CHAT, 2_000, 'Too Many Requests: retry after 2')
    expect(await t.holds.present(CHAT)).toBeNull()
    expect(await t.holds.get(CHAT)).toEqual(wait)
  })

  it('should not hold a chat for a refusal of a message sent before the chat wrote', async () => {
    const t = setup()
    // A message goes out; the chat writes while Telegram's refusal of it is on its way back.
    const triedAt = t.tick(0)
    t.tick(40)
    expect(await t.holds.present(CHAT)).toBeNull()
    t.tick(40)
    expect(await t.holds.hold(CHAT, 'kicked', KICKED, triedAt)).toBeNull()
    expect(await t.holds.get(CHAT)).toBeNull()
    // A message sent after the chat wrote and refused: the chat refuses the bot still.
    t.tick(1_000)
    const later = await t.holds.hold(CHAT, 'kicked', KICKED, t.tick(0) - 10)
    expect(later).toMatchObject({ why: 'kicked' })
    expect(await t.holds.get(CHAT)).toEqual(later)
  })
})
