/** @module What the flush of a pending change works on: the pending change, its context, its plan. */

import type { CardStore } from '../actions/cards.ts'
import type { Actor, EventSource, TaskSnapshot } from '../events.ts'
import type { ChangeHint } from '../notify/diff.ts'
import type { AgentRef, Directory } from '../notify/directory.ts'
import type { Locale } from '../notify/i18n.ts'
import type { ProjectRef } from '../notify/messages.ts'
import type { EnqueueInput } from '../notify/outbox.ts'
import type { NotifyPolicy } from '../notify/policy.ts'
import type { AgentQuota } from '../notify/quota.ts'
import type { RunTracker } from '../runs/tracker.ts'
import type { Store } from '../store/store.ts'

/** A task's change waiting for its coalescing delay to close (the pipeline's queue entry). */
export type PendingChange = {
  taskId: string
  /** The task before its pending change's first change (null: first sighting, see `hint` / `created`). */
  before: TaskSnapshot | null
  after: TaskSnapshot
  created: boolean
  hint: ChangeHint | null
  actor: Actor | null
  /** Blocker comments seen while the change was pending. */
  comments: Array<{ text: string; actor: Actor | null }>
  firstAt: number
  dueAt: number
  sources: EventSource[]
  /**
   * A snapshot seen while the change was pending, before the last, was in an open state group: a task created, started and
   * closed within one coalescing delay closed from open, though its change reads "created → done". Absent on entries kept
   * by earlier versions (read as false).
   */
  openWithin?: boolean
}

export type FlushContext = {
  store: Store
  directory: Directory
  policy: NotifyPolicy
  locale: Locale
  chatId: string | null
  wakeAgents?: boolean
  project: ProjectRef | null
  taskUrl: string | null
  /** The bridge's run record of a task (time spent, confidence), for completion messages. */
  runInfo?: (taskId: string) => Promise<RunInfo | null>
  /** Agent runs: verified wakes on assignment, stop messages when a task is taken away. */
  tracker?: RunTracker
  /** A task just reached a closed group (done, cancelled): its dependents may be unblocked or blocked. */
  onClosed?: (
    task: TaskSnapshot,
    group: 'completed' | 'cancelled',
    how: { fromOpen: boolean }
  ) => Promise<void>
  /** Reviews, questions and approvals as cards the human acts on; without it, plain messages. */
  cards?: CardStore
  /** What one agent may send the human on its own; the rest goes in its grouped message. */
  quota?: AgentQuota
  /**
   * OPENCLAW-10: make the task's `agent:<id>` labels follow an assignee change; the task as Plane holds it after,
   * or null when nothing was written. Without it, labels stay as they are.
   */
  syncAgentLabels?: (
    task: TaskSnapshot,
    change: { assigned: readonly AgentRef[]; unassigned: readonly AgentRef[] }
  ) => Promise<TaskSnapshot | null>
}

export type RunInfo = {
  timeSpentSeconds: number
  confidence: number | null
  /** The agent's summary when it finished the task. */
  summary?: string | null
  deliverables?: readonly { name: string; url: string | null }[]
  waitsFor?: 'approval' | 'budget' | null // `budget`: its approval card says so (OPENCLAW-11)
}

/** What a flushed pending change comes to: messages and wakes to send, and the task as it now stands in Plane. */
export type FlushPlan = {
  items: EnqueueInput[]
  /** `entry.after`, or the task after the flush's own write (its agent labels following its assignees). */
  snapshot: TaskSnapshot
}

/**
 * A completion message kept back to become the review card of the same pending change (flush-reviews.ts); sent on its own
 * when no card comes of it.
 */
export type DeferredCompletion = { html: string | null; dedupeKey: string | null }
