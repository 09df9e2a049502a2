/** @module Writes the tools share: the state for a status, a comment on the caller's behalf, the run record's upkeep. */

import { agentsOfTask, isAgentTask } from '../../shared/agents/task-vocabulary.ts'
import { isBlockedName } from '../../shared/notify/policy.ts'
import type { PlaneState } from '../../shared/plane/schemas.ts'
import { BRIDGE_EXTERNAL_SOURCE } from '../../shared/runs/records.ts'
import type { RunRecord } from '../../shared/runs/types.ts'
import { markdownToHtml } from '../../shared/text/markdown.ts'
import { ToolError } from './errors.ts'
import { actorName, type TaskContext } from './task-context.ts'
import { type LoadedTask, readerOf, sightComment, type TaskStatus } from './tasks.ts'
import type { ToolContext } from './tool.ts'

/** The project's state for a status: its group's default (or first), and for `blocked` the Blocked state. */
export async function stateFor(
  ctx: TaskContext,
  projectId: string,
  status: Exclude<TaskStatus, 'backlog'>
): Promise<PlaneState> {
  // Listed at most every 5 minutes per project (the bridge's projectStates part).
  const states = await ctx.projectStates.list(ctx.plane, projectId)
  const group = {
    todo: 'unstarted',
    in_progress: 'started',
    blocked: 'started',
    done: 'completed',
    cancelled: 'cancelled',
  }[status]
  const candidates = states
    .filter((s) => (status === 'blocked' ? isBlockedName(s.name) : s.group === group))
    .filter((s) => status === 'blocked' || !isBlockedName(s.name))
    .sort(
      (a, b) =>
        Number(b.default ?? false) - Number(a.default ?? false) ||
        (a.sequence ?? 0) - (b.sequence ?? 0)
    )
  const found = candidates[0]
  if (!found) {
    const fix =
      status === 'blocked'
        ? 'The operator can create it with `npm run job -- provision`.'
        : `Add a state of group "${group}" to the project in Plane.`
    throw new ToolError(
      'refused',
      `The project has no ${status === 'blocked' ? 'Blocked' : `"${group}"`} state. ${fix}`,
      { rule: 'workflow' }
    )
  }
  return found
}

/**
 * A tool call repeated this soon, with the same arguments, by the same caller, is the same call again: its answer
 * was lost (Plane saved the object, then answered 500; the connection dropped) and the caller retried. Long enough
 * for any retry, short enough that the same request made on purpose later is carried out again.
 */
export const REPEAT_WINDOW_S = 10 * 60

/**
 * The external id of what a call creates, chosen before Plane is asked and kept for the window under
 * `tool:repeat:<tool>:<hash of caller and what>`: a repeat gets the first call's id (and `repeat: true`), so Plane
 * answers 409 with the object already written (or writes it, if the first call never got that far). `what`: the
 * call's arguments as they identify it (the task and the rendered text of a comment; the whole input of a task).
 */
export async function repeatableExternalId(
  ctx: ToolContext,
  tool: string,
  what: string,
  prefix: string
): Promise<{ externalId: string; repeat: boolean; forget(): Promise<void> }> {
  const { store, hashing } = ctx
  const key = `tool:repeat:${tool}:${await hashing.sha256Hex(`${ctx.me.id}\n${what}`)}`
  const fresh = `${prefix}:${crypto.randomUUID()}`
  /** For a call refused before it wrote anything: the same call again is then a new one, not a repeat. */
  const forget = () => store.delete(key)
  if (await store.claim(key, REPEAT_WINDOW_S, fresh))
    return { externalId: fresh, repeat: false, forget }
  return { externalId: (await store.get<string>(key)) ?? fresh, repeat: true, forget }
}

/**
 * A comment from the caller: Markdown → sanitised HTML, written with its own key (or the bridge's, then
 * beginning with its name), marked as the bridge's so the webhook echo is not counted twice, then seen
 * by the pipeline (blockers, questions and confidence reports reach the human at once).
 *
 * `externalId` makes the comment one of a kind: Plane answers a second create with the same id 409 and the
 * existing comment, which is returned instead (a repeat of a call that died after writing it). Default: a new id.
 */
export async function postComment(
  ctx: TaskContext,
  task: LoadedTask,
  text: string,
  {
    externalId = `comment:${crypto.randomUUID()}`,
    sight = true,
    finishHtml = (html) => html,
  }: {
    externalId?: string
    /** false: the caller hands the comment to the pipeline with the change it explains (sightWrite). */
    sight?: boolean
    /** The HTML as rendered from the Markdown, finished (an agent's @mentions made Plane's). */
    finishHtml?: (html: string) => string
  } = {}
): Promise<{ id: string; html: string; text: string }> {
  // A person's comment names them in its own words (shared/actions/phrases.ts); an agent's without its key begins so.
  const body =
    ctx.ownKey || ctx.actor.kind === 'human' ? text : `**${actorName(ctx.actor)}** — ${text}`
  const html = finishHtml(markdownToHtml(body))
  const comment = await ctx.writer.comments.create(task.key.projectId, task.key.id, {
    comment_html: html,
    external_source: BRIDGE_EXTERNAL_SOURCE,
    external_id: externalId,
  })
  if (sight) await sightComment(ctx, task, { id: comment.id, text })
  return { id: comment.id, html: comment.comment_html ?? html, text }
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
