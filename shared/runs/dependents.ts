/**
 * @module OPENCLAW-14 from the other side: when a task is done, the tasks that waited for it and now wait for
 * nothing wake their agent ("ONB-5 est débloquée"), once; when it is cancelled, they are blocked. The
 * dependents come from the bridge's reverse index (written by create_task: works on Plane v1.2) and, on
 * v1.3+, from Plane's `blocking` relations.
 */

import type { AgentRef } from '../agents/registry.ts'
import { isOpenForAgent } from '../agents/task-vocabulary.ts'
import type { TaskSnapshot } from '../events.ts'
import type { Locale } from '../notify/i18n.ts'
import type { Logger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { snapshotFromWorkItem } from '../plane/normalize.ts'
import type { PlaneRelations } from '../plane/work-item-schemas.ts'
import type { Store } from '../store/store.ts'
import { labelsFollowing } from './agent-labels.ts'
import { runPhrasesFor } from './phrases.ts'
import type { RunStore } from './records.ts'
import type { RunTracker } from './tracker.ts'
import { awaitsApproval } from './tracker-kit.ts'

/** What releasing and blocking dependents uses. */
export type DependentsParts = {
  store: Store
  log: Logger
  locale: Locale
  /**
   * Plane as these reads should reach it: a completion's message and its dependents' wakes wait on them, so the
   * composition root hands in the bridge key at an agent's priority. Null without Plane settings.
   */
  plane: PlaneClient | null
  runs: Pick<RunStore, 'peek'> | null
  tracker: Pick<RunTracker, 'notice'>
  /** The task as the bridge last told of it (Pipeline.told): whose assignee a person has taken off since. */
  told(taskId: string): Promise<TaskSnapshot | null>
  directory: { agentByPlaneUser(userId: string): Promise<AgentRef | null> }
  /** Blocks a dependent whose dependency was cancelled, once (the poll's rule: poll/dependencies.ts). */
  blockForCancelled(dependent: TaskSnapshot, dependency: TaskSnapshot): Promise<boolean>
}

const dependentsKey = (taskId: string) => `run:dependents:${taskId}`
const DEPENDENTS_TTL_S = 400 * 24 * 60 * 60
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function recordDependent(
  store: Store,
  dependencyId: string,
  dependentId: string,
  now: number
): Promise<boolean> {
  return store.sortedAdd(dependentsKey(dependencyId), dependentId, now, {
    ttlSeconds: DEPENDENTS_TTL_S,
  })
}

export async function onTaskClosed(
  parts: DependentsParts,
  task: TaskSnapshot,
  group: 'completed' | 'cancelled'
): Promise<{ unblocked: string[]; blocked: string[] }> {
  const out = { unblocked: [] as string[], blocked: [] as string[] }
  const { plane } = parts
  if (!plane) return out
  const ids = new Set((await parts.store.sortedRange(dependentsKey(task.id))).map((e) => e.member))
  if ((await plane.capabilities()).relations) {
    const relations = await plane.relations.list(task.projectId, task.id)
    for (const ref of _related(relations, 'blocking', task.projectId)) ids.add(ref.id)
  }
  for (const id of ids) {
    const dependent = await _snapshot(plane, id, task.projectId)
    if (!_waitsOnDependencies(dependent)) continue
    if (group === 'cancelled') {
      if (await parts.blockForCancelled(dependent, task)) out.blocked.push(id)
      continue
    }
    // Released to its agents only once the human approved it: its approval wakes them (assignments.ts).
    if (awaitsApproval(dependent) || !(await _allDone(plane, parts.runs, dependent))) continue
    const say = runPhrasesFor(parts.locale)
    const woken = await parts.tracker.notice(
      await _labelsFollowingAssignees(parts, dependent),
      (ref) => say.unblocked(ref, dependent.name),
      `unblocked:${dependent.id}`
    )
    if (woken > 0) out.unblocked.push(id)
  }
  if (out.unblocked.length + out.blocked.length > 0)
    parts.log.info('dependents of a closed task', { task: task.id, group, ...out })
  return out
}

/**
 * A task deleted in Plane was a dependency of others: it is dropped from their run records (so the
 * tools' start/done gate no longer waits for it), and a dependent it alone held back wakes its agent, once (the
 * same claim as a release by completion).
 */
export async function onTaskDeleted(
  parts: Omit<DependentsParts, 'runs'> & { runs: Pick<RunStore, 'peek' | 'update'> | null },
  task: TaskSnapshot,
  ref: string | null
): Promise<{ unblocked: string[] }> {
  const out = { unblocked: [] as string[] }
  const { plane, runs } = parts
  const ids = (await parts.store.sortedRange(dependentsKey(task.id))).map((e) => e.member)
  for (const id of ids) {
    const record = await runs?.peek(id)
    const names = new Set([task.id, ...(ref ? [ref] : [])])
    if (record && runs && record.dependencies.some((d) => names.has(d)))
      await runs.update(
        { id: record.taskId, projectId: record.projectId, ref: record.ref },
        (r) => ({
          ...r,
          dependencies: r.dependencies.filter((d) => !names.has(d)),
          ...(r.dependencyIds
            ? { dependencyIds: r.dependencyIds.filter((d) => d !== task.id) }
            : {}),
        }),
        { agentName: null, card: false }
      )
    if (!plane) continue
    const dependent = await _snapshot(plane, id, record?.projectId ?? task.projectId)
    if (!_waitsOnDependencies(dependent) || awaitsApproval(dependent)) continue
    if (!(await _allDone(plane, runs, dependent))) continue
    const say = runPhrasesFor(parts.locale)
    const woken = await parts.tracker.notice(
      await _labelsFollowingAssignees(parts, dependent),
      (dependentRef) => say.unblockedByDeletion(dependentRef, dependent.name, ref ?? task.name),
      `unblocked:${dependent.id}`
    )
    if (woken > 0) out.unblocked.push(id)
  }
  await parts.store.delete(dependentsKey(task.id))
  if (out.unblocked.length > 0)
    parts.log.info('dependents of a deleted task released', { task: task.id, ...out })
  return out
}

// --- Internal helpers ---

/** Still where a dependency matters: known, open to its agents, not started (nor done, nor cancelled). */
function _waitsOnDependencies(dependent: TaskSnapshot | 'gone' | null): dependent is TaskSnapshot {
  return (
    dependent !== null &&
    dependent !== 'gone' &&
    isOpenForAgent(dependent) &&
    dependent.state?.group === 'unstarted'
  )
}

/**
 * The dependent as it will be once its own change is told: an agent a person took off the task since the bridge
 * last told of it keeps its `agent:<id>` label only until that change's flush removes it (the same rule,
 * agent-labels.ts), so it is not released here, then told to stop. The invariant test found it
 * (`PROPERTY_RUNS=1000 PROPERTY_SEED=-496978871`): the dependency's window flushed before the dependent's.
 */
async function _labelsFollowingAssignees(
  parts: Pick<DependentsParts, 'told' | 'directory'>,
  dependent: TaskSnapshot
): Promise<TaskSnapshot> {
  const told = await parts.told(dependent.id)
  const gone = (told?.assigneeIds ?? []).filter((id) => !dependent.assigneeIds.includes(id))
  const unassigned: AgentRef[] = []
  for (const userId of gone) {
    const agent = await parts.directory.agentByPlaneUser(userId)
    if (agent) unassigned.push(agent)
  }
  if (unassigned.length === 0) return dependent
  return { ...dependent, labels: labelsFollowing(dependent.labels, { assigned: [], unassigned }) }
}

/**
 * Every dependency of the task (the bridge's record, Plane's relations) is done; one deleted in Plane (404) holds
 * nothing back any more.
 */
async function _allDone(
  plane: PlaneClient,
  runs: DependentsParts['runs'],
  task: TaskSnapshot
): Promise<boolean> {
  const record = await runs?.peek(task.id)
  for (const dep of record?.dependencies ?? []) {
    const found = UUID.test(dep)
      ? await _snapshot(plane, dep, task.projectId)
      : await plane.workItems
          .getByIdentifier(dep, { expand: ['state'] })
          .then(snapshotFromWorkItem)
          // Unread (Plane's client counts the failure): not done, nothing released on a guess.
          .catch((error: unknown) =>
            error instanceof PlaneApiError && error.kind === 'not_found' ? ('gone' as const) : null
          )
    if (found === 'gone') continue
    if (found?.state?.group !== 'completed') return false
  }
  if ((await plane.capabilities()).relations) {
    const relations = await plane.relations.list(task.projectId, task.id)
    for (const ref of _related(relations, 'blocked_by', task.projectId)) {
      const found = await _snapshot(plane, ref.id, ref.projectId)
      if (found === 'gone') continue
      if (found?.state?.group !== 'completed') return false
    }
  }
  return true
}

/**
 * The task as Plane holds it now: what the bridge last saw may be a silent change behind (v1.2 API writes fire
 * nothing), and releasing or blocking a task on a stale state is a wrong message. One request per
 * dependent and dependency, on completions and cancellations only. `gone`: Plane answers 404 (deleted).
 */
async function _snapshot(
  plane: PlaneClient,
  id: string,
  projectId: string
): Promise<TaskSnapshot | 'gone' | null> {
  const item = await plane.workItems
    .get(projectId, id, { expand: ['state', 'labels'] })
    // null when unread (Plane's client counts the failure): callers skip the task, never guess.
    .catch((error: unknown) =>
      error instanceof PlaneApiError && error.kind === 'not_found' ? ('gone' as const) : null
    )
  if (item === 'gone') return 'gone'
  return item ? snapshotFromWorkItem(item) : null
}

function _related(
  relations: PlaneRelations,
  type: 'blocking' | 'blocked_by',
  projectId: string
): Array<{ id: string; projectId: string }> {
  return (relations[type] ?? []).flatMap((r) => {
    if (typeof r === 'string') return [{ id: r, projectId }]
    const id = r.issue_id ?? r.id
    return id ? [{ id, projectId: r.project_id ?? projectId }] : []
  })
}
