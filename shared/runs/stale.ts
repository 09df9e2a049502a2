/**
 * @module Stale runs (OPENCLAW-16): an active run quiet for RUN_STALE_MINUTES becomes stale and the human is told
 * once; activity since its deadline moves the deadline on.
 */
import { renderTaskName } from '../notify/messages.ts'
import { escapeHtml } from '../telegram/html.ts'
import { DUE_INDEX, keyOf, staleMember, type TrackerKit } from './tracker-kit.ts'
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
    const last = Date.parse(current.lastActivityAt ?? current.stateSince ?? '') || 0
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
    if (task) {
      const { project, url } = await taskRef(task)
      await tellHuman(
        say.staleHuman(
          `<b>${escapeHtml(agent?.name ?? current.agentId)}</b>`,
          renderTaskName(task, { locale, project, taskUrl: url }),
          Math.round(options.staleMs / 60_000)
        ),
        `stale:${taskId}:${last}`,
        task.projectId,
        agent ? { id: agent.id, name: agent.name } : undefined
      )
    }
    await store.indexRemove(DUE_INDEX, member)
    m.stale.inc({ agent: current.agentId })
    log.warn('run went stale', { task: taskId, agent: current.agentId })
  }

  return { staleDue }
}
