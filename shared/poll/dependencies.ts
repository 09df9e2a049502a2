/**
 * @module OPENCLAW-14: an agent's task waits while what blocks it is open; a cancelled dependency blocks it
 * for good — state moved to Blocked, a comment, the Concierge alerted, once.
 */

import { isAgentTask, isOpenForAgent } from '../agents/task-vocabulary.ts'
import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import type { TaskSnapshot } from '../events.ts'
import type { AgentRef } from '../notify/directory.ts'
import { isBlockedName } from '../notify/policy.ts'
import { snapshotFromWorkItem } from '../plane/normalize.ts'
import type { PlaneRelations } from '../plane/work-item-schemas.ts'
import { BRIDGE_EXTERNAL_SOURCE } from '../runs/records.ts'
import { escapeHtml } from '../telegram/html.ts'
import { type AlertParts, raiseAlert } from './alerts.ts'

/** What checking and blocking on dependencies use: Plane, the pipeline, names, the locale, and an alert's parts. */
export type DependencyParts = AlertParts &
  Pick<Services, 'config'> &
  Pick<Parts, 'plane' | 'pipeline'> & {
    directory: Pick<Parts['directory'], 'concierge' | 'userName'>
  }

export type DependencyReport = { waiting: string[]; blocked: string[]; planeRequests: number }

type TaskRef = { id: string; projectId: string }

/** At most this many relations requests per agent per tick; the rest wait for the next tick. */
export const DEPENDENCY_CHECKS_PER_TICK = 3

/** Relation types meaning "this task cannot finish before that one" (v1.3 relations API). */
const BLOCKING_TYPES = ['blocked_by']

export async function checkDependencies(
  parts: DependencyParts,
  agent: AgentRef,
  tasks: readonly TaskSnapshot[]
): Promise<DependencyReport> {
  const report: DependencyReport = { waiting: [], blocked: [], planeRequests: 0 }
  const { plane, pipeline, store } = parts
  // Relations reach the v1 API only from v1.3.0 (PR #8763); on v1.2 dependencies come from the bridge's
  // own task metadata, written by the Concierge's create_task tool.
  if (!plane || !(await plane.capabilities()).relations) return report
  const waitingKey = `poll:waiting:${agent.id}`
  // Tasks still to look at: those waiting last tick (and those the last tick had no checks left for) first.
  const previous = (await store.get<TaskRef[]>(waitingKey)) ?? []
  const candidates = new Map<string, TaskRef>(previous.map((t) => [t.id, t]))
  for (const t of tasks) {
    // Dependencies matter before an agent starts: tasks in progress are the agent's call already.
    if (isAgentTask(t, agent) && t.state?.group === 'unstarted')
      candidates.set(t.id, { id: t.id, projectId: t.projectId })
  }

  const carried: TaskRef[] = []
  let checksLeft = DEPENDENCY_CHECKS_PER_TICK
  for (const ref of candidates.values()) {
    const task = await pipeline.snapshot(ref.id)
    if (!task || !isOpenForAgent(task)) continue
    // One relations request per task on the bridge's key (60/min): a backlog drains over several ticks.
    if (checksLeft-- <= 0) {
      carried.push(ref)
      continue
    }
    report.planeRequests++
    const relations = await plane.relations.list(ref.projectId, ref.id)
    const deps = await Promise.all(
      _blockers(relations, ref.projectId).map((d) => _depSnapshot(parts, d, report))
    )
    const cancelled = deps.find((d) => d?.state?.group === 'cancelled')
    if (cancelled) {
      if (await blockForCancelledDependency(parts, task, cancelled, report))
        report.blocked.push(task.id)
      continue
    }
    if (deps.some((d) => d === null || d.state?.group !== 'completed')) {
      carried.push(ref)
      report.waiting.push(task.id)
    }
  }
  const waiting = carried
  await store.set(waitingKey, waiting)
  return report
}

// --- Internal helpers ---

function _blockers(relations: PlaneRelations, projectId: string): TaskRef[] {
  return BLOCKING_TYPES.flatMap((type) =>
    (relations[type] ?? []).flatMap((r) => {
      if (typeof r === 'string') return [{ id: r, projectId }]
      const id = r.issue_id ?? r.id
      return id ? [{ id, projectId: r.project_id ?? projectId }] : []
    })
  )
}

async function _depSnapshot(
  { plane, pipeline }: Pick<DependencyParts, 'plane' | 'pipeline'>,
  dep: TaskRef,
  report: DependencyReport
): Promise<TaskSnapshot | null> {
  const known = await pipeline.snapshot(dep.id)
  if (known) return known
  report.planeRequests++
  // Unread (Plane's client counts the failure): not taken as cancelled; read again next cycle.
  const item = await plane?.workItems
    .get(dep.projectId, dep.id, { expand: ['state'] })
    .catch(() => null)
  return item ? snapshotFromWorkItem(item) : null
}

/**
 * Once per (task, dependency): a ❌ comment and the Blocked state when the project has one, both seen by the
 * pipeline as the bridge's own writes, so the human hears of it once — one "blocked" message quoting the comment,
 * whatever order the echo and the poll come in — and the Concierge is asked to re-plan.
 */
export async function blockForCancelledDependency(
  parts: DependencyParts,
  task: TaskSnapshot,
  dep: TaskSnapshot,
  report: DependencyReport = { waiting: [], blocked: [], planeRequests: 0 }
): Promise<boolean> {
  const { plane, pipeline } = parts
  if (
    !plane ||
    !(await parts.store.claim(`deps:cancelled:${task.id}:${dep.id}`, 365 * 24 * 60 * 60))
  )
    return false
  // The comment and the move to Blocked are one change told in one message: the task is marked as being written
  // until both are in (a write of the bridge's own is due at once; a flush between the two would tell
  // them apart).
  const mark = await pipeline.writing(task.id)
  try {
    await _blockWithComment(parts, task, dep, report)
  } finally {
    await mark.done()
  }
  await raiseAlert(parts, {
    key: `dependency-cancelled:${task.id}`,
    conciergeText: `plane-bridge: task ${task.id} ("${task.name}") is blocked because its dependency ${dep.id} ("${dep.name}") was cancelled. Re-plan it.`,
  })
  parts.kick()
  return true
}

async function _blockWithComment(
  parts: DependencyParts,
  task: TaskSnapshot,
  dep: TaskSnapshot,
  report: DependencyReport
): Promise<void> {
  const { plane, pipeline, directory } = parts
  if (!plane) return
  const fr = parts.config.LOCALE !== 'en'
  const text = fr
    ? `❌ Dépendance annulée : « ${dep.name} ». Cette tâche ne peut plus aboutir telle quelle ; le Concierge est prévenu.`
    : `❌ Dependency cancelled: “${dep.name}”. This task cannot be finished as planned; the Concierge has been told.`
  // Marked as the bridge's (its echo is skipped) and one of a kind (a repeat after a crash finds it: 409).
  const comment = await plane.comments.create(task.projectId, task.id, {
    comment_html: `<p>${escapeHtml(text)}</p>`,
    external_source: BRIDGE_EXTERNAL_SOURCE,
    external_id: `deps-cancelled:${task.id}:${dep.id}`,
  })
  report.planeRequests++
  const author = typeof comment.actor === 'string' ? comment.actor : (comment.actor?.id ?? null)
  const actor = author ? { id: author, name: await directory.userName(author) } : null
  await pipeline.sightComment(
    {
      type: 'comment',
      taskId: task.id,
      projectId: task.projectId,
      commentId: comment.id,
      text,
      actor,
      source: 'bridge',
    },
    task
  )
  const blocked = (await plane.states.list(task.projectId)).find((s) => isBlockedName(s.name))
  report.planeRequests++
  if (blocked && task.state?.id !== blocked.id) {
    await plane.workItems.update(task.projectId, task.id, { state: blocked.id })
    // Read back as the tools do: the snapshot names its state and labels.
    const item = await plane.workItems.get(task.projectId, task.id, { expand: ['state', 'labels'] })
    report.planeRequests += 2
    const after = snapshotFromWorkItem(item)
    if (after)
      await pipeline.sightTask(after, {
        source: 'bridge',
        actor,
        before: task,
        description: item.description_html ?? null,
      })
  }
}
