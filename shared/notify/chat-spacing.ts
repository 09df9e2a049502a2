/**
 * @module How long a target's next item waits (reference §1.7): about a message a second in a chat, 20 a minute in a
 * group; a reply a person waits for goes at once, as one of the "short bursts" Telegram allows, at most one such
 * early message per interval (so never more than two in it).
 */
import type { Store } from '../store/store.ts'
import type { OutboxItem } from './outbox.ts'

export type ChatSpacingOptions = {
  store: Store
  /** Telegram FAQ: "avoid sending more than one message per second" in a chat. */
  perTargetIntervalMs: number
  /** Telegram FAQ: "not … more than 20 messages per minute to the same group". */
  groupPerMinute: number
}

export type ChatSpacing = {
  /** How long the item waits for its target's spacing (0: it may go now). */
  waitFor(item: OutboxItem, nowMs: number): Promise<number>
  /** Whether the group may take one more message this minute (counts it); always true for a private chat. */
  withinGroupRate(item: OutboxItem, nowMs: number): Promise<boolean>
  /** The item went out at `nowMs`: the target's next waits from here. */
  sent(item: OutboxItem, nowMs: number): Promise<void>
}

/** How long what was sent to a target is remembered: far longer than any spacing. */
const SENT_TTL_S = 60

export function createChatSpacing({
  store,
  perTargetIntervalMs,
  groupPerMinute,
}: ChatSpacingOptions): ChatSpacing {
  const lastKey = (target: string) => `outbox:last:${target}`
  const earlyKey = (target: string) => `outbox:early:${target}`
  return {
    async waitFor(item, nowMs) {
      const wait =
        ((await store.get<number>(lastKey(item.target))) ?? 0) + perTargetIntervalMs - nowMs
      if (wait <= 0 || !item.first) return Math.max(0, wait)
      // A command's reply does not wait behind the alerts going out a second apart (the deploy bench's person
      // waited a second more during a poll), but two early messages are a second apart: a burst stays short.
      const early = (await store.get<number>(earlyKey(item.target))) ?? 0
      return early + perTargetIntervalMs <= nowMs
        ? 0
        : Math.min(wait, early + perTargetIntervalMs - nowMs)
    },
    async withinGroupRate(item, nowMs) {
      if (!_isGroup(item)) return true
      const minute = Math.floor(nowMs / 60_000)
      return (await store.increment(`outbox:group:${item.target}:${minute}`, 120)) <= groupPerMinute
    },
    async sent(item, nowMs) {
      const last = (await store.get<number>(lastKey(item.target))) ?? 0
      if (item.first && last + perTargetIntervalMs > nowMs)
        await store.set(earlyKey(item.target), nowMs, { ttlSeconds: SENT_TTL_S })
      await store.set(lastKey(item.target), nowMs, { ttlSeconds: SENT_TTL_S })
    },
  }
}

// --- Internal helpers ---

/** Telegram group and supergroup ids are negative; private chats are positive. */
function _isGroup(item: OutboxItem): boolean {
  return item.channel === 'telegram' && item.target.startsWith('-')
}
