/** @module The durable outbox: every message to Telegram and every agent wake-up is stored before it is sent. */
import { sha256Hex } from '../hash.ts'
import { createStoreQueue, type StoreQueue } from '../store/queue.ts'
import type { Store } from '../store/store.ts'
import type { OutboxMessage, TelegramMessage } from './outbox-message.ts'

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

export const OUTBOX_CHANNELS: readonly OutboxChannel[] = ['telegram', 'openclaw']
const ITEM_PREFIX = 'outbox:item:'
const DEAD_PREFIX = 'outbox:dead:'
const DEDUPE_PREFIX = 'outbox:dedupe:'
const DEAD_INDEX = 'index:outbox:dead'
/** Dedupe keys live long enough to outlast every redelivery and poll of the same change. */
export const DEDUPE_TTL_S = 30 * 24 * 60 * 60
/**
 * A bulk item's place in its lane's index: a day after its creation, so a drain's read (the first 1,000 items)
 * reaches what a change asks for now before a deploy's backlog, however long (the agents bench: an approval's wake
 * waited 9 s behind 1,000 older backlog wakes). An index entry left without its item goes after the day's grace.
 */
const BULK_SCORE_OFFSET_MS = 24 * 60 * 60 * 1000
const scoreOf = (
  item: Pick<OutboxItem, 'createdAt' | 'bulk' | 'first' | 'scheduled' | 'notBefore'>
) =>
  item.first
    ? item.createdAt - BULK_SCORE_OFFSET_MS
    : item.bulk
      ? item.createdAt + BULK_SCORE_OFFSET_MS
      : item.scheduled
        ? Math.max(item.createdAt, item.notBefore)
        : item.createdAt
const ID_TIME_CHARS = 10
/** Dead letters are kept for inspection, then expire. */
const DEAD_TTL_S = 14 * 24 * 60 * 60

/** An item's id starts with its creation time (ms, base 36, 10 characters): its age whatever its place in the lane. */
export function outboxItemBornAt(id: string, score: number): number {
  if (id.charAt(ID_TIME_CHARS) !== '-') return score
  const at = Number.parseInt(id.slice(0, ID_TIME_CHARS), 36)
  return Number.isSafeInteger(at) &&
    at.toString(36).padStart(ID_TIME_CHARS, '0') === id.slice(0, ID_TIME_CHARS)
    ? at
    : score
}

export function createOutbox(
  store: Store,
  now: () => number = Date.now,
  /** Told after an item is stored (the bridge starts that lane's drain); `first`: a person waits for it. */
  onEnqueue?: (channel: OutboxChannel, first: boolean) => void
): Outbox {
  let sequence = 0
  const nextId = () => {
    sequence = (sequence + 1) % 1_000_000
    const time = now().toString(36).padStart(ID_TIME_CHARS, '0')
    return `${time}-${sequence.toString(36).padStart(4, '0')}-${crypto.randomUUID().slice(0, 8)}`
  }
  // One due-time index per channel: wake-ups never wait behind a slow Telegram chat.
  const lanes = Object.fromEntries(
    OUTBOX_CHANNELS.map((channel) => [
      channel,
      createStoreQueue<OutboxItem>({
        store,
        index: `index:outbox:${channel}`,
        itemPrefix: ITEM_PREFIX,
        bornAt: outboxItemBornAt,
        now,
      }),
    ])
  ) as Record<OutboxChannel, StoreQueue<OutboxItem>>
  const dead = createStoreQueue<OutboxItem>({
    store,
    index: DEAD_INDEX,
    itemPrefix: DEAD_PREFIX,
    ttlSeconds: DEAD_TTL_S,
    bornAt: outboxItemBornAt,
    now,
  })
  const dedupeKeyOf = async (item: Pick<OutboxItem, 'dedupeKey'>) =>
    item.dedupeKey ? `${DEDUPE_PREFIX}${await sha256Hex(item.dedupeKey)}` : null
  /** The order items go in: bulk ones after the others, each by creation (ids sort by time). */
  // Bulk items after all the others; a scheduled item (an agent's grouped message) at its time, so what is
  // enqueued before it is due goes first instead of waiting behind it (it held a chat for its two minutes).
  const placeOf = (item: OutboxItem) =>
    item.scheduled ? Math.max(item.createdAt, item.notBefore) : item.createdAt
  const inSendingOrder = (a: OutboxItem, b: OutboxItem) =>
    Number(b.first === true) - Number(a.first === true) ||
    Number(a.bulk === true) - Number(b.bulk === true) ||
    placeOf(a) - placeOf(b) ||
    (a.id < b.id ? -1 : 1)

  const outbox: Outbox = {
    async enqueue({
      channel,
      target,
      payload,
      dedupeKey,
      dedupeTtlS,
      meta,
      bulk,
      first,
      notBefore,
    }) {
      const id = nextId()
      const item: OutboxItem = {
        id,
        channel,
        target,
        payload,
        dedupeKey: dedupeKey ?? null,
        ...(dedupeKey && dedupeTtlS ? { dedupeTtlS } : {}),
        attempts: 0,
        notBefore: notBefore ?? 0,
        createdAt: now(),
        lastError: null,
        ...(meta ? { meta } : {}),
        ...(bulk ? { bulk: true as const } : {}),
        ...(first ? { first: true as const } : {}),
        ...(notBefore ? { scheduled: true as const } : {}),
      }
      await lanes[channel].put(id, item, scoreOf(item))
      const claimKey = await dedupeKeyOf(item)
      // A drain may read the item between the put and the claim, and claim the key for it (the sender's owns()):
      // that claim is this item's own, so it is enqueued (and maybe sent already), not a twin to drop.
      if (
        !claimKey ||
        (await store.claim(claimKey, item.dedupeTtlS ?? DEDUPE_TTL_S, id)) ||
        (await store.get<unknown>(claimKey)) === id
      ) {
        onEnqueue?.(channel, item.first === true)
        return { id, enqueued: true }
      }
      // Someone enqueued it before: drop this copy (if that fails, the sender's owns() check drops it).
      await lanes[channel].remove(id)
      return { id, enqueued: false }
    },
    async pending(channel, { limit, known } = {}) {
      const lists = await Promise.all(
        (channel ? [channel] : OUTBOX_CHANNELS).map((c) =>
          lanes[c].range(limit === undefined ? {} : { limit }, known)
        )
      )
      return lists
        .flat()
        .map((e) => e.value)
        .sort(inSendingOrder)
    },
    // Scored by creation: a lane is read in order, so a chat whose head item waits holds its later ones.
    update: (item) => lanes[item.channel].update(item.id, item, scoreOf(item)),
    async ack(item) {
      await lanes[item.channel].remove(item.id)
      if (item.attempts > 0 || item.lastError !== null || item.notBefore > 0)
        await dead.remove(item.id)
    },
    async bury(item, reason) {
      // Dead first: a crash in between leaves it in both lists (ack clears the dead copy), never in none.
      await dead.put(item.id, { ...item, lastError: reason }, now())
      await lanes[item.channel].remove(item.id)
    },
    deadLetters: async () => (await dead.range()).map((e) => e.value).sort(inSendingOrder),
    async revive(id) {
      const found = await dead.get(id)
      if (!found) return null
      const item: OutboxItem = { ...found, attempts: 0, notBefore: 0 }
      // Pending first (the item, then its index entry: its old score is past the dangling grace), so a crash
      // in between leaves it in both lists, never in none.
      await lanes[item.channel].update(id, item, scoreOf(item))
      await dead.remove(id)
      onEnqueue?.(item.channel, false)
      return item
    },
    async depth() {
      // Dead letters expire after DEAD_TTL_S; their index entries are dropped on read.
      await dead.range({ maxScore: now() - DEAD_TTL_S * 1000 })
      const [telegram, openclaw, buried] = await Promise.all([
        lanes.telegram.size(),
        lanes.openclaw.size(),
        dead.size(),
      ])
      return { pending: telegram + openclaw, dead: buried }
    },
    async owns(item) {
      const claimKey = await dedupeKeyOf(item)
      if (!claimKey) return true
      let owner = await store.get<unknown>(claimKey)
      if (owner === null && (await store.claim(claimKey, item.dedupeTtlS ?? DEDUPE_TTL_S, item.id)))
        return true
      owner ??= await store.get<unknown>(claimKey)
      // `true`: a claim written before claims named their item (an upgrade): that item is the owner.
      return owner === item.id || owner === true || owner === null
    },
  }
  return outbox
}

/**
 * A Telegram HTML message for the human, as an outbox item. Link previews are off: a task link would
 * otherwise unfold into a preview of Plane's (VPN-only) login page. With `projectId`, it is about that
 * project: with `TELEGRAM_TOPICS=per-project` the sender puts it in the project's topic.
 */
export function telegramMessage(
  chatId: string,
  html: string,
  dedupeKey?: string,
  projectId?: string | null
): TelegramMessage & EnqueueOptions {
  return {
    channel: 'telegram',
    target: chatId,
    payload: {
      chat_id: chatId,
      text: html,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    },
    ...(dedupeKey ? { dedupeKey } : {}),
    ...(projectId ? { meta: { projectId } } : {}),
  }
}
