/** @module start_timer / stop_timer (OPENCLAW-06): time kept by the bridge (Plane CE has no worklogs), also in Plane's worklogs where the instance has them. */
import * as z from 'zod'
import { errorMessage } from '../../../shared/observe/errors.ts'
import type { PlaneClient } from '../../../shared/plane/client.ts'
import { planePath } from '../../../shared/plane/paths.ts'
import { timeSpentNow } from '../../../shared/runs/records.ts'
import { formatDuration as formatSeconds } from '../../../shared/runs/run-card.ts'
import { type LoadedTask, resolveTask } from '../../../shared/tasks/tasks.ts'
import { IDEMPOTENT_WRITE_HINTS, taskOnly } from '../schemas.ts'
import { assertMine } from '../tasks.ts'
import { defineTool, type ToolContext } from '../tool.ts'
import { stopTimer, touchRun } from '../writes.ts'

const timerOut = z.object({
  task: z.string(),
  running: z.boolean(),
  started_at: z.string().nullable(),
  /** The interval this call closed (stop_timer); 0 otherwise. */
  duration_seconds: z.number(),
  time_spent_seconds: z.number(),
  worklog: z.enum(['recorded', 'not_available', 'failed', 'none']),
})

export const startTimer = defineTool({
  name: 'start_timer',
  title: 'Start the timer',
  description:
    'Starts timing your work on one of your tasks (update_task_status in_progress also does it). Starting a timer that is already running changes nothing and returns it. Refused on tasks that are not yours.',
  input: taskOnly,
  output: timerOut,
  hints: IDEMPOTENT_WRITE_HINTS,
  access: 'agent',
  async handler({ task: name }, ctx) {
    const task = await resolveTask(ctx, name)
    await assertMine(ctx, task)
    const record = await touchRun(ctx, task, (r, at) => ({
      ...r,
      timerStartedAt: r.timerStartedAt ?? at,
    }))
    return {
      task: task.ref ?? task.key.id,
      running: true,
      started_at: record.timerStartedAt,
      duration_seconds: 0,
      time_spent_seconds: timeSpentNow(record, ctx.now()),
      worklog: 'none' as const,
    }
  },
  summarize: (o) =>
    `Timer running on ${o.task} since ${o.started_at}; total so far ${formatSeconds(o.time_spent_seconds)}.`,
})

export const stopTimerTool = defineTool({
  name: 'stop_timer',
  title: 'Stop the timer',
  description:
    "Stops the timer on one of your tasks and returns how long it ran and the task's total time. With no timer running it changes nothing and returns the total. update_task_status done, blocked or cancelled stops it too.",
  input: taskOnly,
  output: timerOut,
  hints: IDEMPOTENT_WRITE_HINTS,
  access: 'agent',
  async handler({ task: name }, ctx) {
    const task = await resolveTask(ctx, name)
    await assertMine(ctx, task)
    let closed = 0
    const record = await touchRun(ctx, task, (r) => {
      const stopped = stopTimer(r, ctx.now())
      closed = stopped.seconds
      return stopped.record
    })
    const worklog = closed > 0 ? await _worklog(ctx, task, closed) : ('none' as const)
    // The task's live message shows the new total at its next edit.
    if (closed > 0) await ctx.live.touch(task.key.id)
    return {
      task: task.ref ?? task.key.id,
      running: false,
      started_at: null,
      duration_seconds: closed,
      time_spent_seconds: record.timeSpentSeconds,
      worklog,
    }
  },
  summarize: (o) =>
    `Timer stopped on ${o.task}: ${formatSeconds(o.duration_seconds)} this time, ${formatSeconds(o.time_spent_seconds)} in all.`,
})

// --- Internal helpers ---

/** Plane's worklogs (Pro/Cloud only; detected, never assumed): minutes, with the agent as author when it has a key. */
async function _worklog(
  ctx: ToolContext,
  task: LoadedTask,
  seconds: number
): Promise<'recorded' | 'not_available' | 'failed'> {
  if (!(await ctx.plane.capabilities()).worklogs) return 'not_available'
  const client: PlaneClient = ctx.writer
  try {
    const path = planePath(
      'workspaces',
      client.workspaceSlug,
      'projects',
      task.key.projectId,
      'issues',
      task.key.id,
      'worklogs'
    )
    await client.request('POST', path, z.unknown(), {
      body: {
        duration: Math.max(1, Math.round(seconds / 60)),
        description: `plane-bridge: ${ctx.me.name}`,
      },
      replaySafe: false,
    })
    return 'recorded'
  } catch (error) {
    ctx.log.warn('worklog not recorded', {
      task: task.key.id,
      error: errorMessage(error),
    })
    return 'failed'
  }
}
