/**
 * @module OPENCLAW-10: "Assignation Plane UI → agent_id auto-rempli". Plane CE has no custom field, so the
 * `agent:<id>` label stands in for `agent_id`; when a person changes a task's assignees in Plane, its agent labels
 * follow (an agent assigned gains its label, one unassigned loses it), so that the task is nobody else's by a
 * label left behind: the agent taken off is told to stop, the new one woken, and each lists only its own tasks.
 */
import type { AgentRef } from '../agents/registry.ts'
import { AGENT_LABEL_PREFIX } from '../agents/task-vocabulary.ts'
import type { TaskSnapshot } from '../events.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { snapshotFromWorkItem } from '../plane/normalize.ts'
import type { PlaneLabel } from '../plane/schemas.ts'
import { BRIDGE_EXTERNAL_SOURCE } from './records.ts'

const LABEL_COLOR = '#6e56cf'

/**
 * How long a project's labels are used before they are listed again (listing them on every use costs 25 listings in
 * the bench's hour).
 */
export const LABELS_TTL_MS = 30 * 60 * 1000

/**
 * Each project's labels as last listed, per process: a name not among them is listed again once (someone may
 * have made it in Plane since) before it is created; a label the bridge creates joins them.
 */
export type ProjectLabels = {
  list(plane: PlaneClient, projectId: string, options?: { fresh?: boolean }): Promise<PlaneLabel[]>
  add(projectId: string, label: PlaneLabel): void
  invalidate(projectId: string): void
}

export function createProjectLabels({
  ttlMs = LABELS_TTL_MS,
  now = Date.now,
}: {
  ttlMs?: number
  now?: () => number
} = {}): ProjectLabels {
  const kept = new Map<string, { at: number; labels: Promise<PlaneLabel[]> }>()
  return {
    list(plane, projectId, { fresh = false } = {}) {
      const entry = kept.get(projectId)
      if (entry && !fresh && now() - entry.at < ttlMs) return entry.labels
      const labels = plane.labels.list(projectId)
      kept.set(projectId, { at: now(), labels })
      labels.catch(() => {
        if (kept.get(projectId)?.labels === labels) kept.delete(projectId)
      })
      return labels
    },
    add(projectId, label) {
      const entry = kept.get(projectId)
      if (entry) kept.set(projectId, { ...entry, labels: entry.labels.then((l) => [...l, label]) })
    },
    invalidate(projectId) {
      kept.delete(projectId)
    },
  }
}

/** Labels listed fresh on every call: for callers that keep none (the labels of one job run, a test). */
export const UNCACHED_LABELS: ProjectLabels = {
  list: (plane, projectId) => plane.labels.list(projectId),
  add: () => undefined,
  invalidate: () => undefined,
}

/** The ids of labels by name in a project, created (once, by external id) when missing. */
export async function labelIdsFor(
  plane: PlaneClient,
  projectId: string,
  names: readonly string[],
  labels: ProjectLabels = UNCACHED_LABELS
): Promise<string[]> {
  if (names.length === 0) return []
  const wanted = [...new Set(names)]
  const has = (list: readonly PlaneLabel[], name: string) =>
    list.find((l) => l.name?.toLowerCase() === name.toLowerCase())
  let existing = await labels.list(plane, projectId)
  // A name the kept list lacks may have been made in Plane since: one fresh listing before creating it.
  if (wanted.some((name) => !has(existing, name)))
    existing = await labels.list(plane, projectId, { fresh: true })
  const ids: string[] = []
  for (const name of wanted) {
    const found = has(existing, name)
    if (found) {
      ids.push(found.id)
      continue
    }
    const created = await plane.labels.create(projectId, {
      name,
      color: LABEL_COLOR,
      external_source: BRIDGE_EXTERNAL_SOURCE,
      external_id: `label:${projectId}:${name.toLowerCase()}`,
    })
    labels.add(projectId, created)
    ids.push(created.id)
  }
  return ids
}

export type AssigneeChange = { assigned: readonly AgentRef[]; unassigned: readonly AgentRef[] }

/** The labels once they follow an assignee change: an agent unassigned loses its label, one assigned gains it. */
export function labelsFollowing(
  labels: readonly string[],
  { assigned, unassigned }: AssigneeChange
): string[] {
  const label = (agent: AgentRef) => `${AGENT_LABEL_PREFIX}${agent.id}`.toLowerCase()
  const drop = new Set(unassigned.map(label))
  const kept = labels.filter((l) => !drop.has(l.toLowerCase()))
  const have = new Set(kept.map((l) => l.toLowerCase()))
  return [...kept, ...assigned.map(label).filter((l) => !have.has(l))]
}

/**
 * The task's labels made to follow an assignee change: returns the task as Plane holds it after, or null when its
 * labels already agree (nothing written).
 */
export async function syncAgentLabels(
  plane: PlaneClient,
  task: TaskSnapshot,
  change: AssigneeChange,
  labels: ProjectLabels = UNCACHED_LABELS
): Promise<TaskSnapshot | null> {
  const wanted = labelsFollowing(task.labels, change)
  if (wanted.length === task.labels.length && wanted.every((l) => task.labels.includes(l)))
    return null
  await withKeptLabels(labels, task.projectId, async () =>
    plane.workItems.update(task.projectId, task.id, {
      labels: await labelIdsFor(plane, task.projectId, wanted, labels),
    })
  )
  const item = await plane.workItems.get(task.projectId, task.id, { expand: ['state', 'labels'] })
  return snapshotFromWorkItem(item)
}

/**
 * A write that names labels by the ids kept: one Plane refuses (400: a label deleted in Plane since it was listed)
 * is tried once more with the labels listed afresh.
 */
export async function withKeptLabels<T>(
  labels: ProjectLabels,
  projectId: string,
  write: () => Promise<T>
): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (!(error instanceof PlaneApiError && error.kind === 'validation')) throw error
    labels.invalidate(projectId)
    return write()
  }
}
