/**
 * @module What the run tracker's parts share: its options, the assignment record and its keys in the store,
 * the deadlines index, the metrics (run-metrics.ts) and the phrases. Each part (wakes, assignments, check-ins,
 * stale runs, deadlines) is built from this kit by tracker.ts.
 */

import { APPROVAL_LABEL } from '../agents/task-vocabulary.ts'
import type { TaskSnapshot } from '../events.ts'
import type { AgentRef } from '../notify/directory.ts'
import type { Locale } from '../notify/i18n.ts'
import type { ProjectRef } from '../notify/messages.ts'
import type { Outbox } from '../notify/outbox.ts'
import type { WakeMeta } from '../notify/outbox-message.ts'
import type { AgentQuota } from '../notify/quota.ts'
import type { Logger } from '../observe/log.ts'
import type { MetricsRegistry } from '../observe/metrics.ts'
import type { PlaneClient } from '../plane/client.ts'
import type { Store } from '../store/store.ts'
import { escapeHtml } from '../telegram/html.ts'
import { type RunPhrases, runPhrasesFor, type StopReason, type WakeFailure } from './phrases.ts'
import type { RunStore } from './records.ts'
import { type RunMetrics, runMetrics } from './run-metrics.ts'
import type { RunRecord } from './types.ts'

/** One agent's assignment to one task, from its first wake until it is unassigned. */
export type Assignment = {
  taskId: string
  projectId: string
  agentId: string
  /** Names this assignment in wake idempotency keys: a later re-assignment is a new one. */
  assignmentId: string
  assignedAt: number
  /** Wakes enqueued so far. */
  attempts: number
  firstWakeAt: number | null
  lastWakeAt: number | null
  checkedInAt: number | null
  /** Taken over from a deploy's backlog (already started): never woken. */
  adopted: boolean
  /** Found by reading (a deploy's backlog not yet started), not by a change: its wakes go after the agent's others. */
  backlog?: boolean
  /** The human and the Concierge were told the agent does not answer. */
  unanswered: boolean
  /** Wakes OpenClaw admitted (absent on entries written before it was counted). */
  admitted?: number
  /** Why the last wake did not reach OpenClaw, until one does. */
  lastFailure?: WakeFailure | null
}

export type RunTrackerOptions = {
  store: Store
  outbox: Outbox
  /** Null without Plane: records and cards are not kept, wakes still are verified. */
  runs: RunStore | null
  /**
   * Where a wake for a change reads the run card of a task whose record the store has lost: the bridge's key at an
   * agent's priority, since the wake waits on it. A poll's first sighting (a deploy's backlog) and everything else
   * read with the run store's own client, at background work's share.
   */
  cardReads?: PlaneClient | null
  directory: {
    project(id: string): Promise<ProjectRef | null>
    agentById(id: string): Promise<AgentRef | null>
    agentByPlaneUser(userId: string): Promise<AgentRef | null>
    concierge(): Promise<AgentRef | null>
  }
  /** The last snapshot the pipeline holds of a task. */
  snapshot(taskId: string): Promise<TaskSnapshot | null>
  locale: Locale
  chatId: string | null
  /** What one agent may send the human on its own: its unanswered and stale runs past it are grouped. */
  quota?: AgentQuota
  /** Whether OpenClaw hooks are configured: without them nothing is woken or verified. */
  wakeAgents: boolean
  checkinMs: number
  attempts: number
  staleMs: number
  sessionKeyPrefix?: string | undefined
  planeBaseUrl?: string | undefined
  workspaceSlug?: string | undefined
  log: Logger
  metrics: MetricsRegistry
  now: () => number
  /** A project's look for its finish came due (`finish|project`, shared/projects/finish.ts). */
  finishDue?: (projectId: string) => Promise<void>
}

/** Carried on wake outbox items (never sent): what the sender reports back when OpenClaw admits it. */
export type { WakeMeta }

export type AssignOutcome = 'woken' | 'adopted' | 'known' | 'awaiting-approval' | 'off'

/** A task an agent listed: where it is, and its version as listed. */
export type ListedTask = {
  taskId: string
  projectId: string
  ref: string | null
  task: TaskSnapshot
}

export type RunTracker = {
  /**
   * An agent is assigned to a task (a webhook's change, a poll's sighting). New: a verified wake, or on
   * a first sighting of an already started task (a fresh deploy), adoption without a wake.
   */
  assigned(
    task: TaskSnapshot,
    agent: AgentRef,
    options?: {
      firstSighting?: boolean
      /** The task was created in the change that assigns it: it has no run card to read a record from. */
      created?: boolean
    }
  ): Promise<AssignOutcome>
  /**
   * The human approved the task from its card (the approval label is gone): its agents are woken now, when it is open
   * to them. The assignment's claim keeps it to one wake per agent, whichever comes first: this call, the flush of
   * the label's removal, a poll's tick. Returns how many were woken.
   */
  approved(task: TaskSnapshot): Promise<number>
  /** The agent no longer has the task: told to stop if its run was under way, the run cancelled. */
  unassigned(
    task: TaskSnapshot,
    agent: AgentRef,
    reason: StopReason,
    to?: AgentRef | null
  ): Promise<boolean>
  /**
   * A task first seen by a read (a poll's or a listing's baseline): an assignment of one of `agents` claimed before
   * it (a check-in on the task as a tool read it) that this version ends — cancelled, or no longer the agent's —
   * ends as that change would have ended it (`unassigned`). Returns how many agents were told to stop.
   */
  firstSeen(task: TaskSnapshot, agents: readonly AgentRef[]): Promise<number>
  /**
   * The agent did something on the task (a tool call, a comment, a listing): its assignment checked in; a read
   * leaves the run "seen" (not started), work starts it; a run under way gets a heartbeat (not stale).
   */
  activity(
    taskId: string,
    agent: AgentRef,
    options?: {
      projectId?: string
      ref?: string | null
      task?: TaskSnapshot
      /** The caller's Plane client, if the record must be rebuilt from the task's run card. */
      via?: PlaneClient
      /**
       * The agent only saw the task in its list: the run is checked in ("seen") without a card of its own, and a
       * run's heartbeat is written at most once a minute (ten agents listing twenty tasks each).
       */
      listed?: boolean
      /**
       * The agent worked on the task (a comment it wrote in Plane): the run starts. Without it a call is a read,
       * which checks the run in and starts nothing; the tools' writes start it themselves (touchRun).
       */
      worked?: boolean
      /** Not the agent's task (it was mentioned there): a mention is answered, no run is touched. */
      notMine?: boolean
    }
  ): Promise<void>
  /**
   * The agent listed these tasks of its own (list_my_tasks): each checked in as `activity` with `listed` would,
   * but read together (three reads for the lot) and written only where something changes: at 250 open tasks a
   * listing once a minute would be 750 reads one by one, in the background beside the agents' calls.
   */
  listed(agent: AgentRef, tasks: ReadonlyArray<ListedTask>, via?: PlaneClient): Promise<void>
  /** A wake OpenClaw admitted; `runId` becomes the task's session. */
  delivered(meta: WakeMeta, runId: string | null): Promise<void>
  /**
   * A wake OpenClaw did not take: the cause is kept for the human's message when every attempt fails,
   * and a refusal of the bridge itself (wrong token, hooks off) is told to the human at once, once a day.
   */
  undelivered(meta: WakeMeta, failure: WakeFailure): Promise<void>
  /** Wake the task's agents with a special text (unblocked…), once per `dedupeKey`. */
  notice(task: TaskSnapshot, text: (ref: string) => string, dedupeKey: string): Promise<number>
  /**
   * A comment mentions the agent: a verified wake with the comment and the task's link, once per comment
   * and agent (mentions.ts).
   */
  mentioned(
    task: TaskSnapshot,
    agent: AgentRef,
    mention: { commentId: string; text: string; author: string }
  ): Promise<'woken' | 'known' | 'off'>
  /** Whether the agent has a mention on the task it has not answered (it may comment on a task not its own). */
  mentionPending(taskId: string, agentId: string): Promise<boolean>
  /** Act on every deadline that has passed; `nextDueInMs` says when to come back. */
  due(): Promise<{ handled: number; nextDueInMs: number | null }>
  /** Assignments waiting for a check-in, with their agent: `/plane agent`, `/plane status`. */
  waiting(): Promise<Assignment[]>
  /** Wake the Concierge with a text of the bridge's (once per `dedupeKey`), in the session of `ref`. */
  tellConcierge(text: string, dedupeKey: string, ref: string): Promise<void>
}

/**
 * Deadlines of wakes (`wake|task|agent`), of active runs going stale (`stale|task`), of runs checked in but not
 * started (`unstarted|task`) and of a project's look for its finish (`finish|project`), scored by due time.
 */
export const DUE_SET = 'runs:due'
export const ASSIGNMENT_TTL_S = 365 * 24 * 60 * 60

export const assignmentKey = (taskId: string, agentId: string) => `run:assign:${taskId}:${agentId}`
export const wakeMember = (taskId: string, agentId: string) => `wake|${taskId}|${agentId}`
export const staleMember = (taskId: string) => `stale|${taskId}`
export const unstartedMember = (taskId: string) => `unstarted|${taskId}`
export const finishMember = (projectId: string) => `finish|${projectId}`

export type TrackerKit = {
  options: RunTrackerOptions
  m: RunMetrics
  say: RunPhrases
}

export function createTrackerKit(options: RunTrackerOptions): TrackerKit {
  return { options, m: runMetrics(options.metrics), say: runPhrasesFor(options.locale) }
}

/** A run record's key, from a task or a snapshot. */
export const recordKey = (task: { id: string; projectId: string; ref?: string | null }) => ({
  id: task.id,
  projectId: task.projectId,
  ref: task.ref ?? null,
})
export const keyOf = (r: RunRecord) => ({ id: r.taskId, projectId: r.projectId, ref: r.ref })

export function escapedFailure(failure: WakeFailure): WakeFailure {
  return { ...failure, detail: escapeHtml(failure.detail) }
}

/** The task waits for the human's approval (its `needs-approval` label): no agent is woken for it yet. */
export function awaitsApproval(task: TaskSnapshot): boolean {
  return task.labels.some((l) => l.toLowerCase() === APPROVAL_LABEL)
}

/** A new assignment of a task to an agent: to be woken, or adopted (checked in already, never woken). */
export function newAssignment(
  task: Pick<TaskSnapshot, 'id' | 'projectId'>,
  agentId: string,
  at: number,
  adopted: boolean,
  /** Found by reading (a deploy's backlog), not by a change. */
  backlog = false
): Assignment {
  return {
    taskId: task.id,
    projectId: task.projectId,
    agentId,
    assignmentId: at.toString(36),
    assignedAt: at,
    attempts: 0,
    firstWakeAt: null,
    lastWakeAt: null,
    checkedInAt: adopted ? at : null,
    adopted,
    ...(backlog ? { backlog: true } : {}),
    unanswered: false,
    admitted: 0,
    lastFailure: null,
  }
}
