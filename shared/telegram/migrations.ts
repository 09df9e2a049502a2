/**
 * @module Groups that became supergroups (reference §1.7b): Telegram answers the old id with `migrate_to_chat_id`;
 * every later message goes to the new id and updates come from it. Kept in the store, both ways.
 */
import type { Store } from '../store/store.ts'

export type ChatMigrations = {
  /** Where messages for `chatId` go now: the supergroup's id, or `chatId` itself. */
  current(chatId: string): Promise<string>
  /** The old id a supergroup's updates stand for (the allowed list names the old one), or null. */
  formerOf(chatId: string): Promise<string | null>
  /** Keep a migration; true the first time it is learned (the operator is told once). */
  record(fromChatId: string, toChatId: string): Promise<boolean>
}

/** A migration is for good; kept a year, renewed each time it is learned again. */
const MIGRATION_TTL_S = 365 * 24 * 60 * 60

const toKey = (from: string) => `telegram:migrated:to:${from}`
const fromKey = (to: string) => `telegram:migrated:from:${to}`

export function createChatMigrations(store: Store): ChatMigrations {
  return {
    async current(chatId) {
      // A chain (a group migrated twice) is followed a few steps, never in a loop.
      let id = chatId
      for (let step = 0; step < 3; step++) {
        const next = await store.get<string>(toKey(id))
        if (next === null || next === id) break
        id = next
      }
      return id
    },
    async formerOf(chatId) {
      return store.get<string>(fromKey(chatId))
    },
    async record(fromChatId, toChatId) {
      const known = (await store.get<string>(toKey(fromChatId))) === toChatId
      await store.set(toKey(fromChatId), toChatId, { ttlSeconds: MIGRATION_TTL_S })
      await store.set(fromKey(toChatId), fromChatId, { ttlSeconds: MIGRATION_TTL_S })
      return !known && (await store.claim(`telegram:migrated:told:${fromChatId}`, MIGRATION_TTL_S))
    },
  }
}
