/** @module update_task_status (OPENCLAW-04/14/18): move a task through the workflow, enforcing the team's rules. */
import * as z from 'zod'
import { APPROVAL_LABEL } from '../../../shared/agents/task-vocabulary.ts'
import { recordFinishedCost } from '../../../shared/runs/costs.ts'
import type { RunState } from '../../../shared/runs/types.ts'
import { postComment } from '../../../shared/tasks/comments.ts'
import { ToolError } from '../../../shared/tasks/errors.ts'
import { sightWrite, whileWriting } from '../../../shared/tasks/sightings.ts'
import { stateFor, statusOf } from '../../../shared/tasks/status.ts'
import { type LoadedTask, readerOf, rereadTask, resolveTask } from '../../../shared/tasks/tasks.ts'
import { assertDependenciesDone, dependenciesOf } from '../dependencies.ts'
import { toolPhrases } from '../phrases.ts'
import { presentRun } from '../present.ts'
import { IDEMPOTENT_WRITE_HINTS, runOut, statusOut, taskArg } from '../schemas.ts'
import { assertMine, hasLabel } from '../tasks.ts'
import { defineTool, type ToolContext } from '../tool.ts'
import { stopTimer, touchRun } from '../writes.ts'

/** The run record's state for each status: what the `touchRun` below writes, and how a repeat sees it is done. */
const RECORDED_STATE: Record<'todo' | 'in_progress' | 'done' | 'blocked' | 'cancelled', RunState> =
  {
    todo: 'seen',
    in_progress: 'active',
    done: 'done',
    blocked: 'awaiting',
    cancelled: 'cancelled',
  }

/** OPENCLAW-18: a task with this label is done only once a deliverable was uploaded. */
export const DELIVERABLE_LABEL = 'deliverable'
export const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/

export const updateTaskStatus = defineTool({
  name: 'update_task_status',
  title: 'Update task status',
  description:
    "Moves one of your tasks to todo, in_progress, done, blocked or cancelled (the project's state of that kind; blocked: its Blocked state) and comments it in Plane. in_progress also starts your timer; done, blocked and cancelled stop it. Rules, enforced: you may change only your own tasks; starting or finishing is refused while a dependency is not done (the refusal names it); done needs a `summary` and your `confidence` (0 to 1; below 0.7 the human is asked to review), plus an uploaded deliverable when the task has the label `deliverable`; blocked needs a `reason` (the human is told at once); a task labelled needs-approval cannot start before the human approves it. Optional: `cost` in USD, `session_id` (your OpenClaw session).",
  input: z.object({
    task: taskArg,
    status: z
      .enum(['todo', 'in_progress', 'done', 'blocked', 'cancelled'])
      .describe('The new status.'),
    summary: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .optional()
      .describe('Required for done: what you did, in one or two sentences.'),
    confidence: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('Required for done: how sure you are of the result, 0 to 1 (e.g. 0.85).'),
    cost: z
      .number()
      .min(0)
      .max(1_000_000)
      .optional()
      .describe(
        "What the work cost, in USD: it counts against the month's budget (without it, the task's estimate stands in)."
      ),
    session_id: z
      .string()
      .regex(SESSION_ID, 'letters, digits and : . _ - only')
      .optional()
      .describe('Your OpenClaw session, e.g. openclaw-session-<uuid>.'),
    reason: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .optional()
      .describe('Required for blocked (what you need), optional for cancelled.'),
  }),
  output: z
    .object({
      task: z.string(),
      status: statusOut,
      previous_status: statusOut,
      state: z.string(),
      changed: z.boolean(),
      comment_id: z.string().nullable(),
    })
    .extend(runOut.shape),
  hints: IDEMPOTENT_WRITE_HINTS,
  access: 'agent',
  async handler(input, ctx) {
    const { status } = input
    const task = await resolveTask(ctx, input.task)
    await assertMine(ctx, task)
    const name = task.ref ?? task.key.id
    const record = await ctx.runs.load(task.key, readerOf(ctx))
    const previous = statusOf(task.snapshot.state)

    if (status === 'in_progress' && hasLabel(task, APPROVAL_LABEL))
      throw new ToolError(
        'refused',
        `Cannot start ${name}: it waits for the human's approval (label ${APPROVAL_LABEL}). You will be woken once it is approved.`,
        { rule: 'approval' }
      )
    if (status === 'done') {
      const missing = [
        ...(input.summary ? [] : ['a `summary`']),
        ...(input.confidence === undefined ? ['a `confidence` between 0 and 1'] : []),
        ...(hasLabel(task, DELIVERABLE_LABEL) && record.deliverables.length === 0
          ? [
              'an uploaded deliverable (upload_deliverable), since the task has the label `deliverable`',
            ]
          : []),
      ]
      if (missing.length > 0)
        throw new ToolError('refused', `Cannot mark ${name} done without ${missing.join(', ')}.`, {
          rule: 'completion_criteria',
          missing,
        })
    }
    if (status === 'blocked' && !input.reason)
      throw new ToolError('refused', `Say why ${name} is blocked: \`reason\` is required.`, {
        rule: 'blocked_reason',
      })
    if (status === 'in_progress' || status === 'done')
      assertDependenciesDone(
        task,
        await dependenciesOf(ctx, task, record),
        status === 'done' ? 'finish' : 'start'
      )

    const target = await stateFor(ctx, task.key.projectId, status)
    const changed = task.snapshot.state?.id !== target.id
    // Unchanged, with a run record that does not show the status yet: Plane took the change, from an earlier
    // call that failed or died before its comment or its record (or from a person in Plane). The comment is
    // written now, under the id that call chose, so it is there once whichever step the call reached.
    const lagging = !changed && record.state !== RECORDED_STATE[status]
    const comment =
      changed || lagging ? await _statusCommentId(ctx, task.key.id, status, changed) : null
    const externalId = comment?.externalId ?? null
    // A state and the comment that says why are two requests: the change is told with both (Plane v1.3 sends
    // the state's webhook back before the comment exists).
    const { current, written, saved } = await whileWriting(ctx, task.key.id, async () => {
      let current = task
      let written: { id: string; text: string } | null = null
      if (changed) {
        await ctx.writer.workItems.update(task.key.projectId, task.key.id, { state: target.id })
        current = await rereadTask(ctx, task)
        if (current.snapshot.state?.id !== target.id)
          throw new ToolError(
            'plane_error',
            `Plane accepted the change of ${name} to "${target.name}" but did not apply it (it still shows "${current.snapshot.state?.name ?? 'no state'}"). Nothing was recorded; tell the human.`,
            { rule: 'read_back' }
          )
      }
      if (externalId) {
        const text = _comment(ctx, input)
        // Told with the change it explains, in one window (sightWrite below), however long the steps between take.
        if (text) written = await postComment(ctx, current, text, { externalId, sight: false })
      }
      const saved = await touchRun(ctx, current, (r, at) => {
        const now = ctx.now()
        const base = {
          ...r,
          state: RECORDED_STATE[status],
          sessionId: input.session_id ?? r.sessionId,
          cost: input.cost ?? r.cost,
        }
        switch (status) {
          case 'in_progress':
            return {
              ...base,
              startedAt: r.startedAt ?? at,
              finishedAt: null,
              timerStartedAt: r.timerStartedAt ?? at,
            }
          case 'done':
            return {
              ...stopTimer(base, now).record,
              finishedAt: changed ? at : (r.finishedAt ?? at),
              summary: input.summary ?? r.summary,
              confidence: input.confidence ?? r.confidence,
            }
          case 'blocked':
            return stopTimer(base, now).record
          case 'cancelled':
            return { ...stopTimer(base, now).record, finishedAt: at }
          default:
            return stopTimer(base, now).record
        }
      })
      if (status === 'done' && saved.cost !== null && saved.agentId)
        await recordFinishedCost(ctx.store, saved.agentId, task.key.id, saved.cost)
      // Unchanged too: a repeat of a call that failed after Plane took the change (a store fault, a crash) is
      // this change's only sighting before the poll; the pipeline ignores what it has already seen. Such a repeat
      // (its earlier call chose the comment's id) measures the change from an earlier state, so a bridge that
      // never saw the task tells it all the same; a task that was already so (a person, before the deploy) is not
      // a change.
      await sightWrite(
        ctx,
        current,
        comment?.repeat ? _beforeLaggingChange(task) : task,
        written ? [written] : []
      )
      return { current, written, saved }
    })
    // NOTIF-07: in progress starts the task's live message (or says it is at work again after a question); done,
    // blocked and cancelled end it. The pipeline does the same for a change made in Plane.
    if (status === 'in_progress') await ctx.live.start(current.snapshot, ctx.me.name)
    else if (status !== 'todo') await ctx.live.end(task.key.id, status)
    return {
      task: name,
      status: statusOf(current.snapshot.state),
      previous_status: previous,
      state: current.snapshot.state?.name ?? target.name,
      changed,
      comment_id: written?.id ?? null,
      ...presentRun(saved, ctx.now()),
    }
  },
  summarize: (o) =>
    o.changed
      ? `${o.task} is now ${o.status} ("${o.state}", was ${o.previous_status}). Time spent: ${o.time_spent_seconds} s.`
      : o.comment_id
        ? `${o.task} was already ${o.status} ("${o.state}"); its comment is written now.`
        : `${o.task} was already ${o.status} ("${o.state}"); nothing changed.`,
})

// --- Internal helpers ---

/** The external id of a status change's comment, chosen before Plane is asked for the change. */
type StatusComment = { status: string; externalId: string }
const statusCommentKey = (taskId: string) => `task:status-comment:${taskId}`
/** Long past any repeat of the call: an agent tries again within minutes. */
const STATUS_COMMENT_TTL_S = 24 * 60 * 60

/**
 * A new change gets a new id, kept before Plane is asked for the change; a repeat finds the id of the call that
 * made the change (a person's change in Plane finds none, and gets one).
 */
async function _statusCommentId(
  ctx: ToolContext,
  taskId: string,
  status: string,
  changed: boolean
): Promise<{ externalId: string; repeat: boolean }> {
  const { store } = ctx
  const key = statusCommentKey(taskId)
  const earlier = changed ? null : await store.get<StatusComment>(key)
  if (earlier?.status === status) return { externalId: earlier.externalId, repeat: true }
  const chosen: StatusComment = { status, externalId: `status:${crypto.randomUUID()}` }
  await store.set(key, chosen, { ttlSeconds: STATUS_COMMENT_TTL_S })
  return { externalId: chosen.externalId, repeat: false }
}

/**
 * The task as it was before a change Plane already holds but the bridge never recorded: its state is unknown
 * (only that it was another one), as a webhook hint rebuilds it.
 */
function _beforeLaggingChange(task: LoadedTask): LoadedTask {
  return { ...task, snapshot: { ...task.snapshot, state: { id: '', name: '', group: 'unknown' } } }
}

function _comment(
  ctx: Parameters<typeof updateTaskStatus.handler>[1],
  input: { status: string; summary?: string; confidence?: number; cost?: number; reason?: string }
): string | null {
  const p = toolPhrases(ctx.config.LOCALE)
  const who = ctx.me.name
  switch (input.status) {
    case 'in_progress':
      return p.started(who)
    case 'done':
      return p.done(
        who,
        input.summary ?? '',
        p.number(input.confidence ?? 0),
        input.cost === undefined ? null : p.number(input.cost)
      )
    case 'blocked':
      return p.blocked(who, input.reason ?? '')
    case 'cancelled':
      return p.cancelled(who, input.reason ?? null)
    default:
      return p.backToTodo(who)
  }
}
