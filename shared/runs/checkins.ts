/**
 * @module Check-ins: what an agent does on its task (a tool call, a comment, a listing) checks its assignment in
 * and keeps its run from going stale; OpenClaw's answer to a wake (admitted: the run's session; refused: why,
 * kept for the human) is recorded on the assignment.
 */
import { isAgentTask, isOpenForAgent } from '../task-vocabulary.ts'
import type { RunMentions } from './mentions.ts'
import {
  ASSIGNMENT_TTL_S,
  type Assignment,
  assignmentKey,
  DUE_INDEX,
  escapedFailure,
  isHeld,
  keyOf,
  newAssignment,
  type RunTracker,
  staleMember,
  type TrackerKit,
  wakeMember,
} from './tracker-kit.ts'
import type { RunRecord } from './types.ts'
import type { RunWakes } from './wakes.ts'

/** A listing's heartbeat on an active run is written at most this often (a run goes stale after minutes). */
const LISTED_HEARTBEAT_MS = 60_000
const CHECKINS_TTL_S = 8 * 24 * 60 * 60
/** Listings remembered at most before the old ones are dropped (ten agents × a few hundred open tasks). */
const LISTED_MEMO_MAX = 10_000

/** The day's check-in delays (seconds), for the digest's p95. */
export const checkinsKey = (day: string) => `runs:checkins:${day}`

export function createCheckins(
  { options, m, say }: TrackerKit,
  { tellHuman }: RunWakes,
  mentions: Pick<RunMentions, 'answered'>
): Pick<RunTracker, 'activity' | 'delivered' | 'undelivered'> {
  const { store, runs, log, now } = options

  /**
   * Listings this process has checked in, by agent and task, with the version of the task they listed: a listing
   * within LISTED_HEARTBEAT_MS of the last of the same version has nothing to write (its check-in and heartbeat are
   * in), so it reads nothing either. 250 open tasks cost two reads each per listing (issue 39). A new version (an
   * assignment, a change of state) is checked in anew.
   */
  const listedAt = new Map<string, number>()
  const activity: RunTracker['activity'] = async (taskId, agent, where = {}) => {
    const seen = where.listed
      ? `${agent.id}|${taskId}|${where.task?.updatedAt ?? ''}|${where.task?.assigneeIds.join(',') ?? ''}`
      : null
    if (
      seen !== null &&
      now() - (listedAt.get(seen) ?? Number.NEGATIVE_INFINITY) < LISTED_HEARTBEAT_MS
    )
      return
    await _activity(taskId, agent, where)
    if (seen === null) return
    listedAt.set(seen, now())
    // Bounded: entries older than the heartbeat are of no use any more.
    if (listedAt.size > LISTED_MEMO_MAX)
      for (const [key, at] of listedAt) if (now() - at >= LISTED_HEARTBEAT_MS) listedAt.delete(key)
  }

  const _activity: RunTracker['activity'] = async (taskId, agent, where = {}) => {
    // Any call on the task answers a mention of the agent there (issue 37).
    await mentions.answered(taskId, agent)
    if (where.notMine) return
    const key = assignmentKey(taskId, agent.id)
    const entry = await store.get<Assignment>(key)
    const at = now()
    // The agent found its task before any wake reached it (it listed it, or called a tool on it): the
    // assignment is taken as checked in, so no wake follows for it (none while it waits for approval).
    if (!entry) {
      const task = (await options.snapshot(taskId)) ?? where.task ?? null
      if (task && isAgentTask(task, agent) && isOpenForAgent(task) && !isHeld(task))
        await store.claim(key, ASSIGNMENT_TTL_S, newAssignment(task, agent.id, at, true))
    }
    if (entry && entry.checkedInAt === null) {
      await store.set(key, { ...entry, checkedInAt: at }, { ttlSeconds: ASSIGNMENT_TTL_S })
      await store.indexRemove(DUE_INDEX, wakeMember(taskId, agent.id))
      if (entry.firstWakeAt !== null) m.wakeToCheckin.observe({}, (at - entry.firstWakeAt) / 1000)
      const day = new Date(at).toISOString().slice(0, 10)
      await store.indexAdd(
        checkinsKey(day),
        `${taskId}|${agent.id}|${entry.assignmentId}`,
        (at - entry.assignedAt) / 1000,
        {
          ttlSeconds: CHECKINS_TTL_S,
        }
      )
      log.info('agent checked in', { task: taskId, agent: agent.id, attempts: entry.attempts })
    }
    if (!runs) return
    const stored = await runs.peek(taskId)
    const projectId = stored?.projectId ?? where.projectId
    if (!projectId) return
    const iso = new Date(at).toISOString()
    // A change of state writes the card (people see the run start); a mere heartbeat stays in the store.
    const starts = (r: RunRecord | null) =>
      r === null ||
      ((r.agentId ?? agent.id) === agent.id && (r.state === 'pending' || r.state === 'stale'))
    const lastBeat = Date.parse(stored?.lastActivityAt ?? '') || 0
    if (where.listed && stored && !starts(stored) && at - lastBeat < LISTED_HEARTBEAT_MS) return
    await runs.update(
      { id: taskId, projectId, ref: stored?.ref ?? where.ref ?? null },
      (r) =>
        starts(r)
          ? { ...r, lastActivityAt: iso, agentId: agent.id, state: 'active' }
          : { ...r, lastActivityAt: iso },
      {
        agentName: agent.name,
        card: starts(stored) && !where.listed,
        ...(where.via ? { via: where.via } : {}),
      }
    )
    await store.indexAdd(DUE_INDEX, staleMember(taskId), at + options.staleMs)
  }

  const delivered: RunTracker['delivered'] = async (meta, runId) => {
    const key = assignmentKey(meta.taskId, meta.agentId)
    const entry = await store.get<Assignment>(key)
    if (entry) {
      if ((entry.admitted ?? 0) === 0) m.assignToWake.observe({}, (now() - entry.assignedAt) / 1000)
      await store.set(
        key,
        { ...entry, admitted: (entry.admitted ?? 0) + 1, lastFailure: null },
        { ttlSeconds: ASSIGNMENT_TTL_S }
      )
    }
    if (!runId || !runs) return
    const current = await runs.peek(meta.taskId)
    if (!current || current.agentId !== meta.agentId || current.sessionId === runId) return
    await runs.update(keyOf(current), (r) => ({ ...r, sessionId: runId }), {
      agentName: null,
      card: false,
    })
  }

  const undelivered: RunTracker['undelivered'] = async (meta, failure) => {
    const key = assignmentKey(meta.taskId, meta.agentId)
    const entry = await store.get<Assignment>(key)
    if (entry && (entry.admitted ?? 0) === 0)
      await store.set(key, { ...entry, lastFailure: failure }, { ttlSeconds: ASSIGNMENT_TTL_S })
    if (failure.kind === 'auth' || failure.kind === 'not_found') {
      const day = new Date(now()).toISOString().slice(0, 10)
      await tellHuman(
        say.refusedHuman(say.cause(escapedFailure(failure))),
        `openclaw-refused:${failure.kind}:${day}`
      )
      log.error('OpenClaw refuses the wake-ups', { kind: failure.kind, status: failure.status })
    }
  }

  return { activity, delivered, undelivered }
}
