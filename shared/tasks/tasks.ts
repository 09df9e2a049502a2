/**
 * @module Find a task and read it, the steps the agents' tools and the human's Telegram actions share: by id or
 * reference, with the caller's own key when it has one, read back after a write; a task Plane no longer has is
 * forgotten.
 */

import { isAgentTask } from '../agents/task-vocabulary.ts'
import type { TaskSnapshot } from '../events.ts'
import type { ProjectRef } from '../notify/messages.ts'
import { errorMessage } from '../observe/errors.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { isPlaneId } from '../plane/limits.ts'
import { snapshotFromWorkItem } from '../plane/normalize.ts'
import type { PlaneWorkItem } from '../plane/work-item-schemas.ts'
import { ToolError } from './errors.ts'
import type { TaskContext } from './task-context.ts'

/** A task's reference: its project's identifier (Plane: ≤ 12 characters) and its sequence number. */
export const TASK_REF = /^([A-Za-z0-9]{1,12})-(\d{1,9})$/

export type LoadedTask = {
  item: PlaneWorkItem
  snapshot: TaskSnapshot
  project: ProjectRef
  /** `ONB-12`, when the project has an identifier. */
  ref: string | null
  key: { id: string; projectId: string; ref: string | null }
}
/** What every read of a task expands: its state and labels (the snapshot is built from them). */
export const TASK_EXPAND = ['state', 'labels'] as const
/** A task by UUID or reference (`ONB-12`), read with its state and labels. 404 names what was asked. */
export async function resolveTask(
  ctx: TaskContext,
  task: string,
  { touch = true }: { touch?: boolean } = {}
): Promise<LoadedTask> {
  const wanted = task.trim()
  let item: PlaneWorkItem | null = null
  try {
    if (TASK_REF.test(wanted)) {
      item = await readTask(ctx, (plane) =>
        plane.workItems.getByIdentifier(wanted, { expand: TASK_EXPAND })
      )
    } else if (isPlaneId(wanted)) {
      item = await _byId(ctx, wanted.toLowerCase())
    } else {
      throw new ToolError(
        'invalid_input',
        `task: "${wanted}" is neither a task id (UUID) nor a reference such as ONB-12.`,
        { fields: [{ field: 'task', message: 'expected a UUID or a reference like ONB-12' }] }
      )
    }
  } catch (error) {
    if (error instanceof PlaneApiError && error.kind === 'not_found') item = null
    else throw error
  }
  if (!item) {
    // A task the bridge knew, which Plane no longer has: deleted (no webhook says so, makeplane/plane#8054), and forgotten now.
    await _releaseIfKnown(ctx, wanted)
    throw new ToolError('not_found', `No task ${wanted} in this workspace.`)
  }
  const loaded = await loadTask(ctx, item)
  // The task the call is about checks its run in; one only looked at (a dependency) does not.
  if (touch) noteTouched(ctx, loaded)
  return loaded
}

/** The caller worked on this task: if it is its own, the call checks in on its run (agent runs). */
export function noteTouched(
  ctx: TaskContext,
  task: Pick<LoadedTask, 'snapshot' | 'key' | 'ref'>,
  { listed = false }: { listed?: boolean } = {}
): void {
  // A person's action checks no agent's run in.
  if (ctx.author.kind !== 'agent') return
  if (!isAgentTask(task.snapshot, ctx.author.agent)) {
    // Not its task: a call on it still answers a mention of the agent there, and touches no run.
    if (!ctx.touched.has(task.key.id))
      ctx.touched.set(task.key.id, {
        projectId: task.key.projectId,
        ref: task.ref,
        task: task.snapshot,
        notMine: true,
      })
    return
  }
  // A task the call acted on stays so, whatever else the call listed.
  const before = ctx.touched.get(task.key.id)
  ctx.touched.set(task.key.id, {
    projectId: task.key.projectId,
    ref: task.ref,
    task: task.snapshot,
    ...(listed && (!before || before.listed) ? { listed: true } : {}),
  })
}

/** The same task read again (after a write), to check what Plane really holds. */
export async function rereadTask(
  ctx: TaskContext,
  task: Pick<LoadedTask, 'key'>
): Promise<LoadedTask> {
  const item = await readTask(ctx, (plane) =>
    plane.workItems.get(task.key.projectId, task.key.id, { expand: TASK_EXPAND })
  )
  return loadTask(ctx, item)
}

/**
 * A read about one task or its project (the task, the project's states, its labels and a missing one made on the
 * way), with the caller's own key when it has one (its own window, as Plane counts it: ten agents' reads and the
 * Concierge's do not queue on the bridge key), else the bridge's. A key that may not see the task (its user is not
 * a member of the project: 403, or Plane's 404) reads it again with the bridge's.
 */
export async function readTask<T>(
  ctx: TaskContext,
  read: (plane: PlaneClient) => Promise<T>
): Promise<T> {
  const reader = readerOf(ctx)
  if (reader === ctx.plane) return read(ctx.plane)
  try {
    return await read(reader)
  } catch (error) {
    if (
      error instanceof PlaneApiError &&
      (error.kind === 'not_found' || error.kind === 'forbidden')
    )
      return read(ctx.plane)
    throw error
  }
}

/** The client for one task's reads that cannot fall back (a run card to rebuild from): `readTask`'s first. */
export function readerOf(ctx: TaskContext): PlaneClient {
  return ctx.ownKey ? ctx.writer : ctx.plane
}

/** A work item read from Plane, as the tools use it: its snapshot, project and reference. */
export async function loadTask(ctx: TaskContext, item: PlaneWorkItem): Promise<LoadedTask> {
  const snapshot = snapshotFromWorkItem(item)
  if (!snapshot)
    throw new ToolError('plane_error', `Plane returned task ${item.id} without its project.`)
  const project = (await ctx.directory.project(snapshot.projectId)) ?? {
    id: snapshot.projectId,
    name: snapshot.projectId,
    identifier: null,
  }
  const ref =
    project.identifier && snapshot.sequenceId !== null
      ? `${project.identifier}-${snapshot.sequenceId}`
      : null
  return {
    item,
    snapshot,
    project,
    ref,
    key: { id: snapshot.id, projectId: snapshot.projectId, ref },
  }
}

// --- Internal helpers ---

/**
 * Plane answered 404 for `wanted`: if the bridge knew that task (its id, or a reference to one of the caller's open
 * tasks), it was deleted, and what it held (a run, deadlines, the caller's list) is dropped. A failure here leaves
 * it to the poll; the caller hears "not found" all the same.
 */
async function _releaseIfKnown(ctx: TaskContext, wanted: string): Promise<void> {
  try {
    const ref = wanted.toUpperCase()
    const id = isPlaneId(wanted) ? wanted.toLowerCase() : await _openTaskByRef(ctx, ref)
    if (id && (await ctx.pipeline.snapshot(id))) await ctx.taskDeleted(id)
  } catch (error) {
    ctx.log.warn('a task Plane no longer has was not forgotten (the poll will)', {
      task: wanted,
      error: errorMessage(error),
    })
  }
}

/** The caller's open task with this reference (`ONB-12`), from the index: the only refs an agent is given. */
async function _openTaskByRef(ctx: TaskContext, ref: string): Promise<string | null> {
  // The index lists agents' tasks: a person has none of their own there.
  if (ctx.author.kind !== 'agent') return null
  const me = ctx.author.agent
  const dash = ref.lastIndexOf('-')
  const identifier = ref.slice(0, dash)
  const sequence = Number(ref.slice(dash + 1))
  for (const id of await ctx.index.openTasks(me.id)) {
    const snapshot = await ctx.pipeline.snapshot(id)
    if (snapshot?.sequenceId !== sequence) continue
    const project = await ctx.directory.project(snapshot.projectId)
    if (project?.identifier?.toUpperCase() === identifier) return id
  }
  return null
}

async function _byId(ctx: TaskContext, id: string): Promise<PlaneWorkItem | null> {
  const known =
    (await ctx.pipeline.snapshot(id))?.projectId ?? (await ctx.runs.peek(id))?.projectId ?? null
  if (known)
    return readTask(ctx, (plane) => plane.workItems.get(known, id, { expand: TASK_EXPAND }))
  // Unknown to the bridge: the id does not say its project, so ask each one.
  for (const project of await ctx.directory.projects()) {
    if (project.archived) continue
    try {
      return await ctx.plane.workItems.get(project.id, id, { expand: TASK_EXPAND })
    } catch (error) {
      if (!(error instanceof PlaneApiError && error.kind === 'not_found')) throw error
    }
  }
  return null
}
