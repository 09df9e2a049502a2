/** @module The durable outbox: every message to Telegram and every agent wake-up is stored before it is sent. */
import { sha256Hex } from '../hash.ts'
import { createStoreQueue, type StoreQueue } from '../store/queue.ts'
import type { Store } from '../store/store.ts'
import type { TelegramMessage } from './outbox-message.ts'
import { createOutboxIds, inSendingOrder, outboxItemBornAt, scoreOf } from './outbox-order.ts'
import type { EnqueueOptions, Outbox, OutboxChannel, OutboxItem } from './outbox-types.ts'

export { outboxItemBornAt } from './outbox-order.ts'
export type {
  EnqueueInput,
  EnqueueOptions,
  Outbox,
  OutboxChannel,
  OutboxItem,
} from './outbox-types.ts'

export const OUTBOX_CHANNELS: readonly OutboxChannel[] = ['telegram', 'openclaw']
const ITEM_PREFIX = 'outbox:item:'
const DEAD_PREFIX = 'outbox:dead:'
const DEDUPE_PREFIX = 'outbox:dedupe:'
const DEAD_SET = 'index:outbox:dead'
/** Dedupe keys live long enough to outlast every redelivery and poll of the same change. */
export const DEDUPE_TTL_S = 30 * 24 * 60 * 60
/** Dead letters are kept for inspection, then expire. */
const DEAD_TTL_S = 14 * 24 * 60 * 60

export function createOutbox(
  store: Store,
  now: () => number = Date.now,
  /** Told after an item is stored (the bridge starts that lane's drain); `first`: a person waits for it. */
  onEnqueue?: (channel: OutboxChannel, first: boolean) => void
): Outbox {
  const nextId = createOutboxIds(now)
  // One due-time index per channel: wake-ups never wait behind a slow Telegram chat.
  const lanes = Object.fromEntries(
    OUTBOX_CHANNELS.map((channel) => [
      channel,
      createStoreQueue<OutboxItem>({
        store,
        sortedSet: `index:outbox:${channel}`,
        itemPrefix: ITEM_PREFIX,
        bornAt: outboxItemBornAt,
        now,
      }),
    ])
  ) as Record<OutboxChannel, StoreQueue<OutboxItem>>
  const dead = createStoreQueue<OutboxItem>({
    store,
    sortedSet: DEAD_SET,
    itemPrefix: DEAD_PREFIX,
    ttlSeconds: DEAD_TTL_S,
    bornAt: outboxItemBornAt,
    now,
  })
  const dedupeKeyOf = async (item: Pick<OutboxItem, 'dedupeKey'>) =>
    item.dedupeKey ? `${DEDUPE_PREFIX}${await sha256Hex(item.dedupeKey)}` : null

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
