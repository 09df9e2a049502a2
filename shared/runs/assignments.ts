/**
 * @module Assignments: an agent given a task is woken (or, on a deploy's first sighting of a started task, its
 * run adopted without a wake); an agent that loses it is told to stop and its run cancelled, also when the bridge
 * first sees the task already taken from it; a task the human approved wakes its agents; a task's agents are woken
 * with a special text (unblocked…).
 */

import { agentsOfTask, isOpenForAgent } from '../agents/task-vocabulary.ts'
import { OPEN_RUN_STATES } from './records.ts'
import {
  ASSIGNMENT_TTL_S,
  type Assignment,
  assignmentKey,
  awaitsApproval,
  DUE_SET,
  keyOf,
  newAssignment,
  type RunTracker,
  recordKey,
  staleMember,
  type TrackerKit,
  wakeMember,
} from './tracker-kit.ts'
import type { RunRecord } from './types.ts'
import type { RunWakes } from './wakes.ts'

export function createAssignments(
  { options, say }: TrackerKit,
  { taskRef, agentWake, sendWake }: RunWakes
): Pick<RunTracker, 'assigned' | 'approved' | 'unassigned' | 'firstSeen' | 'notice'> {
  const { store, outbox, runs, log, now } = options

  const assigned: RunTracker['assigned'] = async (
    task,
    agent,
    { firstSighting = false, created = false } = {}
  ) => {
    if (!options.wakeAgents) return 'off'
    const key = assignmentKey(task.id, agent.id)
    const adopt = firstSighting && task.state?.group === 'started'
    // Awaiting the human's approval: nothing is recorded, so the approval's sighting wakes the agent.
    if (!adopt && awaitsApproval(task)) return 'awaiting-approval'
    // The deadline goes in first: whatever happens next, it comes due and is checked against the store.
    if (!adopt)
      await store.sortedAdd(DUE_SET, wakeMember(task.id, agent.id), now() + options.checkinMs, {
        onlyIfAbsent: true,
      })
    // Found by a read (a deploy's backlog), not a change: its wakes wait behind what a change asks for now.
    const entry = newAssignment(task, agent.id, now(), adopt, firstSighting)
    if (!(await store.claim(key, ASSIGNMENT_TTL_S, entry))) return 'known'
    const { ref } = await taskRef(task)
    // The wake waits on the record: a card to rebuild it from is read at an agent's priority, and a task created
    // by this very change has none to read. A deploy's backlog, found by a read, reads its cards at background
    // work's share: hundreds at once, they would take the agents' share of the bridge key for minutes (the
    // Concierge's create_task waited 48 s behind them).
    const reads = {
      ...(options.cardReads && !firstSighting ? { via: options.cardReads } : {}),
      ...(created ? { created: true } : {}),
    }
    if (adopt) {
      await runs?.update(
        recordKey({ ...task, ref }),
        (r) =>
          OPEN_RUN_STATES.has(r.state) && r.agentId === agent.id
            ? r
            : {
                ...r,
                agentId: agent.id,
                state: 'active',
                lastActivityAt: r.lastActivityAt ?? new Date(now()).toISOString(),
              },
        { agentName: agent.name, card: false, ...reads }
      )
      await store.sortedAdd(DUE_SET, staleMember(task.id), now() + options.staleMs)
      log.info('run adopted', { task: task.id, agent: agent.id })
      return 'adopted'
    }
    await runs?.update(
      recordKey({ ...task, ref }),
      (r) => _newRun(r, agent.id, new Date(now()).toISOString()),
      { agentName: agent.name, card: false, ...reads }
    )
    await sendWake(entry, task, agent)
    return 'woken'
  }

  const approved: RunTracker['approved'] = async (task) => {
    // Still awaiting approval, or not the agents' to pick up (backlog, finished: OPENCLAW-02): nobody is woken.
    if (awaitsApproval(task) || !isOpenForAgent(task)) return 0
    let woken = 0
    for (const agent of await agentsOfTask(options.directory, task))
      if ((await assigned(task, agent)) === 'woken') woken++
    return woken
  }

  const unassigned: RunTracker['unassigned'] = async (task, agent, reason, to = null) => {
    const key = assignmentKey(task.id, agent.id)
    const entry = await store.get<Assignment>(key)
    const current = runs ? await runs.peek(task.id) : null
    const mine = current?.agentId === agent.id
    // Never woken (awaiting approval, say): nothing to stop.
    const underWay = entry !== null && (!mine || OPEN_RUN_STATES.has(current.state))
    let told = false
    if (underWay && options.wakeAgents) {
      const { ref } = await taskRef(task)
      await outbox.enqueue(
        agentWake(
          agent,
          ref,
          say.stop(ref, task.name, reason, to?.name ?? null),
          `stop:${task.id}:${agent.id}:${entry?.assignmentId ?? task.updatedAt}`
        )
      )
      told = true
      log.info('agent told to stop', { task: task.id, agent: agent.id, reason })
    }
    if (runs && mine && current && OPEN_RUN_STATES.has(current.state)) {
      const at = new Date(now()).toISOString()
      await runs.update(
        keyOf(current),
        (r) =>
          r.agentId !== agent.id || !OPEN_RUN_STATES.has(r.state)
            ? r
            : {
                ...r,
                state: 'cancelled',
                finishedAt: at,
                timerStartedAt: null,
                timeSpentSeconds:
                  r.timeSpentSeconds +
                  (r.timerStartedAt
                    ? Math.max(0, Math.round((now() - Date.parse(r.timerStartedAt)) / 1000))
                    : 0),
                previous: [
                  ...(r.previous ?? []),
                  { agentId: agent.id, state: 'cancelled', reason, at },
                ],
              },
        { agentName: agent.name, agentNames: { [agent.id]: agent.name } }
      )
    }
    await store.sortedRemove(DUE_SET, wakeMember(task.id, agent.id))
    await store.delete(key)
    return told
  }

  const firstSeen: RunTracker['firstSeen'] = async (task, agents) => {
    // Only a check-in claims an assignment on a task no sighting has shown (the task as its tool read it): the
    // first sighting may find it cancelled or given to another since, a baseline with no change to end it. Left,
    // it made the task's reopening (or its return to the agent) look known already: no wake.
    const holders = await agentsOfTask(options.directory, task)
    const cancelled = task.state?.group === 'cancelled'
    const gone = agents.filter((a) => cancelled || !holders.some((h) => h.id === a.id))
    if (gone.length === 0) return 0
    const entries = await store.getMany<Assignment>(gone.map((a) => assignmentKey(task.id, a.id)))
    const to = holders[0] ?? null
    let told = 0
    for (const [i, agent] of gone.entries()) {
      if (!entries[i]) continue
      const reason = cancelled ? 'cancelled' : to ? 'reassigned' : 'unassigned'
      if (await unassigned(task, agent, reason, to)) told++
    }
    return told
  }

  const notice: RunTracker['notice'] = async (task, text, dedupeKey) => {
    if (!options.wakeAgents) return 0
    const { ref } = await taskRef(task)
    let count = 0
    for (const agent of await agentsOfTask(options.directory, task)) {
      const { enqueued } = await outbox.enqueue(
        agentWake(agent, ref, text(ref), `${dedupeKey}:${agent.id}`)
      )
      if (enqueued) count++
    }
    return count
  }

  return { assigned, approved, unassigned, firstSeen, notice }
}

// --- Internal helpers ---

/** A new run for this agent; a previous agent's open run is closed as reassigned. */
function _newRun(r: RunRecord, agentId: string, at: string): RunRecord {
  // Woken: no longer waiting for approval, its estimate is committed (OPENCLAW-11).
  if (r.agentId === agentId && OPEN_RUN_STATES.has(r.state))
    return r.waitsFor ? { ...r, waitsFor: null } : r
  const previous =
    r.agentId && r.agentId !== agentId && OPEN_RUN_STATES.has(r.state)
      ? [
          ...(r.previous ?? []),
          { agentId: r.agentId, state: 'cancelled' as const, reason: 'reassigned', at },
        ]
      : (r.previous ?? [])
  return {
    ...r,
    agentId,
    state: 'pending',
    startedAt: null,
    finishedAt: null,
    summary: null,
    waitsFor: null,
    previous,
  }
}
