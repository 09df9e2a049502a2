/**
 * @module Stale runs (OPENCLAW-16): an active run quiet for RUN_STALE_MINUTES becomes stale and the human is told
 * once; activity since its deadline moves the deadline on.
 */
import { renderTaskName } from '../notify/messages.ts'
import { escapeHtml } from '../telegram/html.ts'
import { DUE_INDEX, keyOf, staleMember, type TrackerKit } from './tracker-kit.ts'
import type { RunRecord } from './types.ts'
import type { RunWakes } from './wakes.ts'

export function createStaleRuns(
  { options, m, say }: TrackerKit,
  { taskRef, tellHuman }: RunWakes
): { staleDue(taskId: string): Promise<void> } {
  const { store, runs, log, now, locale } = options

  /** A stale deadline: quiet for the window → stale, the human told once; activity since → later. */
  const staleDue = async (taskId: string) => {
    const member = staleMember(taskId)
    const current = runs ? await runs.peek(taskId) : null
    if (!runs || !current || current.state !== 'active' || !current.agentId) {
      await store.indexRemove(DUE_INDEX, member)
      return
    }
    const last = quietSince(current)
    if (last + options.staleMs > now()) {
      await store.indexAdd(DUE_INDEX, member, last + options.staleMs)
      return
    }
    const agent = await options.directory.agentById(current.agentId)
    const task = await options.snapshot(taskId)
    await runs.update(
      keyOf(current),
      (r) => (r.state === 'active' ? { ...r, state: 'stale' } : r),
      { agentName: agent?.name ?? current.agentId }
    )
    // A task the pipeline holds no snapshot of (a store rebuilt from run cards, a task not seen since) is still
    // told, by the reference its run keeps: a stale run was logged and never told (issue 44).
    const ref = task ? await taskRef(task) : null
    const name =
      task && ref
        ? renderTaskName(task, { locale, project: ref.project, taskUrl: ref.url })
        : escapeHtml(current.ref ?? taskId)
    await tellHuman(
      say.staleHuman(
        `<b>${escapeHtml(agent?.name ?? current.agentId)}</b>`,
        name,
        Math.round(options.staleMs / 60_000)
      ),
      `stale:${taskId}:${last}`,
      current.projectId,
      agent ? { id: agent.id, name: agent.name } : undefined
    )
    await store.indexRemove(DUE_INDEX, member)
    m.stale.inc({ agent: current.agentId })
    log.warn('run went stale', { task: taskId, agent: current.agentId })
  }

  return { staleDue }
}

/**
 * Since when a run has been quiet: its agent's last activity, or its last change of state if later. A run made
 * active again (a question answered, a task sent back) whose agent has not called yet is quiet since then, not since
 * its last call: judged by that call, it went stale at once, and with the key of its earlier staleness it was logged
 * "run went stale" and told to no one (issue 44).
 */
export function quietSince(run: Pick<RunRecord, 'lastActivityAt' | 'stateSince'>): number {
  return Math.max(Date.parse(run.lastActivityAt ?? '') || 0, Date.parse(run.stateSince ?? '') || 0)
}
