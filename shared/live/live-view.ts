/**
 * @module The live view (NOTIF-07 without NOTIF-05's flood): each task under way has one silent Telegram message (or
 * a line of one board), edited in place as its agent reports progress, until it ends. Reports are recorded here
 * under the task's lock; the message is sent by the outbox (live-send.ts), coalesced to Telegram's edit limits.
 */
import { agentsOfTask } from '../agents/task-vocabulary.ts'
import type { TaskSnapshot } from '../events.ts'
import type { Directory } from '../notify/directory.ts'
import type { Locale } from '../notify/i18n.ts'
import { buildTaskUrl, renderTaskName } from '../notify/messages.ts'
import type { Outbox } from '../notify/outbox.ts'
import { isBlockedName } from '../notify/policy.ts'
import type { KeyedLocks } from '../store/keyed-lock.ts'
import type { Store } from '../store/store.ts'
import { BOARD_KEY, createLiveQueue, type LiveKey, liveTaskKey } from './live-queue.ts'
import { BOARD_SET, deliverLive, type LiveTelegram } from './live-send.ts'
import {
  type EndedStretch,
  isEnded,
  type LiveState,
  oneLine,
  PROGRESS_TTL_S,
  progressKey,
  type TaskProgress,
  UNDER_WAY_SET,
} from './progress.ts'
import type { RunFigures } from './render.ts'

export type LiveMode = 'off' | 'tasks' | 'board'

/** The stretches followed live now, scored by their start: what the cap counts. */
export const LIVE_OPEN_SET = 'live:open'
/** At most this many tasks followed live at once: a team's day, not a backlog's flood of messages. */
export const LIVE_MAX_TASKS = 20
/** Shortest time between two edits of one live message. */
export const LIVE_EDIT_GAP_MS = 4_000
/** Live edits in one chat in any minute: under Telegram's ~20 (§1.7), room left for cards' edits. */
export const LIVE_EDITS_PER_MINUTE = 15

export type LiveViewOptions = {
  store: Store
  locks: KeyedLocks
  outbox: Pick<Outbox, 'enqueue'>
  directory: Pick<Directory, 'project' | 'agentByPlaneUser' | 'agentById'>
  mode: LiveMode
  /** The human's chat; null: progress is kept for /plane, nothing is sent. */
  chatId: string | null
  locale: Locale
  planeBaseUrl?: string | undefined
  workspaceSlug?: string | undefined
  /** A task's time spent and cost from its run record, read when its message is rendered. */
  figures: (taskId: string) => Promise<RunFigures | null>
  now: () => number
  maxTasks?: number
  gapMs?: number
  editsPerMinute?: number
}

/** What an agent's report changes. */
export type LiveReport = {
  percent?: number | null
  step?: string | null
  cost?: number | null
  state?: Extract<LiveState, 'active' | 'awaiting'>
}

/**
 * live: on its way to the task's live message; recorded: kept for /plane only (the live view off, no chat); full:
 * kept for /plane, too many tasks followed live already; ended: the task's message ended, nothing changed.
 */
export type LiveOutcome = 'live' | 'recorded' | 'full' | 'ended'

export type LiveView = {
  readonly mode: LiveMode
  readonly maxTasks: number
  /** An agent's report on its task (add_comment progress, a question). */
  report(task: TaskSnapshot, report: LiveReport, agentName: string): Promise<LiveOutcome>
  /**
   * The task's agent started it (or went on after a question): its message starts, or says it is at work again. A
   * task whose snapshot is not under way is left alone.
   */
  start(task: TaskSnapshot, agentName: string): Promise<void>
  /** The task ended (done, blocked, cancelled): its message shows it, then changes no more. */
  end(taskId: string, state: Extract<LiveState, 'done' | 'blocked' | 'cancelled'>): Promise<void>
  /**
   * A change of the task the pipeline told, whoever made it (a person in Plane too): in progress starts its message;
   * done, blocked, cancelled end it. `before` null: the task's first sighting (a deploy's adoption, a task only its
   * agent's tools had read), which starts nothing but ends a message its agent's reports started.
   */
  follow(before: TaskSnapshot | null, after: TaskSnapshot): Promise<void>
  /** The run's figures changed (a timer stopped): shown at the next edit, if the task is followed. */
  touch(taskId: string): Promise<void>
  /** Send or edit a live message now (the outbox's item for it, of the message's generation `gen`). */
  deliver(key: string, gen: number, telegram: LiveTelegram): Promise<void>
}

export function createLiveView(options: LiveViewOptions): LiveView {
  const { store, directory, mode, chatId, locale, now } = options
  const { maxTasks = LIVE_MAX_TASKS, gapMs = LIVE_EDIT_GAP_MS } = options
  const queue = chatId
    ? createLiveQueue({ store, outbox: options.outbox, chatId, gapMs, now })
    : null
  const lock = options.locks.lock({ ttlSeconds: 10, waitMs: 5_000 })
  const sending = mode !== 'off' && queue !== null

  /** The task as the human reads it: project tag, reference and title linked to Plane. */
  const describe = async (task: TaskSnapshot) => {
    const project = await directory.project(task.projectId)
    const identifier = project?.identifier ?? null
    const taskUrl = buildTaskUrl(options.planeBaseUrl, options.workspaceSlug, task, identifier)
    return {
      ref: identifier && task.sequenceId !== null ? `${identifier}-${task.sequenceId}` : null,
      taskHtml: renderTaskName(task, { locale, project, taskUrl }),
    }
  }

  /** A new stretch of work: live unless the view is off or full. */
  const start = async (
    task: TaskSnapshot,
    agentName: string | null,
    previous: TaskProgress | null
  ) => {
    let live = sending
    if (live) {
      await _pruneOpen(store, now())
      live = (await store.sortedSize(LIVE_OPEN_SET)) < maxTasks
    }
    const progress: TaskProgress = {
      v: 1,
      taskId: task.id,
      projectId: task.projectId,
      ...(await describe(task)),
      agentName,
      // What was reported before a pause (blocked, then started again) is still the last word on it.
      percent: previous?.percent ?? null,
      step: previous?.step ?? null,
      cost: previous?.cost ?? null,
      state: 'active',
      // A new stretch is a new message: never the same start as the one before, even within a millisecond.
      since: Math.max(now(), (previous?.since ?? 0) + 1),
      at: now(),
      live,
      ...(previous && isEnded(previous) ? { endedBefore: _stretchOf(previous) } : {}),
    }
    return progress
  }

  /** Change the task's record under its lock, keep the indexes in step, and schedule its message. */
  const update = async (
    taskId: string,
    change: (current: TaskProgress | null) => Promise<TaskProgress | null>
  ): Promise<TaskProgress | null> => {
    const next = await lock.run(`live:lock:${taskId}`, async () => {
      const current = await store.get<TaskProgress>(progressKey(taskId))
      const changed = await change(current)
      if (!changed) return null
      // Unchanged (a retried call): nothing new to show, but what the first try may have left undone (its indexes,
      // its message's item: a store that failed after the record was written) is done now. The item finds the
      // message showing this version already and edits nothing.
      if (changed === current) {
        await _index(store, current, mode)
        return current
      }
      const saved = { ...changed, at: Math.max(now(), (current?.at ?? 0) + 1) }
      await store.set(progressKey(taskId), saved, { ttlSeconds: PROGRESS_TTL_S })
      await _index(store, saved, mode)
      return saved
    })
    if (next?.live && queue)
      await (mode === 'board'
        ? queue.schedule(BOARD_KEY, null, null)
        : queue.schedule(liveTaskKey(taskId), next.projectId, next.since))
    return next
  }

  const end = async (taskId: string, state: LiveState) => {
    // Most tasks that end were never followed: one read, no lock, for them.
    const seen = await store.get<TaskProgress>(progressKey(taskId))
    if (!seen || isEnded(seen)) return
    await update(taskId, async (current) =>
      current && !isEnded(current) ? { ...current, state } : null
    )
  }

  return {
    mode,
    maxTasks,
    async report(task, report, agentName) {
      let outcome: LiveOutcome = 'ended'
      await update(task.id, async (current) => {
        const underWay = current && !isEnded(current)
        // A report on a task that ended (late, or after done) changes nothing, and so does a question on a task not
        // followed; progress on a task that started again is a new stretch.
        const progress = report.percent !== undefined || report.step !== undefined
        if (!underWay && (_endOf(task) !== null || !progress)) return null
        const base = underWay ? current : await start(task, agentName, current)
        outcome = base.live ? 'live' : sending ? 'full' : 'recorded'
        const next: TaskProgress = {
          ...base,
          agentName,
          state: report.state ?? 'active',
          ...(report.percent !== undefined ? { percent: report.percent } : {}),
          ...(report.step !== undefined
            ? { step: report.step === null ? null : oneLine(report.step) }
            : {}),
          ...(report.cost !== undefined ? { cost: report.cost } : {}),
        }
        // The same report again (a retried call) shows nothing new: no edit for it.
        return underWay && _sameProgress(current, next) ? current : next
      })
      return outcome
    },
    async start(task, agentName) {
      if (!_isStarted(task)) return
      await update(task.id, async (current) =>
        current && !isEnded(current)
          ? current.state === 'active'
            ? current
            : { ...current, state: 'active' }
          : start(task, agentName, current)
      )
    },
    end: (taskId, state) => end(taskId, state),
    async follow(before, after) {
      const ended = _endOf(after)
      if (ended) return end(after.id, ended)
      // A task first seen (a deploy's adoption, a listing) is not a start: no storm of messages at deploy.
      if (!before || !_isStarted(after) || _isStarted(before)) return
      const [agent] = await agentsOfTask(directory, after)
      if (!agent) return
      await update(after.id, async (current) =>
        current && !isEnded(current) ? current : start(after, agent.name, current)
      )
    },
    async touch(taskId) {
      await update(taskId, async (current) =>
        current && !isEnded(current) ? { ...current } : null
      )
    },
    deliver: (key, gen, telegram) =>
      deliverLive(key as LiveKey, gen, telegram, { ...options, queue, gapMs, mode }),
  }
}

// --- Internal helpers ---

/** Nothing the message shows differs. */
function _sameProgress(a: TaskProgress, b: TaskProgress): boolean {
  return (
    a.percent === b.percent &&
    a.step === b.step &&
    a.cost === b.cost &&
    a.state === b.state &&
    a.agentName === b.agentName
  )
}

/** A record as the next stretch keeps it: without the stretch before it. */
function _stretchOf({ endedBefore: _, ...stretch }: TaskProgress): EndedStretch {
  return stretch
}

/** Under way: a started state that is not Blocked. */
function _isStarted(task: Pick<TaskSnapshot, 'state'>): boolean {
  return task.state?.group === 'started' && !isBlockedName(task.state.name)
}

/** How a task's stretch ends, from its state: done, cancelled, or the Blocked state; null while it goes on. */
function _endOf(task: Pick<TaskSnapshot, 'state'>): LiveState | null {
  if (task.state?.group === 'completed') return 'done'
  if (task.state?.group === 'cancelled') return 'cancelled'
  if (task.state && isBlockedName(task.state.name)) return 'blocked'
  return null
}

/** Stretches never ended (a task deleted without a word) leave the cap's count after the record's lifetime. */
async function _pruneOpen(store: Store, now: number): Promise<void> {
  const old = await store.sortedRange(LIVE_OPEN_SET, { maxScore: now - PROGRESS_TTL_S * 1000 })
  for (const entry of old) await store.sortedRemove(LIVE_OPEN_SET, entry.member)
}

/** The indexes follow the record: under way (for /plane), followed live (the cap), on the board. */
async function _index(store: Store, progress: TaskProgress, mode: LiveMode): Promise<void> {
  const ended = isEnded(progress)
  if (ended) await store.sortedRemove(UNDER_WAY_SET, progress.taskId)
  else await store.sortedAdd(UNDER_WAY_SET, progress.taskId, progress.at)
  if (ended || !progress.live) await store.sortedRemove(LIVE_OPEN_SET, progress.taskId)
  else await store.sortedAdd(LIVE_OPEN_SET, progress.taskId, progress.since)
  // A board keeps an ended task's line until it is shown (the board removes it then).
  if (mode === 'board' && progress.live)
    await store.sortedAdd(BOARD_SET, progress.taskId, progress.since)
}
