/** @module The durable outbox: every message to Telegram and every agent wake-up is stored before it is sent. */
import { sha256Hex } from '../hash.ts'
import { claimAndWrite, type Store } from '../store/store.ts'

export type OutboxChannel = 'telegram' | 'openclaw'

export type OutboxItem = {
  /** Sortable by creation (time, then a sequence): the sender keeps this order per target. */
  id: string
  channel: OutboxChannel
  /** Telegram chat id or OpenClaw agent id: the unit of ordering and rate limiting. */
  target: string
  payload: Record<string, unknown>
  /** Makes enqueue idempotent (a wake-up once per task, agent and assignment) and keys OpenClaw retries. */
  dedupeKey: string | null
  attempts: number
  /** Not sent before this instant (ms): Retry-After / retry_after, or backoff. */
  notBefore: number
  createdAt: number
  lastError: string | null
  /** What the sender reports back on delivery (never sent): a wake's task, agent and attempt. */
  meta?: Record<string, unknown>
}

export type EnqueueInput = Pick<OutboxItem, 'channel' | 'target' | 'payload'> & {
  dedupeKey?: string
  meta?: Record<string, unknown>
}

export type Outbox = {
  /** Store an item; with a dedupeKey already used within DEDUPE_TTL_S, nothing is stored (`enqueued: false`). */
  enqueue(input: EnqueueInput): Promise<{ id: string; enqueued: boolean }>
  /** Every pending item, oldest first. */
  pending(): Promise<OutboxItem[]>
  update(item: OutboxItem): Promise<void>
  /** The item was delivered: forget it. */
  ack(id: string): Promise<void>
  /** Give up on an item: it moves to the dead letters that /ready and /metrics show. */
  bury(item: OutboxItem, reason: string): Promise<void>
  deadLetters(): Promise<OutboxItem[]>
  /** Send a dead letter again: back to pending with its attempts reset (null when there is no such item). */
  revive(id: string): Promise<OutboxItem | null>
  depth(): Promise<{ pending: number; dead: number }>
}

const ITEM_PREFIX = 'outbox:item:'
const DEAD_PREFIX = 'outbox:dead:'
const DEDUPE_PREFIX = 'outbox:dedupe:'
/** Dedupe keys live long enough to outlast every redelivery and poll of the same change. */
export const DEDUPE_TTL_S = 30 * 24 * 60 * 60
/** Dead letters are kept for inspection, then expire. */
const DEAD_TTL_S = 14 * 24 * 60 * 60

export function createOutbox(store: Store, now: () => number = Date.now): Outbox {
  let sequence = 0
  const nextId = () => {
    sequence = (sequence + 1) % 1_000_000
    const time = now().toString(36).padStart(10, '0')
    return `${time}-${sequence.toString(36).padStart(4, '0')}-${crypto.randomUUID().slice(0, 8)}`
  }
  const list = async (prefix: string) => {
    const keys = await store.keys(prefix)
    const items = await Promise.all(keys.map((k) => store.get<OutboxItem>(k)))
    return items.filter((i): i is OutboxItem => i !== null).sort((a, b) => (a.id < b.id ? -1 : 1))
  }

  return {
    async enqueue({ channel, target, payload, dedupeKey, meta }) {
      const id = nextId()
      const item: OutboxItem = {
        id,
        channel,
        target,
        payload,
        dedupeKey: dedupeKey ?? null,
        attempts: 0,
        notBefore: 0,
        createdAt: now(),
        lastError: null,
        ...(meta ? { meta } : {}),
      }
      const write = () => store.set(`${ITEM_PREFIX}${id}`, item)
      if (!dedupeKey) {
        await write()
        return { id, enqueued: true }
      }
      const result = await claimAndWrite(
        store,
        `${DEDUPE_PREFIX}${await sha256Hex(dedupeKey)}`,
        DEDUPE_TTL_S,
        write
      )
      return { id, enqueued: result.claimed }
    },
    pending: () => list(ITEM_PREFIX),
    update: (item) => store.set(`${ITEM_PREFIX}${item.id}`, item),
    ack: (id) => store.delete(`${ITEM_PREFIX}${id}`),
    async bury(item, reason) {
      await store.set(
        `${DEAD_PREFIX}${item.id}`,
        { ...item, lastError: reason },
        { ttlSeconds: DEAD_TTL_S }
      )
      await store.delete(`${ITEM_PREFIX}${item.id}`)
    },
    deadLetters: () => list(DEAD_PREFIX),
    async revive(id) {
      const dead = await store.get<OutboxItem>(`${DEAD_PREFIX}${id}`)
      if (!dead) return null
      const item: OutboxItem = { ...dead, attempts: 0, notBefore: 0 }
      // Pending first: a crash in between leaves it in both lists, never in none.
      await store.set(`${ITEM_PREFIX}${id}`, item)
      await store.delete(`${DEAD_PREFIX}${id}`)
      return item
    },
    async depth() {
      const [pending, dead] = await Promise.all([store.keys(ITEM_PREFIX), store.keys(DEAD_PREFIX)])
      return { pending: pending.length, dead: dead.length }
    },
  }
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
): EnqueueInput {
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
