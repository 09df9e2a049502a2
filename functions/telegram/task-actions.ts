/**
 * @module A card's action carried out on its task in Plane, as the human: validated, sent back, answered, approved or
 * refused. Each one comments in the human's words, moves what it changes (the state, the approval label, the run)
 * and wakes the agent when the agent has something to do.
 */
import type { Card, CardAction } from '../../shared/actions/cards.ts'
import { actionPhrasesFor } from '../../shared/actions/phrases.ts'
import { APPROVAL_LABEL } from '../../shared/agents/task-vocabulary.ts'
import type { Services } from '../../shared/core/function.ts'
import { settleReview } from '../../shared/notify/reviews.ts'
import { OPEN_RUN_STATES } from '../../shared/runs/records.ts'
import type { RunTracker } from '../../shared/runs/tracker.ts'
import type { RunState } from '../../shared/runs/types.ts'
import { postComment } from '../../shared/tasks/comments.ts'
import { sightWrite } from '../../shared/tasks/sightings.ts'
import { stateFor } from '../../shared/tasks/status.ts'
import type { TaskContext } from '../../shared/tasks/task-context.ts'
import { type LoadedTask, rereadTask } from '../../shared/tasks/tasks.ts'

/** One press or reply on a card about a task: who did what, with the text it carried. */
export type TaskActionInput = {
  card: Card
  action: CardAction
  by: string
  /** The human's text (a send-back's reason, an answer); null for a press. */
  text: string | null
  /** The reply's update id: each answer to one question is its own wake. */
  replyId?: number | undefined
  at: number
}

/** Carry out the action on the task in Plane and wake its agent; throws when Plane does not take it. */
export async function actOnTask(
  services: Pick<Services, 'config' | 'store'>,
  tracker: RunTracker,
  ctx: TaskContext,
  task: LoadedTask,
  { card, action, by, text, replyId, at }: TaskActionInput
): Promise<void> {
  const say = actionPhrasesFor(services.config.LOCALE)
  switch (action) {
    case 'validate':
      await settleReview(services.store, task.key.id)
      await postComment(ctx, task, say.comment.validate(by))
      break
    case 'sendback': {
      await postComment(ctx, task, say.comment.sendback(by, text ?? ''))
      const moved = await _moveTo(ctx, task, 'in_progress')
      await settleReview(services.store, task.key.id)
      await _runTo(ctx, moved, { moved: true })
      await tracker.notice(
        moved.snapshot,
        (r) => say.wake.sendback(by, r, moved.snapshot.name, text ?? ''),
        `sendback:${card.id}`
      )
      break
    }
    case 'answer':
      await postComment(ctx, task, say.comment.answer(by, text ?? ''))
      await _runTo(ctx, task, { moved: false })
      await tracker.notice(
        task.snapshot,
        (r) => say.wake.answer(by, r, task.snapshot.name, text ?? ''),
        `answer:${card.id}:${replyId ?? at}`
      )
      break
    case 'approve': {
      await postComment(ctx, task, say.comment.approve(by))
      const approved = await _removeLabel(ctx, task, APPROVAL_LABEL)
      // Approved: its estimate is committed from now on, woken or not (OPENCLAW-11).
      if ((await ctx.runs.peek(task.key.id))?.waitsFor)
        await ctx.runs.update(task.key, (r) => ({ ...r, waitsFor: null }), { agentName: null })
      // The approval's wake, at once; the flush of the label's removal finds the assignment claimed (or claims it
      // first). A label already gone was removed by an earlier press or in Plane, whose flush wakes the agent.
      if (approved) await tracker.approved(approved.snapshot)
      break
    }
    case 'refuse':
      await postComment(ctx, task, say.comment.refuse(by))
      await _moveTo(ctx, task, 'cancelled')
      break
  }
}

// --- Internal helpers ---

async function _moveTo(
  ctx: TaskContext,
  task: LoadedTask,
  status: 'in_progress' | 'cancelled'
): Promise<LoadedTask> {
  const target = await stateFor(ctx, task.key.projectId, status)
  if (task.snapshot.state?.id === target.id) return task
  await ctx.plane.workItems.update(task.key.projectId, task.key.id, { state: target.id })
  const after = await rereadTask(ctx, task)
  if (after.snapshot.state?.id !== target.id)
    throw new Error(`Plane did not apply the state "${target.name}"`)
  await sightWrite(ctx, after, task)
  return after
}

/** The task without the label, as Plane holds it now; null when it had no such label. */
async function _removeLabel(
  ctx: TaskContext,
  task: LoadedTask,
  name: string
): Promise<LoadedTask | null> {
  const labels = await ctx.labels.list(ctx.plane, task.key.projectId)
  const drop = new Set(labels.filter((l) => l.name.toLowerCase() === name).map((l) => l.id))
  const current = (task.item.labels ?? []).map((l) => (typeof l === 'string' ? l : l.id))
  if (!current.some((id) => drop.has(id))) return null
  await ctx.plane.workItems.update(task.key.projectId, task.key.id, {
    labels: current.filter((id) => !drop.has(id)),
  })
  const after = await rereadTask(ctx, task)
  if (after.snapshot.labels.some((l) => l.toLowerCase() === name))
    throw new Error(`Plane did not remove the label ${name}`)
  await sightWrite(ctx, after, task)
  return after
}

/**
 * The run goes on (an answer, a send-back): awaiting, stale or done becomes active, for its agent. A send-back moves
 * the task In Progress, so any open run is under way; an answer leaves a run its agent has not started (pending,
 * seen) as it is: answering a question starts nothing.
 */
async function _runTo(
  ctx: TaskContext,
  task: LoadedTask,
  { moved }: { moved: boolean }
): Promise<void> {
  const begun = (state: RunState) => moved || (state !== 'pending' && state !== 'seen')
  await ctx.runs.update(
    task.key,
    (r) =>
      r.agentId && (OPEN_RUN_STATES.has(r.state) || r.state === 'done') && begun(r.state)
        ? { ...r, state: 'active' }
        : r,
    { agentName: null }
  )
}
