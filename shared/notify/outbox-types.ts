/** @module The outbox's words: its lanes, an item as stored, what enqueuing takes, and what the outbox does. */
import type { OutboxMessage } from './outbox-message.ts'

export type OutboxChannel = 'telegram' | 'openclaw'

export type OutboxItem = {
  /** Sortable by creation (time, then a sequence): the sender keeps this order per target. */
  id: string
  channel: OutboxChannel
  /** Telegram chat id or OpenClaw agent id: the unit of ordering and rate limiting. */
  target: string
  /** As stored (by this version or an older one): delivery reads it back with `readOutboxMessage`. */
  payload: Record<string, unknown>
  /** Makes enqueue idempotent (a wake-up once per task, agent and assignment) and keys OpenClaw retries. */
  dedupeKey: string | null
  /** How long its dedupe key holds, when not DEDUPE_TTL_S (a live message's keys outlive its item only). */
  dedupeTtlS?: number
  attempts: number
  /** Not sent before this instant (ms): Retry-After / retry_after, or backoff. */
  notBefore: number
  createdAt: number
  lastError: string | null
  /** What the sender reports back on delivery (never sent): a wake's task, agent and attempt. */
  meta?: Record<string, unknown>
  /**
   * Sent after the target's other items (a deploy's backlog of wakes, found by reading, not by a change): what a
   * person or a change asks for now does not wait behind a hundred of them, one a second.
   */
  bulk?: true
  /**
   * Sent before the target's other items: a reply a person is waiting for (a /plane command) does not queue behind
   * the alerts and grouped messages already waiting for the same chat, one a second.
   */
  first?: true
  /** Made to go at `notBefore` (an agent's grouped message, at the end of its window): placed in its lane there. */
  scheduled?: true
}

/** A message to store, with how it is deduplicated and when it goes. */
export type EnqueueInput = OutboxMessage & EnqueueOptions

export type EnqueueOptions = {
  dedupeKey?: string
  /** How long the dedupe key holds (default DEDUPE_TTL_S). */
  dedupeTtlS?: number
  bulk?: boolean
  /** A person waits for it: ahead of what is already queued for the target. */
  first?: boolean
  /** Not sent before this instant (ms), and placed in the lane at it: what enqueues after it goes after it. */
  notBefore?: number
}

export type Outbox = {
  /**
   * Store an item; with a dedupeKey already used within DEDUPE_TTL_S, nothing is kept (`enqueued: false`).
   * The item is written before its dedupe claim (a crash in between can repeat a message, never lose one),
   * and the claim names the item, so the sender can tell the one owner from a concurrent twin.
   */
  enqueue(input: EnqueueInput): Promise<{ id: string; enqueued: boolean }>
  /**
   * Pending items of one lane (or both) in the order they go: oldest first, bulk items after all the others (at
   * most `limit` per lane, default 1,000, read in that order too).
   */
  pending(
    channel?: OutboxChannel,
    options?: {
      limit?: number
      /** Items already read and not written since (a drain, under its lane's lock): not read again. */
      known?: Map<string, OutboxItem>
    }
  ): Promise<OutboxItem[]>
  update(item: OutboxItem): Promise<void>
  /** The item was delivered: forget it (and any dead copy a crash in the middle of `bury` left). */
  ack(item: OutboxItem): Promise<void>
  /** Give up on an item: it moves to the dead letters that /ready and /metrics show. */
  bury(item: OutboxItem, reason: string): Promise<void>
  deadLetters(): Promise<OutboxItem[]>
  /** Send a dead letter again: back to pending with its attempts reset (null when there is no such item). */
  revive(id: string): Promise<OutboxItem | null>
  depth(): Promise<{ pending: number; dead: number }>
  /**
   * Whether this item may go out: true unless its dedupe claim names another item (a twin enqueued
   * concurrently, or after a crash). Claims the key for the item when nobody holds it.
   */
  owns(item: OutboxItem): Promise<boolean>
}
