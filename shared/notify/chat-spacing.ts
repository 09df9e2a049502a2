/**
 * @module How long a target's next item waits (reference §1.7): about a message a second in a chat, 20 a minute in a
 * group; a reply a person waits for goes at once, as one of the "short bursts" Telegram allows, unless another
 * such message went within the interval (a reply's later parts are spaced as ever).
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
  const firstKey = (target: string) => `outbox:first:${target}`
  return {
    async waitFor(item, nowMs) {
      const wait =
        ((await store.get<number>(lastKey(item.target))) ?? 0) + perTargetIntervalMs - nowMs
      if (wait <= 0 || !item.first) return Math.max(0, wait)
      // A command's reply does not wait behind the alerts going out a second apart (the deploy bench's person
      // waited a second more during a poll), but what a person waits for goes a second apart: a burst stays short.
      const first = (await store.get<number>(firstKey(item.target))) ?? 0
      return first + perTargetIntervalMs <= nowMs
        ? 0
        : Math.min(wait, first + perTargetIntervalMs - nowMs)
    },
    async withinGroupRate(item, nowMs) {
      if (!_isGroup(item)) return true
      const minute = Math.floor(nowMs / 60_000)
      return (await store.increment(`outbox:group:${item.target}:${minute}`, 120)) <= groupPerMinute
    },
    async sent(item, nowMs) {
      if (item.first) await store.set(firstKey(item.target), nowMs, { ttlSeconds: SENT_TTL_S })
      await store.set(lastKey(item.target), nowMs, { ttlSeconds: SENT_TTL_S })
    },
  }
}

// --- Internal helpers ---

/** Telegram group and supergroup ids are negative; private chats are positive. */
function _isGroup(item: OutboxItem): boolean {
  return item.channel === 'telegram' && item.target.startsWith('-')
}
