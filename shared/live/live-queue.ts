/**
 * @module When a live message is next sent: one outbox item at a time per message (a claim in the store, whichever
 * replica reports), rendered when it goes, so any number of reports in between cost one edit; and never sooner than
 * a few seconds after the message's last edit.
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
}

/** Kept as long as a task may be followed; a message past it is sent anew at the next report. */
export const LIVE_MESSAGE_TTL_S = 14 * 24 * 60 * 60
/**
 * How long an item's claim holds when its item never goes (a chat held for hours, a dead letter): past it, a report
 * enqueues another, which finds the message up to date or edits it. Two items are harmless; none for ever is not.
 */
const QUEUED_TTL_S = 10 * 60

export const liveMessageKey = (key: LiveKey) => `live:message:${key}`
const queuedKey = (key: LiveKey) => `live:queued:${key}`

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
   * The message needs sending: an item is enqueued, unless one waits already; an edit never before the gap is over,
   * a new message (the task's stretch `since` is not the one the message shows; a board closed) at once.
   */
  schedule(key: LiveKey, projectId: string | null, since: number | null): Promise<void>
  /** The message cannot go yet (its chat's edits used up): its waiting item is replaced by one at `at`. */
  postpone(key: LiveKey, projectId: string | null, at: number): Promise<void>
  /** Its item went: a report from now on enqueues the next one. */
  release(key: LiveKey): Promise<void>
}

export function createLiveQueue({
  store,
  outbox,
  chatId,
  gapMs,
  now,
}: LiveQueueOptions): LiveQueue {
  const enqueue = async (key: LiveKey, projectId: string | null, at: number) => {
    const item: LiveItem & { notBefore: number } = {
      channel: 'telegram',
      target: chatId,
      payload: { chat_id: chatId, live: key },
      meta: { kind: 'live', ...(projectId ? { projectId } : {}) },
      // Placed in the chat's lane at its time: what is enqueued for the chat before it goes first.
      notBefore: Math.max(1, at),
    }
    await outbox.enqueue(item)
  }
  return {
    async schedule(key, projectId, since) {
      if (!(await store.claim(queuedKey(key), QUEUED_TTL_S))) return
      try {
        const message = await store.get<LiveMessage>(liveMessageKey(key))
        const edit =
          message !== null &&
          message.messageId !== null &&
          !message.closed &&
          (since === null || message.since === since)
        await enqueue(key, projectId, edit ? Math.max(now(), message.shownAt + gapMs) : now())
      } catch (error) {
        // Nothing enqueued: the claim must not keep the next report from trying.
        await store.delete(queuedKey(key)).catch(() => undefined)
        throw error
      }
    },
    async postpone(key, projectId, at) {
      await store.set(queuedKey(key), true, { ttlSeconds: QUEUED_TTL_S })
      await enqueue(key, projectId, at)
    },
    release: (key) => store.delete(queuedKey(key)),
  }
}
