/**
 * @module Deadlines and re-wakes (OPENCLAW-09, 15): every deadline in `runs:due` handled once when it passes —
 * an agent that has not checked in is woken again, then, out of attempts, the human and the Concierge are told;
 * an active run's stale deadline and a checked-in run's not-started one go to stale.ts. The `notify` cron catches what a restart left.
 */

import { isAgentTask, isOpenForAgent } from '../agents/task-vocabulary.ts'
import { renderTaskName } from '../notify/messages.ts'
import { errorMessage } from '../observe/errors.ts'
import type { StoreLock } from '../store/store.ts'
import { escapeHtml } from '../telegram/html.ts'
import type { RunMentions } from './mentions.ts'
import { countOpenRuns } from './records.ts'
import type { QuietRuns } from './stale.ts'
import {
  ASSIGNMENT_TTL_S,
  type Assignment,
  assignmentKey,
  awaitsApproval,
  DUE_SET,
  escapedFailure,
  type RunTracker,
  type TrackerKit,
  wakeMember,
} from './tracker-kit.ts'
import type { RunWakes } from './wakes.ts'

/** Longer than handling one deadline takes (a wake enqueued, a message, a run record). */
const DUE_LOCK_TTL_S = 60
const DUE_BATCH = 200
const GAUGE_EVERY_MS = 30_000

export function createDeadlines(
  kit: TrackerKit,
  { taskRef, sendWake, tellHuman, tellConcierge }: RunWakes,
  { assigned }: Pick<RunTracker, 'assigned'>,
  { staleDue, unstartedDue }: QuietRuns,
  mentions: Pick<RunMentions, 'due'>
): Pick<RunTracker, 'due' | 'waiting'> {
  const { options, m, say } = kit
  const { store, log, now, locale } = options

  /** A wake deadline: checked in → done; still assigned → wake again or, out of attempts, tell people. */
  const wakeDue = async (taskId: string, agentId: string) => {
    const member = wakeMember(taskId, agentId)
    const agent = await options.directory.agentById(agentId)
    const task = await options.snapshot(taskId)
    const entry = await store.get<Assignment>(assignmentKey(taskId, agentId))
    const stillMine = agent && task && isAgentTask(task, agent) && isOpenForAgent(task)
    if (!agent || !task || !stillMine || awaitsApproval(task)) {
      await store.sortedRemove(DUE_SET, member)
      return
    }
    if (!entry) {
      // The assignment was never recorded (a crash after its deadline was set): record it now.
      await store.sortedRemove(DUE_SET, member)
      await assigned(task, agent)
      return
    }
    if (entry.checkedInAt !== null || entry.unanswered) {
      await store.sortedRemove(DUE_SET, member)
      return
    }
    if (entry.attempts < options.attempts) {
      await sendWake(entry, task, agent)
      return
    }
    const { project, ref, url } = await taskRef(task)
    const name = renderTaskName(task, { locale, project, taskUrl: url })
    const who = `<b>${escapeHtml(agent.name)}</b>`
    // No wake ever reached OpenClaw: say why; the Concierge, behind the same OpenClaw, is not tried.
    const failure = (entry.admitted ?? 0) === 0 ? (entry.lastFailure ?? null) : null
    await tellHuman(
      failure
        ? say.undeliveredHuman(who, name, entry.attempts, say.cause(escapedFailure(failure)))
        : say.unansweredHuman(who, name, entry.attempts),
      `unanswered:${taskId}:${agentId}:${entry.assignmentId}`,
      task.projectId,
      agent
    )
    if (!failure)
      await tellConcierge(
        say.unansweredConcierge(agent.name, ref, entry.attempts),
        `unanswered:${taskId}:${agentId}:${entry.assignmentId}:concierge`,
        ref
      )
    await store.set(
      assignmentKey(taskId, agentId),
      { ...entry, unanswered: true },
      { ttlSeconds: ASSIGNMENT_TTL_S }
    )
    await store.sortedRemove(DUE_SET, member)
    m.unanswered.inc({ agent: agentId })
    log.warn('agent does not answer', { task: taskId, agent: agentId, attempts: entry.attempts })
  }

  /** `plane_bridge_runs{state}`: open runs by state, counted from the index at most every 30 s. */
  let gaugeAt = Number.NEGATIVE_INFINITY
  const refreshGauge = async () => {
    if (now() - gaugeAt < GAUGE_EVERY_MS) return
    gaugeAt = now()
    for (const [state, n] of Object.entries(await countOpenRuns(store))) m.runs.set({ state }, n)
  }

  return {
    async due() {
      await refreshGauge()
      let handled = 0
      const entries = await store.sortedRange(DUE_SET, { maxScore: now(), limit: DUE_BATCH })
      for (const { member } of entries) {
        const [kind, taskId, agentId] = member.split('|')
        // Two passes at once (a process's flush and the notify cron, two replicas) would both act on a deadline
        // they both read as due: the second sending reminder 3/3 right after 2/3. One pass per deadline, and only
        // while it is still due (the other pass may have moved it on).
        let lock: StoreLock | null = null
        try {
          lock = await store.lock(`runs:due:lock:${member.replaceAll('|', ':')}`, DUE_LOCK_TTL_S)
          if (!lock) continue
          const score = await store.sortedScore(DUE_SET, member)
          if (score === null || score > now()) continue
          if (kind === 'wake' && taskId && agentId) await wakeDue(taskId, agentId)
          else if (kind === 'stale' && taskId) await staleDue(taskId)
          else if (kind === 'unstarted' && taskId) await unstartedDue(taskId)
          else if (kind === 'finish' && taskId) {
            await options.finishDue?.(taskId)
            await store.sortedRemove(DUE_SET, member)
          } else if (kind === 'mention' && taskId && agentId) await mentions.due(taskId, agentId)
          else await store.sortedRemove(DUE_SET, member)
          handled++
        } catch (error) {
          // One broken deadline must not hold the others: it stays and is tried again next pass.
          log.error('run deadline failed', {
            member,
            error: errorMessage(error),
          })
        } finally {
          await lock?.release().catch(() => undefined)
        }
      }
      const [next] = await store.sortedRange(DUE_SET, { limit: 1 })
      return { handled, nextDueInMs: next ? Math.max(0, next.score - now()) : null }
    },
    async waiting() {
      const entries = await store.sortedRange(DUE_SET, { limit: DUE_BATCH })
      const out: Assignment[] = []
      for (const { member } of entries) {
        const [kind, taskId, agentId] = member.split('|')
        if (kind !== 'wake' || !taskId || !agentId) continue
        const entry = await store.get<Assignment>(assignmentKey(taskId, agentId))
        if (entry && entry.checkedInAt === null && !entry.unanswered) out.push(entry)
      }
      return out
    },
  }
}
