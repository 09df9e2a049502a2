/**
 * @module The bridge's own writes told to the event pipeline, by the agents' tools and the human's Telegram actions
 * alike: a task written and read back, a write in several requests, a comment that says why.
 */

import { authorRef, type TaskContext } from './task-context.ts'
import type { LoadedTask } from './tasks.ts'

/**
 * A write of the bridge's own (a tool's, a human's action) goes into the event pipeline at once (Plane v1.2 fires
 * no webhook for API writes); the snapshot is the read-back one, so a later poll or webhook of the same version adds
 * nothing.
 * `before` is the task as read before the write: the change is told even if the bridge had never seen the task
 * (a task started before the deploy and finished through the tools before any poll is told all the same).
 */
export async function sightWrite(
  ctx: TaskContext,
  task: LoadedTask,
  before: LoadedTask | null,
  comments: ReadonlyArray<{ id: string; text: string }> = []
): Promise<void> {
  const actor = authorRef(ctx.author)
  await ctx.pipeline.sightTask(task.snapshot, {
    source: 'bridge',
    actor,
    before: before?.snapshot ?? null,
    description: task.item.description_html ?? null,
    comments: comments.map((c) => ({
      type: 'comment' as const,
      taskId: task.key.id,
      projectId: task.key.projectId,
      commentId: c.id,
      text: c.text,
      actor,
      source: 'bridge' as const,
    })),
  })
  ctx.kick()
}

/**
 * Run a write of several requests on one task (a state, then its comment) with the task marked as being
 * written: its pending change waits for the whole write before it is told (pipeline `writing`). The mark goes
 * whatever happens; a failed write leaves what Plane took to be told as it stands.
 */
export async function whileWriting<T>(
  ctx: TaskContext,
  taskId: string,
  write: () => Promise<T>
): Promise<T> {
  const mark = await ctx.pipeline.writing(taskId)
  try {
    return await write()
  } finally {
    // A mark left behind expires on its own; the write's own outcome is what the caller must hear.
    await mark.done().catch((error: unknown) =>
      ctx.log.warn('could not clear a task’s write mark (it expires on its own)', {
        task: taskId,
        error: String(error),
      })
    )
    ctx.kick()
  }
}

export async function sightComment(
  ctx: TaskContext,
  task: LoadedTask,
  comment: { id: string; text: string }
): Promise<void> {
  const kept = await ctx.pipeline.sightComment(
    {
      type: 'comment',
      taskId: task.key.id,
      projectId: task.key.projectId,
      commentId: comment.id,
      text: comment.text,
      actor: authorRef(ctx.author),
      source: 'bridge',
    },
    task.snapshot
  )
  if (kept) ctx.kick()
}
