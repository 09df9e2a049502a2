/** @module The bridge's record of one task's run: what Plane CE cannot hold (no custom fields, no worklogs). */

/**
 * OPENCLAW-09/15: a run is (task, agent), followed from the wake until it ends. pending: woken, not checked in;
 * seen: checked in (the agent listed or read the task), not started; active: under way (a status, a timer, a comment,
 * a deliverable); awaiting: waiting for the human; stale: under way, then quiet for RUN_STALE_MINUTES.
 */
export type RunState =
  | 'pending'
  | 'seen'
  | 'active'
  | 'awaiting'
  | 'done'
  | 'cancelled'
  | 'failed'
  | 'stale'

export type Deliverable = {
  /** Plane's attachment (asset) id. */
  attachmentId: string
  name: string
  mimeType: string
  sizeBytes: number
  /** Where people open it (the task's attachment link in Plane). */
  url: string | null
  description: string | null
  /** ISO instant. */
  at: string
}

/**
 * One task's metadata, kept in the store (`run:record:<taskId>`) and mirrored into the task's run card
 * comment in Plane, from which it is rebuilt when the store is empty (DESIGN: Plane is the system of record).
 */
export type RunRecord = {
  /** Format version of the record and of the card's machine line. */
  v: 1
  taskId: string
  projectId: string
  /** `ONB-12`, when known. */
  ref: string | null
  /** The agent whose run this is (registry id), null before anyone took it. */
  agentId: string | null
  state: RunState
  /** ISO instants. */
  startedAt: string | null
  finishedAt: string | null
  /** Closed timer intervals, added up. */
  timeSpentSeconds: number
  /** A running timer's start (ISO), or null. */
  timerStartedAt: string | null
  /** 0–1; 0.8 by default for tasks the Concierge creates (OPENCLAW-11). */
  confidence: number | null
  /** USD. */
  costEstimate: number | null
  cost: number | null
  /** OpenClaw run or session (`openclaw-session-{uuid}`), OPENCLAW-13. */
  sessionId: string | null
  /** Refs (`ONB-3`) or ids of the tasks this one waits for; kept here so gating works on Plane v1.2. */
  dependencies: string[]
  /** The same tasks by id (absent from older records): read from the index without asking Plane. */
  dependencyIds?: string[]
  deliverables: Deliverable[]
  /** The last tool call or comment of the agent (ISO). */
  lastActivityAt: string | null
  /** A short summary given when the task was finished. */
  summary: string | null
  /** The Plane comment that carries the card, once written. */
  cardCommentId: string | null
  /** When `state` last changed (ISO): how long a run has been awaiting or stale. */
  stateSince?: string | null
  /**
   * Created waiting for the human's approval (label needs-approval): because the Concierge asked, or because the
   * budget was out (OPENCLAW-11). Its estimate is held, not committed, until an agent is woken for it. Named `held`
   * in records and run cards written by earlier versions: read as this (record-keys.ts), written under this name only.
   */
  waitsFor?: 'approval' | 'budget' | null
  /** Earlier runs of the task by other agents, oldest first: who, how it ended, why. */
  previous?: PreviousRun[]
}

export type PreviousRun = {
  agentId: string
  state: RunState
  /** `reassigned`, `unassigned`, `cancelled`. */
  reason: string
  /** ISO instant it ended. */
  at: string
}
