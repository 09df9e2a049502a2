/**
 * @module Chats the outbox holds (reference §1.7b): a flood wait holds the whole chat for `retry_after`; a chat the
 * bot cannot write to (blocked, kicked, not found, no right to write) holds everything for it, none of it dead, until
 * the chat is back (its next update, or an hourly try that goes through). The hold alone keeps the chat's items back:
 * ending it is all a return takes.
 */
import type { Store } from '../store/store.ts'
import type { HoldWhy } from '../telegram/refusals.ts'

export type ChatHold = {
  why: HoldWhy | 'flood'
  /** When the hold began (a flood wait: when Telegram said so; a blocked chat: the first refusal). */
  since: number
  /** Not tried again before this instant. */
  until: number
  /** Telegram's words, for /ready and the logs. */
  description: string
}

export type ChatHolds = {
  get(chatId: string): Promise<ChatHold | null>
  /** 429: nothing goes to the chat for `afterMs`. */
  wait(chatId: string, afterMs: number, description: string): Promise<ChatHold>
  /**
   * The chat refuses the bot: held, tried again hourly; `since` kept from the first refusal. With `triedAt` (when the
   * refused message was sent), a chat that wrote to the bot since is not held (null): the refusal is older than its
   * return, and a hold written now would keep a chat that is there waiting an hour.
   */
  hold(
    chatId: string,
    why: HoldWhy,
    description: string,
    triedAt?: number
  ): Promise<ChatHold | null>
  /**
   * The chat wrote to the bot: marked present, and its hold ends, unless it is a flood wait still running (Telegram's
   * clock, not the human's absence: only time ends it). Returns the hold that ended.
   */
  present(chatId: string): Promise<ChatHold | null>
  /** The chat took a message: what waited goes. Returns the hold there was. */
  release(chatId: string): Promise<ChatHold | null>
}

/** A held chat is tried again this often: an unblock Telegram never tells us of still ends the hold. */
export const HELD_CHAT_RETRY_MS = 60 * 60 * 1000
/** A hold is kept this long without news; the messages wait in the outbox meanwhile. */
const HOLD_TTL_S = 30 * 24 * 60 * 60
/** When the chat last wrote is kept longer than any send is in flight (the client's 30 s, a few calls a message). */
const PRESENT_TTL_S = 10 * 60

const holdKey = (chatId: string) => `outbox:hold:${chatId}`
const presentKey = (chatId: string) => `outbox:present:${chatId}`

export function createChatHolds(store: Store, now: () => number = Date.now): ChatHolds {
  const holds: ChatHolds = {
    get: (chatId) => store.get<ChatHold>(holdKey(chatId)),
    async wait(chatId, afterMs, description) {
      const hold: ChatHold = { why: 'flood', since: now(), until: now() + afterMs, description }
      await store.set(holdKey(chatId), hold, { ttlSeconds: Math.ceil(afterMs / 1000) + 60 })
      return hold
    },
    async hold(chatId, why, description, triedAt) {
      const before = await holds.get(chatId)
      const since = before && before.why !== 'flood' ? before.since : now()
      const hold: ChatHold = { why, since, until: now() + HELD_CHAT_RETRY_MS, description }
      await store.set(holdKey(chatId), hold, { ttlSeconds: HOLD_TTL_S })
      if (triedAt === undefined) return hold
      // Read after the write, as `present` writes its mark before it reads the hold: a return marked before this
      // read is seen here, one marked after it finds this hold and ends it. Either way the chat is not kept waiting.
      const presentAt = await store.get<number>(presentKey(chatId))
      if (presentAt === null || presentAt < triedAt) return hold
      await store.delete(holdKey(chatId))
      return null
    },
    async present(chatId) {
      await store.set(presentKey(chatId), now(), { ttlSeconds: PRESENT_TTL_S })
      const current = await holds.get(chatId)
      if (!current || (current.why === 'flood' && current.until > now())) return null
      await store.delete(holdKey(chatId))
      return current
    },
    async release(chatId) {
      const before = await holds.get(chatId)
      if (before) await store.delete(holdKey(chatId))
      return before
    },
  }
  return holds
}
