/**
 * @module Runs that say nothing (OPENCLAW-16): an active run quiet for RUN_STALE_MINUTES becomes stale and the human
 * is told once; activity since its deadline moves the deadline on. A run checked in and not started for as long,
 * while its agent has nothing else under way and nothing holds the task back, is told once as not started: a
 * listed task is not a silent one.
 */
import { isAgentTask } from '../agents/task-vocabulary.ts'
import type { TaskSnapshot } from '../events.ts'
import type { AgentRef } from '../notify/directory.ts'
import { renderTaskName } from '../notify/messages.ts'
import { escapeHtml } from '../telegram/html.ts'
import { readOpenRuns } from './records.ts'
import {
  awaitsApproval,
  DUE_SET,
  keyOf,
  staleMember,
  type TrackerKit,
  unstartedMember,
} from './tracker-kit.ts'
import type { RunRecord } from './types.ts'
import type { RunWakes } from './wakes.ts'

/** A run told as not started is looked at again this much later (its check-in the same, it is not told again). */
const TOLD_QUIET_MS = 7 * 24 * 60 * 60 * 1000
/** How long one read of the runs under way answers "is the agent at work elsewhere" (a pass of deadlines). */
const ACTIVE_MEMO_MS = 10_000
/** Runs under way read for it (a first cycle's pending wakes may be thousands; seen runs are indexed apart). */
const OPEN_RUNS_READ = 5_000

export type QuietRuns = {
  staleDue(taskId: string): Promise<void>
  unstartedDue(taskId: string): Promise<void>
}

export function createStaleRuns(
  { options, m, say }: TrackerKit,
  { taskRef, tellHuman }: RunWakes
): QuietRuns {
  const { store, runs, log, now, locale } = options

  /** The task's name as the human reads it: linked when the pipeline holds it, else the reference its run keeps. */
  const nameOf = async (record: RunRecord) => {
    const task = await options.snapshot(record.taskId)
    // A task the pipeline holds no snapshot of (a store rebuilt from run cards, a task not seen since) is still
    // told, by the reference its run keeps.
    const ref = task ? await taskRef(task) : null
    return task && ref
      ? renderTaskName(task, { locale, project: ref.project, taskUrl: ref.url })
      : escapeHtml(record.ref ?? record.taskId)
  }

  /** A stale deadline: quiet for the window → stale, the human told once; activity since → later. */
  const staleDue = async (taskId: string) => {
    const member = staleMember(taskId)
    const current = runs ? await runs.peek(taskId) : null
    if (!runs || !current || current.state !== 'active' || !current.agentId) {
      await store.sortedRemove(DUE_SET, member)
      return
    }
    const last = quietSince(current)
    if (last + options.staleMs > now()) {
      await store.sortedAdd(DUE_SET, member, last + options.staleMs)
      return
    }
    const agent = await options.directory.agentById(current.agentId)
    await runs.update(
      keyOf(current),
      (r) => (r.state === 'active' ? { ...r, state: 'stale' } : r),
      { agentName: agent?.name ?? current.agentId }
    )
    await tellHuman(
      say.staleHuman(
        `<b>${escapeHtml(agent?.name ?? current.agentId)}</b>`,
        await nameOf(current),
        Math.round(options.staleMs / 60_000)
      ),
      `stale:${taskId}:${last}`,
      current.projectId,
      agent ? { id: agent.id, name: agent.name } : undefined
    )
    await store.sortedRemove(DUE_SET, member)
    m.stale.inc({ agent: current.agentId })
    log.warn('run went stale', { task: taskId, agent: current.agentId })
  }

  /**
   * A not-started deadline: a run still "seen" (checked in, not started) a window after it was seen. An agent at work
   * on another task, or a task waiting for a dependency, is a queue, not a silence: looked at again a window later.
   * Otherwise the human is told once for this check-in, in words that say the agent has the task and has not begun.
   */
  const unstartedDue = async (taskId: string) => {
    const member = unstartedMember(taskId)
    const current = runs ? await runs.peek(taskId) : null
    if (current?.state !== 'seen' || !current.agentId) {
      await store.sortedRemove(DUE_SET, member)
      return
    }
    const seenAt = Date.parse(current.stateSince ?? '') || 0
    if (seenAt + options.staleMs > now()) {
      await store.sortedAdd(DUE_SET, member, seenAt + options.staleMs)
      return
    }
    const agent = await options.directory.agentById(current.agentId)
    const task = await options.snapshot(taskId)
    // No longer the agent's to start (taken off it, finished, awaiting approval, moved in progress): nothing to say.
    if (!agent || (task && !_toStart(task, agent))) {
      await store.sortedRemove(DUE_SET, member)
      return
    }
    if ((await _busyElsewhere(agent, taskId)) || (await _waitsForDependency(current))) {
      await store.sortedAdd(DUE_SET, member, now() + options.staleMs)
      return
    }
    await tellHuman(
      say.unstartedHuman(
        `<b>${escapeHtml(agent.name)}</b>`,
        await nameOf(current),
        Math.round((now() - seenAt) / 60_000)
      ),
      `unstarted:${taskId}:${agent.id}:${current.stateSince ?? ''}`,
      current.projectId,
      { id: agent.id, name: agent.name }
    )
    // Told: quiet for a week rather than gone, or the next listing's heartbeat would arm it again every window.
    await store.sortedAdd(DUE_SET, member, now() + TOLD_QUIET_MS)
    m.unstarted.inc({ agent: agent.id })
    log.info('run not started', { task: taskId, agent: agent.id })
  }

  /** The agent has another run under way: it works through its tasks one at a time. */
  /**
   * Which tasks each agent has under way, read once for a pass of deadlines: an agent's listed queue comes due all at
   * once (250 tasks listed together, 250 not-started deadlines 30 minutes later), one read of the open runs each was
   * 250 reads of hundreds of records.
   */
  let active: { at: number; byAgent: Map<string, Set<string>> } | null = null
  const _busyElsewhere = async (agent: AgentRef, taskId: string) => {
    if (!active || now() - active.at > ACTIVE_MEMO_MS) {
      const byAgent = new Map<string, Set<string>>()
      for (const r of (await readOpenRuns(store, OPEN_RUNS_READ, { seen: false })).underWay)
        if (r.agentId && r.state === 'active')
          byAgent.set(r.agentId, (byAgent.get(r.agentId) ?? new Set()).add(r.taskId))
      active = { at: now(), byAgent }
    }
    const tasks = active.byAgent.get(agent.id)
    return tasks !== undefined && [...tasks].some((id) => id !== taskId)
  }

  /** A dependency not done (or one the bridge cannot tell): starting would be refused. */
  const _waitsForDependency = async (record: RunRecord) => {
    const ids = record.dependencyIds ?? []
    if (record.dependencies.length > ids.length) return true
    for (const id of ids) {
      const dependency = await options.snapshot(id)
      if (dependency?.state?.group !== 'completed') return true
    }
    return false
  }

  return { staleDue, unstartedDue }
}

/** Still the agent's to start: its own, in a state not started (Todo), not awaiting the human's approval. */
function _toStart(task: TaskSnapshot, agent: AgentRef): boolean {
  return isAgentTask(task, agent) && task.state?.group === 'unstarted' && !awaitsApproval(task)
}

/**
 * Since when a run has been quiet: its agent's last activity, or its last change of state if later. A run made
 * active again (a question answered, a task sent back) whose agent has not called yet is quiet since then, not since
 * its last call: judged by that call, it would go stale at once, and with the key of its earlier staleness it would
 * be logged "run went stale" and told to no one.
 */
export function quietSince(run: Pick<RunRecord, 'lastActivityAt' | 'stateSince'>): number {
  return Math.max(Date.parse(run.lastActivityAt ?? '') || 0, Date.parse(run.stateSince ?? '') || 0)
}
