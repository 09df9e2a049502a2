/**
 * @module A live message sent now (its outbox item going out): rendered from the progress reported until this moment,
 * sent the first time, edited after, never sooner than the gap after its last edit nor past the chat's share of
 * edits in a minute (then its item waits instead); what it shows is recorded, and a report that came meanwhile gets
 * the next item. The outbox's drain runs one at a time across replicas: a live message is never sent twice at once.
 */
import type { Locale } from '../notify/i18n.ts'
import type { Store } from '../store/store.ts'
import {
  BOARD_KEY,
  LIVE_MESSAGE_TTL_S,
  type LiveKey,
  type LiveMessage,
  type LiveQueue,
  liveMessageKey,
} from './live-queue.ts'
import { isEnded, progressKey, type TaskProgress } from './progress.ts'
import { type RunFigures, renderLiveBoard, renderLiveTask } from './render.ts'

/** The Bot API calls a live message needs, with Telegram's refusal policy applied (runtime/delivery.ts). */
export type LiveTelegram = {
  /** A new message, without sound, in the project's topic when it has one: where it went. */
  send(message: {
    chatId: string
    html: string
    projectId: string | null
  }): Promise<{ chatId: string; messageId: number; threadId: number | null }>
  /**
   * The message edited; one the human deleted is sent anew (its new id). Null: Telegram shows this text already.
   */
  edit(message: {
    chatId: string
    messageId: number
    threadId: number | null
    html: string
  }): Promise<{ chatId: string; messageId: number } | null>
}

export type LiveSendContext = {
  store: Store
  queue: LiveQueue | null
  chatId: string | null
  mode: 'off' | 'tasks' | 'board'
  locale: Locale
  gapMs: number
  editsPerMinute?: number
  figures: (taskId: string) => Promise<RunFigures | null>
  now: () => number
}

/** The tasks on the board (their progress records), scored by their start; the live view adds them. */
export const BOARD_SET = 'live:board'
/** An ended task's line leaves an open board this long after it ended (its end was shown meanwhile). */
const BOARD_ENDED_KEEP_MS = 30 * 60 * 1000
const EDIT_WINDOW_MS = 60_000

/** What a live message shows now. */
type View = {
  html: string
  /** Which changes it shows (`_version`). */
  version: number
  /** The stretch (a task's) or the board's start. */
  since: number
  projectId: string | null
  /** Every task in it has ended: a board closes. */
  ended: boolean
  taskIds: string[]
}

export async function deliverLive(
  key: LiveKey,
  gen: number,
  telegram: LiveTelegram,
  ctx: LiveSendContext
): Promise<void> {
  const { store, queue, now } = ctx
  if (!queue || !ctx.chatId) return
  const message = await store.get<LiveMessage>(liveMessageKey(key))
  // Its generation has gone by (a twin, or the item redelivered after a crash past its work): only what came since.
  if ((message?.gen ?? 0) !== gen) return _behind(ctx, key, message)
  const board = key === BOARD_KEY
  const continued = message && message.messageId !== null && !message.closed ? message : null
  // The task started again before its last message showed how the stretch before ended: that end first, then
  // (the next item) the new stretch's message.
  const following = await _tasksOf(ctx, key)
  const tasks = board ? following : _endUnshown(following, continued)
  const boardSince = board ? (continued?.since ?? now()) : null
  const view = _view(tasks, ctx, boardSince, await _figures(ctx, tasks))
  // A task's other stretch (started again after it ended) is a new message; the old one keeps its end.
  const current = continued && continued.since === view?.since ? continued : null
  if (!view || (current && current.shown === view.version)) {
    const next = { ...(message ?? _unsent(ctx.chatId)), gen: gen + 1 }
    await store.set(liveMessageKey(key), next, { ttlSeconds: LIVE_MESSAGE_TTL_S })
    return _behind(ctx, key, next)
  }
  if (current) {
    // Telegram allows a chat about 20 edits a minute (reference §1.7): the gap, and the live view's share of them.
    const wait = current.shownAt + ctx.gapMs - now()
    const room =
      wait > 0
        ? null
        : await store.windowTake(`live:edits:${current.chatId}`, {
            nowMs: now(),
            windowMs: EDIT_WINDOW_MS,
            ceiling: ctx.editsPerMinute ?? 15,
          })
    if (!room?.taken) {
      const next = { ...current, gen: gen + 1 }
      await store.set(liveMessageKey(key), next, { ttlSeconds: LIVE_MESSAGE_TTL_S })
      const at = now() + (room ? Math.max(1_000, room.waitMs) : wait)
      return queue.postpone(key, view.projectId, next.gen, at)
    }
  }
  const shown = current
    ? await _edit(telegram, current, view.html)
    : await telegram.send({ chatId: ctx.chatId, html: view.html, projectId: view.projectId })
  const next: LiveMessage = {
    chatId: shown.chatId,
    messageId: shown.messageId,
    threadId: shown.threadId,
    since: view.since,
    shown: view.version,
    shownAt: now(),
    gen: gen + 1,
    ...(board && view.ended ? { closed: true } : {}),
  }
  await store.set(liveMessageKey(key), next, { ttlSeconds: LIVE_MESSAGE_TTL_S })
  // A board whose tasks all ended is done: the next start opens a new one.
  if (board && view.ended) for (const id of view.taskIds) await store.sortedRemove(BOARD_SET, id)
  await _behind(ctx, key, next)
}

// --- Internal helpers ---

/** A task's stretch before its current one, when that ended and its message (`continued`) does not show it yet. */
function _endUnshown(tasks: TaskProgress[], continued: LiveMessage | null): TaskProgress[] {
  const ended = tasks.length === 1 ? tasks[0]?.endedBefore : undefined
  if (!ended || !continued) return tasks
  return continued.since === ended.since && continued.shown !== ended.at ? [ended] : tasks
}

/** A message not sent yet (nothing to show when its item went): only its generation counts. */
function _unsent(chatId: string): LiveMessage {
  return { chatId, messageId: null, threadId: null, since: 0, shown: 0, shownAt: 0, gen: 0 }
}

/** The edit, or the message sent anew when the human deleted it (its new id); unchanged when Telegram shows it. */
async function _edit(telegram: LiveTelegram, current: LiveMessage, html: string) {
  const messageId = current.messageId ?? 0
  const edited = await telegram.edit({
    chatId: current.chatId,
    messageId,
    threadId: current.threadId,
    html,
  })
  return {
    chatId: edited?.chatId ?? current.chatId,
    messageId: edited?.messageId ?? messageId,
    threadId: current.threadId,
  }
}

/** A report that came while this item went (or since the message was last shown) gets the next generation's item. */
async function _behind(
  ctx: LiveSendContext,
  key: LiveKey,
  shown: LiveMessage | null
): Promise<void> {
  if (!ctx.queue) return
  const tasks = await _tasksOf(ctx, key)
  const behind = _version(tasks) !== (shown?.shown ?? 0)
  // A board just closed has nothing on it but what started since: a new board.
  if (tasks.length > 0 && (behind || (key === BOARD_KEY && shown?.closed === true)))
    await ctx.queue.schedule(
      key,
      key === BOARD_KEY ? null : (tasks[0]?.projectId ?? null),
      key === BOARD_KEY ? null : (tasks[0]?.since ?? null)
    )
}

/** The progress records a message shows: its task's (when followed live), or the board's. */
async function _tasksOf(ctx: LiveSendContext, key: LiveKey): Promise<TaskProgress[]> {
  const { store, now } = ctx
  if (key !== BOARD_KEY) {
    const progress = await store.get<TaskProgress>(progressKey(key.slice('task:'.length)))
    return progress?.live ? [progress] : []
  }
  const members = await store.sortedRange(BOARD_SET, { limit: 200 })
  const records = await store.getMany<TaskProgress>(members.map((m) => progressKey(m.member)))
  const found: TaskProgress[] = []
  for (const [i, record] of records.entries()) {
    const member = members[i]?.member ?? ''
    // Gone (expired), or ended long enough ago that its end was shown: off the board.
    if (!record || (isEnded(record) && now() - record.at > BOARD_ENDED_KEEP_MS))
      await store.sortedRemove(BOARD_SET, member)
    else found.push(record)
  }
  return found
}

async function _figures(ctx: LiveSendContext, tasks: readonly TaskProgress[]) {
  const figures = new Map<string, RunFigures>()
  for (const task of tasks) {
    const found = await ctx.figures(task.taskId)
    if (found) figures.set(task.taskId, found)
  }
  return figures
}

/**
 * Which changes a message shows: a task's last change, or the sum of a board's (each task's `at` only grows, so the
 * sum moves with any change, a task joining or leaving), compared for equality: clocks of two replicas may differ.
 */
function _version(tasks: readonly TaskProgress[]): number {
  return tasks.reduce((sum, t) => sum + t.at, 0)
}

/** What the message shows now: a task's message, or the board (`boardSince`: its start) of `tasks`. */
function _view(
  tasks: readonly TaskProgress[],
  ctx: LiveSendContext,
  boardSince: number | null,
  figures: ReadonlyMap<string, RunFigures>
): View | null {
  const [first] = tasks
  if (!first) return null
  const board = boardSince !== null
  const render = { locale: ctx.locale, figures }
  return {
    html: board ? renderLiveBoard(tasks, render) : renderLiveTask(first, render),
    version: _version(tasks),
    since: boardSince ?? first.since,
    projectId: board ? null : first.projectId,
    ended: tasks.every(isEnded),
    taskIds: tasks.map((t) => t.taskId),
  }
}
