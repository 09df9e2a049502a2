/**
 * @module When a live message is next sent: one outbox item per generation of the message (the outbox's dedupe key,
 * whichever replica reports), rendered when it goes, so any number of reports in between cost one edit; an edit
 * never sooner than a few seconds after the message's last one. The item is stored before its key is claimed (the
 * outbox's order): a crash between two steps leaves an item to send, never a claim without one.
 */
import type { Outbox } from '../notify/outbox.ts'
import type { LiveItem } from '../notify/outbox-message.ts'
import type { Store } from '../store/store.ts'

/** A live message: a task's own (`task:<id>`), or the board of every task under way (`board`). */
export type LiveKey = `task:${string}` | 'board'

export const BOARD_KEY: LiveKey = 'board'
export const liveTaskKey = (taskId: string): LiveKey => `task:${taskId}`

/** What the bridge knows of a live message it sent. */
export type LiveMessage = {
  chatId: string
  /** Telegram's id of the message; null before the first send went through. */
  messageId: number | null
  /** The forum topic it went to (TELEGRAM_TOPICS=per-project), for a message sent anew there. */
  threadId: number | null
  /** The stretch of work it shows (a task's `since`; a board's first start): another stretch, another message. */
  since: number
  /** Which changes it shows: a task's last (`TaskProgress.at`), the sum of a board's tasks'. */
  shown: number
  /** When it was last sent or edited (ms). */
  shownAt: number
  /** A board whose tasks had all ended when it was last edited: the next start opens a new one. */
  closed?: boolean
  /**
   * Items consumed so far: the next item is this generation's, one of a kind (its dedupe key). An item goes, or finds
   * nothing to do, or makes way for a later one: the generation moves on, and a report from then on enqueues anew.
   */
  gen: number
}

/** Kept as long as a task may be followed; a message past it is sent anew at the next report. */
export const LIVE_MESSAGE_TTL_S = 14 * 24 * 60 * 60
/**
 * How long an item's dedupe key holds: past a chat held that long, a report may enqueue a twin of a waiting item, which
 * finds its generation gone by and does nothing. Two items are harmless; a key kept a month per edit is not.
 */
const ITEM_KEY_TTL_S = 24 * 60 * 60

export const liveMessageKey = (key: LiveKey) => `live:message:${key}`

export type LiveQueueOptions = {
  store: Store
  outbox: Pick<Outbox, 'enqueue'>
  chatId: string
  /** Shortest time between two edits of one message (Telegram: about 20 edits a minute in a chat). */
  gapMs: number
  now: () => number
}

export type LiveQueue = {
  /**
   * The message needs sending: this generation's item is enqueued (once, whoever asks); an edit never before the gap
   * is over, a new message (the task's stretch `since` is not the one the message shows; a board closed) at once.
   */
  schedule(key: LiveKey, projectId: string | null, since: number | null): Promise<void>
  /** The next generation's item, to go at `at` (an edit that must wait for room in the chat). */
  postpone(key: LiveKey, projectId: string | null, gen: number, at: number): Promise<void>
}

export function createLiveQueue({
  store,
  outbox,
  chatId,
  gapMs,
  now,
}: LiveQueueOptions): LiveQueue {
  const enqueue = async (key: LiveKey, projectId: string | null, gen: number, at: number) => {
    const item: LiveItem & { notBefore: number; dedupeKey: string; dedupeTtlS: number } = {
      channel: 'telegram',
      target: chatId,
      payload: { chat_id: chatId, live: key, gen },
      meta: { kind: 'live', ...(projectId ? { projectId } : {}) },
      dedupeKey: `live:${key}:${gen}`,
      dedupeTtlS: ITEM_KEY_TTL_S,
      // Placed in the chat's lane at its time: what is enqueued for the chat before it goes first.
      notBefore: Math.max(1, at),
    }
    await outbox.enqueue(item)
  }
  return {
    async schedule(key, projectId, since) {
      const message = await store.get<LiveMessage>(liveMessageKey(key))
      const edit =
        message !== null &&
        message.messageId !== null &&
        !message.closed &&
        (since === null || message.since === since)
      const at = edit ? Math.max(now(), message.shownAt + gapMs) : now()
      await enqueue(key, projectId, message?.gen ?? 0, at)
    },
    postpone: (key, projectId, gen, at) => enqueue(key, projectId, gen, at),
  }
}
