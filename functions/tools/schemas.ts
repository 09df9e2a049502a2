/** @module Argument and result pieces several tools share (snake_case: the public contract). */
import * as z from 'zod'
import { isPlaneId } from '../../shared/plane/limits.ts'
import { TASK_REF } from '../../shared/tasks/tasks.ts'

/** Whether `task` names a task the way Plane can look it up: a reference (`ONB-12`) or a Plane id (UUID). */
export function isTaskName(task: string): boolean {
  return TASK_REF.test(task) || isPlaneId(task)
}

/**
 * A task by reference or id, checked before anything else: `NaN`, `undefined` or a 200 KB string is
 * invalid_input, never a store key or a Plane URL segment.
 */
export const taskName = z
  .string()
  .trim()
  .min(1, 'name the task by its id or its reference, e.g. ONB-12')
  .max(64)
  .refine(isTaskName, 'expected a task id (UUID) or a reference like ONB-12')

export const taskArg = taskName.describe(
  'The task: its reference such as "ONB-12" (preferred) or its id (UUID).'
)

export const statusValues = [
  'backlog',
  'todo',
  'in_progress',
  'blocked',
  'done',
  'cancelled',
] as const
export const statusOut = z.enum(statusValues)

export const projectOut = z.object({
  id: z.string(),
  identifier: z.string().nullable(),
  name: z.string().nullable(),
})

export const dependencyOut = z.object({
  ref: z.string(),
  title: z.string().nullable(),
  status: z.union([statusOut, z.literal('unknown')]),
})

export const deliverableOut = z.object({
  attachment_id: z.string(),
  name: z.string(),
  mime_type: z.string(),
  size_bytes: z.number(),
  url: z.string().nullable(),
  description: z.string().nullable(),
  at: z.string(),
})

/** The metadata the bridge keeps for a task (run card), as every tool reports it. */
export const runOut = z.object({
  run_state: z.string(),
  time_spent_seconds: z.number(),
  timer_running_since: z.string().nullable(),
  confidence_score: z.number().nullable(),
  cost_estimate: z.number().nullable(),
  cost: z.number().nullable(),
  session_id: z.string().nullable(),
})

export const PRIORITIES = ['urgent', 'high', 'medium', 'low', 'none'] as const

/** The input of tools that take only a task. */
export const taskOnly = z.object({ task: taskArg })

/** MCP hints: reads; writes that a repeat leaves as they are; writes that a repeat does again. */
export const READ_HINTS = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
}
export const IDEMPOTENT_WRITE_HINTS = { ...READ_HINTS, readOnlyHint: false }
export const WRITE_HINTS = { ...IDEMPOTENT_WRITE_HINTS, idempotentHint: false }
