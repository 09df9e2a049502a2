/**
 * @module A task's progress as its agent reports it (percent, last step, cost so far, state), kept in the store: what
 * the live view shows on Telegram and what `/plane status` and `/plane agent` show beside the task.
 */
import type { Store } from '../store/store.ts'
import { capText } from '../text/cap.ts'

/** Under way (`active`), waiting for the human (`awaiting`), or ended: then its message stops changing. */
export type LiveState = 'active' | 'awaiting' | 'done' | 'blocked' | 'cancelled'

export const ENDED_STATES: ReadonlySet<LiveState> = new Set(['done', 'blocked', 'cancelled'])

/** One stretch of work on a task, from its start (in progress) to its end (done, blocked, cancelled). */
export type TaskProgress = {
  v: 1
  taskId: string
  projectId: string
  /** `ONB-3`, when known. */
  ref: string | null
  /** The task named for the human, as Telegram HTML (project tag, reference, title linked to Plane): escaped. */
  taskHtml: string
  /** The agent at work on it. */
  agentName: string | null
  /** 0–100, as last reported. */
  percent: number | null
  /** The last step the agent reported, as text (escaped when shown). */
  step: string | null
  /** USD spent so far, as last reported. */
  cost: number | null
  state: LiveState
  /** When this stretch started (ms): a task started again is a new stretch, with a new message. */
  since: number
  /** When it last changed (ms), strictly increasing: a message shows the changes up to the one it was made from. */
  at: number
  /** Shown live on Telegram (false: the live view is off, or was full when the task started). */
  live: boolean
  /**
   * The stretch before this one, as it ended: its message may not show its end yet (the task started again within
   * the gap between two edits), and shows it before this stretch's message is sent.
   */
  endedBefore?: EndedStretch
}

/** A stretch as it ended, kept in the next one's record. */
export type EndedStretch = Omit<TaskProgress, 'endedBefore'>

/** A progress record outlives any stretch of work the live view follows; a task never ended expires with it. */
export const PROGRESS_TTL_S = 14 * 24 * 60 * 60
/** The tasks under way with a progress record, scored by their last change (what /plane reads, what the cap counts). */
export const UNDER_WAY_SET = 'live:under-way'
/** A step is one line: longer reports are cut (between characters) when they are stored. */
export const STEP_MAX_CHARS = 200

export const progressKey = (taskId: string) => `live:task:${taskId}`

export function isEnded(progress: Pick<TaskProgress, 'state'>): boolean {
  return ENDED_STATES.has(progress.state)
}

/**
 * The progress of the tasks under way, oldest change first (for `/plane status` and `/plane agent`); members whose
 * record ended or expired (a task deleted without a word) are dropped from the index as they are met.
 */
export async function progressUnderWay(store: Store, now: number): Promise<TaskProgress[]> {
  const entries = await store.sortedRange(UNDER_WAY_SET, { limit: 500 })
  const records = await store.getMany<TaskProgress>(entries.map((e) => progressKey(e.member)))
  const found: TaskProgress[] = []
  for (const [i, entry] of entries.entries()) {
    const record = records[i]
    if (record && !isEnded(record) && now - entry.score <= PROGRESS_TTL_S * 1000) found.push(record)
    else await store.sortedRemove(UNDER_WAY_SET, entry.member)
  }
  return found
}

/**
 * A report's text as one line of at most `max` units: its whitespace (line breaks included) folded to single spaces,
 * cut between characters. Linear in the part read, never past what fits.
 */
export function oneLine(text: string, max = STEP_MAX_CHARS): string {
  let out = ''
  let space = false
  // Enough of the text for `max` units once folded, and the cut's look-ahead.
  const end = Math.min(text.length, max * 4 + 16)
  for (let i = 0; i < end; i++) {
    const char = text.charAt(i)
    if (char.trim() === '') {
      space = out.length > 0
      continue
    }
    if (space) out += ' '
    space = false
    out += char
  }
  return capText(out, max)
}
