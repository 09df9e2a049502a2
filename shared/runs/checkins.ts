/**
 * @module Check-ins: what an agent does on its task checks its assignment in. A read (a listing, get_task_details,
 * a call the rules refused) answers the wake and nothing more: the run is "seen", not under way, and no stale clock
 * runs for it. Work (a status, a timer, a comment, a deliverable) starts the run. OpenClaw's answer to a wake
 * (admitted: the run's session; refused: why, kept for the human) is recorded on the assignment.
 */

import { isAgentTask, isOpenForAgent } from '../agents/task-vocabulary.ts'
import type { TaskSnapshot } from '../events.ts'
import { errorMessage } from '../observe/errors.ts'
import type { RunMentions } from './mentions.ts'
import {
  ASSIGNMENT_TTL_S,
  type Assignment,
  assignmentKey,
  awaitsApproval,
  DUE_SET,
  escapedFailure,
  keyOf,
  type ListedTask,
  newAssignment,
  type RunTracker,
  staleMember,
  type TrackerKit,
  unstartedMember,
  wakeMember,
} from './tracker-kit.ts'
import type { RunRecord } from './types.ts'
import type { RunWakes } from './wakes.ts'

/**
 * A listing's heartbeat on an active run is written at most every sixth of the stale window (5 minutes of the default
 * 30), and at most once a minute: enough to keep a listed run from going stale, not a write per task and listing
 * (250 listed tasks would be 250 record updates a minute per agent).
 */
const LISTED_HEARTBEAT_MIN_MS = 60_000
const LISTED_HEARTBEAT_SHARE = 6
const CHECKINS_TTL_S = 8 * 24 * 60 * 60
/** Listings remembered at most before the old ones are dropped (ten agents × a few hundred open tasks). */
const LISTED_MEMO_MAX = 10_000

/** The day's check-in delays (seconds), for the digest's p95. */
export const checkinsKey = (day: string) => `runs:checkins:${day}`

export function createCheckins(
  { options, m, say }: TrackerKit,
  { tellHuman }: RunWakes,
  mentions: Pick<RunMentions, 'answered' | 'pendingMany'>
): Pick<RunTracker, 'activity' | 'listed' | 'delivered' | 'undelivered'> {
  const { store, runs, log, now } = options
  const listedHeartbeatMs = Math.max(
    LISTED_HEARTBEAT_MIN_MS,
    options.staleMs / LISTED_HEARTBEAT_SHARE
  )

  /**
   * Listings this process has checked in, by agent and task, with the version of the task they listed: a listing
   * within a heartbeat of the last of the same version has nothing to write (its check-in and heartbeat are
   * in), so it reads nothing either. A new version (an assignment, a change of state) is checked in anew. Marked
   * when the check-in starts, so that a listing coming while it runs does not repeat it.
   */
  const listedAt = new Map<string, number>()
  const _seen = (agentId: string, item: ListedTask) =>
    `${agentId}|${item.taskId}|${item.task.updatedAt}|${item.task.assigneeIds.join(',')}`

  const listed: RunTracker['listed'] = async (agent, tasks, via) => {
    const at = now()
    const due = tasks.filter(
      (item) =>
        at - (listedAt.get(_seen(agent.id, item)) ?? Number.NEGATIVE_INFINITY) >= listedHeartbeatMs
    )
    if (due.length === 0) return
    for (const item of due) listedAt.set(_seen(agent.id, item), at)
    // Bounded: entries older than the heartbeat are of no use any more.
    if (listedAt.size > LISTED_MEMO_MAX)
      for (const [key, when] of listedAt) if (at - when >= listedHeartbeatMs) listedAt.delete(key)
    const ids = due.map((item) => item.taskId)
    const [mentioned, entries, records] = await Promise.all([
      mentions.pendingMany(ids, agent.id),
      store.getMany<Assignment>(ids.map((id) => assignmentKey(id, agent.id))),
      runs ? runs.peekMany(ids) : Promise.resolve(ids.map(() => null)),
    ])
    // Checked in already and no mention to answer: `activity` would only beat the run's heartbeat. A run seen and still
    // to start has none to keep (nothing reads its activity time: its not-started deadline counts from when it was
    // seen), so a queue of 250 listed tasks is not 250 record updates a heartbeat; its deadline, if a failed write
    // lost it, is set again. A run under way gets its beat once the last is a heartbeat old.
    const checkedIn = (i: number) => !mentioned[i] && (entries[i]?.checkedInAt ?? null) !== null
    const beatLately = (record: RunRecord | null) =>
      record !== null &&
      !_checksIn(record, agent.id) &&
      at - (Date.parse(record.lastActivityAt ?? '') || 0) < listedHeartbeatMs
    // The others each touch only their own keys: together, as `activity` for each would have been.
    await Promise.all(
      due.map(async (item, i) => {
        try {
          const record = records[i] ?? null
          const known = checkedIn(i)
          if (known && record && _waitsToStart(record, agent.id, item.task))
            await store.sortedAdd(DUE_SET, unstartedMember(item.taskId), at + options.staleMs, {
              onlyIfAbsent: true,
            })
          else if (!known || (runs && !beatLately(record)))
            await _activity(item.taskId, agent, { ...item, listed: true, ...(via ? { via } : {}) })
        } catch (error) {
          // Not checked in: the next listing tries again; the others go on.
          listedAt.delete(_seen(agent.id, item))
          log.warn('check-in not recorded', {
            task: item.taskId,
            agent: agent.id,
            error: errorMessage(error),
          })
        }
      })
    )
  }

  const activity: RunTracker['activity'] = (taskId, agent, where = {}) =>
    _activity(taskId, agent, where)

  const _activity: RunTracker['activity'] = async (taskId, agent, where = {}) => {
    // Any call on the task answers a mention of the agent there.
    await mentions.answered(taskId, agent)
    if (where.notMine) return
    const key = assignmentKey(taskId, agent.id)
    const entry = await store.get<Assignment>(key)
    const at = now()
    // The agent found its task before any wake reached it (it listed it, or called a tool on it): the
    // assignment is taken as checked in, so no wake follows for it (none while it waits for approval).
    if (!entry) {
      const task = (await options.snapshot(taskId)) ?? where.task ?? null
      if (task && isAgentTask(task, agent) && isOpenForAgent(task) && !awaitsApproval(task))
        await store.claim(key, ASSIGNMENT_TTL_S, newAssignment(task, agent.id, at, true))
    }
    if (entry && entry.checkedInAt === null) {
      await store.set(key, { ...entry, checkedInAt: at }, { ttlSeconds: ASSIGNMENT_TTL_S })
      await store.sortedRemove(DUE_SET, wakeMember(taskId, agent.id))
      if (entry.firstWakeAt !== null) m.wakeToCheckin.observe({}, (at - entry.firstWakeAt) / 1000)
      const day = new Date(at).toISOString().slice(0, 10)
      await store.sortedAdd(
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
    // Work starts the run (people see it start: its card is written); a read only checks it in ("seen"); on a run
    // already under way either is a heartbeat, which stays in the store.
    // A task Plane shows under way (In Progress since an earlier run, or a person's move) is not waiting to start:
    // read, its run is under way as a deploy's adoption makes it.
    const underWay = (where.task ?? (await options.snapshot(taskId)))?.state?.group === 'started'
    const starts = (r: RunRecord | null) =>
      (where.worked === true || underWay) && _resumes(r, agent.id)
    const checksIn = (r: RunRecord | null) => !starts(r) && _checksIn(r, agent.id)
    const lastBeat = Date.parse(stored?.lastActivityAt ?? '') || 0
    const beat = stored && !starts(stored) && !checksIn(stored)
    if (where.listed && beat && at - lastBeat < listedHeartbeatMs) return
    const saved = await runs.update(
      { id: taskId, projectId, ref: stored?.ref ?? where.ref ?? null },
      (r) =>
        starts(r)
          ? { ...r, lastActivityAt: iso, agentId: agent.id, state: 'active' }
          : checksIn(r)
            ? { ...r, lastActivityAt: iso, agentId: agent.id, state: 'seen' }
            : { ...r, lastActivityAt: iso },
      {
        agentName: agent.name,
        card: starts(stored) && !where.listed,
        ...(where.via ? { via: where.via } : {}),
      }
    )
    // A run checked in and not started is looked at again after the stale window ("n'a pas commencé", once): set
    // when it becomes seen, kept by a heartbeat (one that finds it missing, a write that failed, sets it again);
    // the deadline of a run under way moves on with each heartbeat.
    if (saved.state === 'seen')
      await store.sortedAdd(
        DUE_SET,
        unstartedMember(taskId),
        at + options.staleMs,
        stored?.state === 'seen' ? { onlyIfAbsent: true } : {}
      )
    else await store.sortedAdd(DUE_SET, staleMember(taskId), at + options.staleMs)
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

  return { activity, listed, delivered, undelivered }
}

/**
 * The agent's run seen and not started, on a task Plane does not show under way (a read of one that is under way
 * starts it): a listing has nothing to write on it.
 */
function _waitsToStart(
  r: RunRecord,
  agentId: string,
  task: Pick<TaskSnapshot, 'state'> | undefined
): boolean {
  return r.state === 'seen' && r.agentId === agentId && task?.state?.group !== 'started'
}

/** A read of the task checks this run in: no record yet, or a pending one (woken) that is the agent's or no one's. */
function _checksIn(r: RunRecord | null, agentId: string): boolean {
  return r === null || ((r.agentId ?? agentId) === agentId && r.state === 'pending')
}

/** Work on the task starts (or resumes) this run: no record, or one of the agent's not under way (pending, seen, stale). */
function _resumes(r: RunRecord | null, agentId: string): boolean {
  return (
    r === null ||
    ((r.agentId ?? agentId) === agentId &&
      (r.state === 'pending' || r.state === 'seen' || r.state === 'stale'))
  )
}
