/** @module Writes the tools share: a repeated call's external id, the run record's upkeep, its timer. */

import { agentsOfTask, isAgentTask } from '../../shared/agents/task-vocabulary.ts'
import type { RunRecord } from '../../shared/runs/types.ts'
import { type LoadedTask, readerOf } from '../../shared/tasks/tasks.ts'
import type { ToolContext } from './tool.ts'

/**
 * A tool call repeated this soon, with the same arguments, by the same caller, is the same call again: its answer
 * was lost (Plane saved the object, then answered 500; the connection dropped) and the caller retried. Long enough
 * for any retry, short enough that the same request made on purpose later is carried out again.
 */
export const REPEAT_PERIOD_S = 10 * 60

/**
 * The external id of what a call creates, chosen before Plane is asked and kept for the repeat period under
 * `tool:repeat:<tool>:<hash of caller and what>`: a repeat gets the first call's id (and `repeat: true`), so Plane
 * answers 409 with the object already written (or writes it, if the first call never got that far). `what`: the
 * call's arguments as they identify it (the task and the rendered text of a comment; the whole input of a task).
 */
export async function repeatableExternalId(
  ctx: ToolContext,
  tool: string,
  what: string,
  prefix: string
): Promise<{ externalId: string; repeat: boolean; release(): Promise<void> }> {
  const { store, hashing } = ctx
  const key = `tool:repeat:${tool}:${await hashing.sha256Hex(`${ctx.me.id}\n${what}`)}`
  const fresh = `${prefix}:${crypto.randomUUID()}`
  /** For a call refused before it wrote anything: the same call again is then a new one, not a repeat. */
  const release = () => store.delete(key)
  if (await store.claim(key, REPEAT_PERIOD_S, fresh))
    return { externalId: fresh, repeat: false, release }
  return { externalId: (await store.get<string>(key)) ?? fresh, repeat: true, release }
}

/** Note the caller's activity on the task's run record (and run card), with any other change. */
export async function touchRun(
  ctx: ToolContext,
  task: LoadedTask,
  change: (record: RunRecord, at: string) => RunRecord = (r) => r
): Promise<RunRecord> {
  const at = new Date(ctx.now()).toISOString()
  // The run is its agent's: the Concierge acting on someone's task leaves it theirs.
  const owner = isAgentTask(task.snapshot, ctx.me)
    ? ctx.me.id
    : ((await agentsOfTask(ctx.directory, task.snapshot))[0]?.id ?? null)
  return ctx.runs.update(
    task.key,
    (record) => {
      const agentId = ctx.me.role === 'concierge' ? (record.agentId ?? owner) : ctx.me.id
      // The agent's own write starts a woken (pending) or checked-in (seen) run, and resumes a quiet (stale) one.
      const wakes =
        agentId === ctx.me.id &&
        (record.state === 'pending' || record.state === 'seen' || record.state === 'stale')
      return change(
        { ...record, agentId, lastActivityAt: at, ...(wakes ? { state: 'active' as const } : {}) },
        at
      )
    },
    { agentName: ctx.me.name, via: readerOf(ctx) }
  )
}

/** Close a running timer into the total; returns the record and the closed interval's length. */
export function stopTimer(record: RunRecord, now: number): { record: RunRecord; seconds: number } {
  if (!record.timerStartedAt) return { record, seconds: 0 }
  const seconds = Math.max(0, Math.round((now - Date.parse(record.timerStartedAt)) / 1000))
  return {
    record: {
      ...record,
      timerStartedAt: null,
      timeSpentSeconds: record.timeSpentSeconds + seconds,
    },
    seconds,
  }
}
