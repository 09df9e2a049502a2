/** @module What a closed coalescing window turns into: Telegram messages for the human, wake-ups for agents. */

import type { CardKind } from '../actions/cards.ts'
import { actionPhrasesFor } from '../actions/phrases.ts'
import { APPROVAL_LABEL, agentsOfTask, isOpenForAgent } from '../agents/task-vocabulary.ts'
import type { TaskChange, TaskSnapshot } from '../events.ts'
import { parseConfidence } from '../notify/confidence.ts'
import { diffTask } from '../notify/diff.ts'
import type { AgentRef, Directory } from '../notify/directory.ts'
import { phrasesFor } from '../notify/i18n.ts'
import { renderReview, renderTaskName, renderTaskNotification } from '../notify/messages.ts'
import { type EnqueueInput, telegramMessage } from '../notify/outbox.ts'
import {
  classifyComment,
  classifyTaskChanges,
  filterByPolicy,
  isReviewComment,
  REVIEW_CONFIDENCE_THRESHOLD,
  type TaskNotification,
} from '../notify/policy.ts'
import { recordReview, settleReview } from '../notify/reviews.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { escapeHtml } from '../telegram/html.ts'
import type { FlushContext, FlushPlan, PendingChange } from './flush-types.ts'

export type { FlushContext, FlushPlan, PendingChange, RunInfo } from './flush-types.ts'

export async function planFlush(entry: PendingChange, ctx: FlushContext): Promise<FlushPlan> {
  let task = entry.after
  const diff = diffTask(entry.before, task, {
    created: entry.created && !entry.before,
    hint: entry.hint,
  })
  const changes = diff.status === 'changed' ? diff.changes : []
  // One completion, one message: when the same window reports a low confidence, the completion carries
  // the review's buttons instead of a second message repeating it.
  const held: HeldCompletion = { html: null, dedupeKey: null }
  const reviewing = _reviewWanted(entry, ctx)
  const items = [
    ...(await _messages(entry, changes, ctx, reviewing ? held : null)),
    ...(await _reviews(entry, ctx, held)),
  ]
  // Kept back for a review that did not come to a card after all: sent on its own, as before.
  if (held.html && held.dedupeKey && ctx.chatId)
    items.push(telegramMessage(ctx.chatId, held.html, held.dedupeKey, task.projectId))
  // OPENCLAW-10: the agent labels follow the assignees a person set, before anyone is woken or stopped.
  const assignees = changes.find((c) => c.kind === 'assignees')
  if (assignees?.kind === 'assignees' && ctx.syncAgentLabels) {
    const synced = await ctx
      .syncAgentLabels(task, {
        assigned: await _agentsOf(ctx.directory, assignees.added),
        unassigned: await _agentsOf(ctx.directory, assignees.removed),
      })
      .catch((error: unknown) => {
        // Deleted in Plane since (no webhook says so, makeplane/plane#8054): no label to write, the change is
        // still told, and the poll or a tool's 404 forgets the task. Any other failure is the flush's.
        if (error instanceof PlaneApiError && error.kind === 'not_found') return null
        throw error
      })
    if (synced) task = synced
  }
  // Who holds the task before and after the window (a task seen for the first time by a read: unknown).
  const known = entry.before !== null || entry.created
  const had = entry.before ? await agentsOfTask(ctx.directory, entry.before) : []
  const has = await agentsOfTask(ctx.directory, task)
  const added = known ? has.filter((a) => !had.some((b) => b.id === a.id)) : []
  const removed = known ? had.filter((a) => !has.some((b) => b.id === a.id)) : []
  const closing = changes.find(
    (c) => c.kind === 'state' && _closed(c.to?.group) && c.from?.group !== c.to?.group
  )
  const closedTo =
    closing?.kind === 'state' ? (closing.to?.group as 'completed' | 'cancelled') : undefined
  const tracker = ctx.tracker
  if (tracker) {
    // Taken away first, so a reassignment's stop message names who has the task now.
    const reason = added.length > 0 ? 'reassigned' : 'unassigned'
    for (const agent of removed) await tracker.unassigned(task, agent, reason, added[0])
    if (closedTo === 'cancelled')
      for (const agent of has) await tracker.unassigned(task, agent, 'cancelled')
    // A task held for the human's approval wakes nobody until it is approved (the tracker checks):
    // the human is asked, once per task. Approved (the label gone: removed in Plane; a press of the card's button
    // wakes through `tracker.approved` too, and whichever comes first wakes), or opened to its agents (out of the
    // backlog, reopened): its agents are woken now. Only a task open to its agent wakes it (OPENCLAW-02: a
    // backlog or finished task is not theirs to pick up); the tracker's claim makes each assignment one wake.
    const approved = changes.some(
      (c) => c.kind === 'labels' && c.removed.some((l) => l.toLowerCase() === APPROVAL_LABEL)
    )
    const opened = changes.some(
      (c) => c.kind === 'state' && !isOpenForAgent({ state: c.from }) && isOpenForAgent(task)
    )
    const toWake = approved || opened ? has : added
    // Created in this window: the bridge knew nothing of it before, it has no run card to read.
    const created = entry.created && entry.before === null
    if (ctx.wakeAgents !== false && !closedTo && isOpenForAgent(task))
      for (const agent of toWake)
        if ((await tracker.assigned(task, agent, { created })) === 'held')
          await _askApproval(task, agent, ctx)
  }
  // From a state known open (not done to cancelled; not a first sighting, whose hint names no group): its project may
  // have ended with it.
  const from = closing?.kind === 'state' ? closing.from?.group : undefined
  if (closedTo && ctx.onClosed)
    await ctx.onClosed(task, closedTo, { fromOpen: OPEN_GROUPS.has(from ?? '') })
  return { items, snapshot: task }
}

// --- Internal helpers ---

const OPEN_GROUPS: ReadonlySet<string> = new Set(['backlog', 'unstarted', 'started', 'triage'])

function _closed(group: string | undefined): boolean {
  return group === 'completed' || group === 'cancelled'
}

/** A completion message kept back to become the review card of the same window. */
type HeldCompletion = { html: string | null; dedupeKey: string | null }

/** The window holds a low-confidence report the human is to review on a card. */
function _reviewWanted(entry: PendingChange, ctx: FlushContext): boolean {
  return (
    ctx.cards !== undefined &&
    ctx.chatId !== null &&
    entry.comments.some((c) => isReviewComment(c.text)) &&
    filterByPolicy(
      ctx.policy,
      [{ kind: 'review.needed' as const }],
      entry.after.projectId,
      ctx.project?.identifier ?? null
    ).length > 0
  )
}

/**
 * OPENCLAW-12: each low-confidence report of the window asks the human for a review, and stays listed
 * (/plane status, digest) until a report at or above the threshold, or a week.
 */
async function _reviews(
  entry: PendingChange,
  ctx: FlushContext,
  held: HeldCompletion
): Promise<EnqueueInput[]> {
  const task = entry.after
  const out: EnqueueInput[] = []
  const wanted =
    ctx.chatId !== null &&
    filterByPolicy(
      ctx.policy,
      [{ kind: 'review.needed' as const }],
      task.projectId,
      ctx.project?.identifier ?? null
    ).length > 0
  for (const [i, comment] of entry.comments.entries()) {
    const confidence = parseConfidence(comment.text)
    if (confidence === null) continue
    if (!isReviewComment(comment.text)) {
      await settleReview(ctx.store, task.id)
      continue
    }
    const agent = comment.actor ? await ctx.directory.agentByPlaneUser(comment.actor.id) : null
    const who = comment.actor ? await ctx.directory.userName(comment.actor.id) : '?'
    await recordReview(ctx.store, {
      taskId: task.id,
      projectId: task.projectId,
      sequenceId: task.sequenceId,
      taskName: task.name,
      agentId: agent?.id ?? who,
      confidence,
      at: entry.firstAt,
    })
    if (!wanted || !ctx.chatId) continue
    if (held.html && held.dedupeKey) {
      // The completion of this window, with the review's question and buttons: the report is already in it.
      const threshold = phrasesFor(ctx.locale).formatNumber(REVIEW_CONFIDENCE_THRESHOLD)
      const html = `${held.html}\n${phrasesFor(ctx.locale).reviewOnCompletion(threshold)}`
      await _postCard(ctx, 'review', task, agent?.id ?? null, html, held.dedupeKey)
      held.html = null
      continue
    }
    const text = renderReview(
      task,
      confidence,
      who,
      { locale: ctx.locale, project: ctx.project, taskUrl: ctx.taskUrl },
      comment.text
    )
    const dedupeKey = `notify:${task.id}:${entry.firstAt}:review:${i}`
    if (ctx.cards) await _postCard(ctx, 'review', task, agent?.id ?? null, text, dedupeKey)
    else out.push(telegramMessage(ctx.chatId, text, dedupeKey, task.projectId))
  }
  return out
}

async function _messages(
  entry: PendingChange,
  changes: TaskChange[],
  ctx: FlushContext,
  /** Set: a completion is kept here for the review card instead of being sent on its own. */
  held: HeldCompletion | null
): Promise<EnqueueInput[]> {
  const task = entry.after
  const fromComments = entry.comments
    .map((c) =>
      classifyComment(
        {
          type: 'comment',
          taskId: task.id,
          projectId: task.projectId,
          commentId: '',
          text: c.text,
          actor: c.actor,
          source: 'webhook',
        },
        task
      )
    )
    .filter((n): n is TaskNotification => n !== null)
  // One change, one message: a blocker comment says why the task is blocked, so it stands for the
  // Blocked state or label of the same window instead of a second ⛔.
  const explained = fromComments.some((n) => n.kind === 'task.blocked')
  const notifications = [
    ...classifyTaskChanges(task, changes).filter((n) => !(explained && n.kind === 'task.blocked')),
    ...fromComments,
  ]
  const allowed = filterByPolicy(
    ctx.policy,
    notifications,
    task.projectId,
    ctx.project?.identifier ?? null
  )
  const chatId = ctx.chatId
  if (!chatId || allowed.length === 0) return []
  const run =
    ctx.runInfo && allowed.some((n) => n.kind === 'task.completed')
      ? await ctx.runInfo(task.id)
      : null
  const names = await _names(ctx.directory, [
    ...task.assigneeIds,
    ...allowed.flatMap((n) => n.assigned ?? []),
  ])
  const out: EnqueueInput[] = []
  for (const [i, n] of allowed.entries()) {
    const actor =
      n.blocker?.via === 'comment'
        ? (entry.comments.find((c) => c.text.trim() === n.blocker?.text)?.actor ?? null)
        : entry.actor
    const text = renderTaskNotification(n, {
      locale: ctx.locale,
      project: ctx.project,
      taskUrl: ctx.taskUrl,
      userName: (id) => names.get(id) ?? id,
      actorName: actor ? (names.get(actor.id) ?? actor.name) : null,
      ...(n.kind === 'task.completed' && run
        ? {
            timeSpentMinutes: Math.round(run.timeSpentSeconds / 60),
            confidence: run.confidence,
            deliverables: run.deliverables ?? [],
            ...(held ? { summary: run.summary ?? null } : {}),
          }
        : {}),
    })
    // The pending entry (task + window start) names the message: a repeated flush enqueues nothing new.
    const dedupeKey = `notify:${task.id}:${entry.firstAt}:${n.kind}:${i}`
    // An agent past its share of the human's attention: the message waits for its grouped one.
    const forReview = n.kind === 'task.completed' && held !== null
    const grouped = forReview ? null : await _overQuota(ctx, actor, chatId, dedupeKey, text)
    if (grouped) {
      out.push(grouped)
      continue
    }
    // A blocker or a question waits for the human: it can be answered from Telegram.
    if (n.kind === 'task.completed' && held && !held.html) {
      held.html = text
      held.dedupeKey = dedupeKey
    } else if (n.kind === 'task.blocked' && ctx.cards) {
      const [owner] = await agentsOfTask(ctx.directory, task)
      await _postCard(ctx, 'question', task, owner?.id ?? null, text, dedupeKey)
    } else out.push(telegramMessage(chatId, text, dedupeKey, task.projectId))
  }
  return out
}

/**
 * When the change's actor is an agent past its quota: the message is held for the agent's grouped message, and the
 * item that sends that group is returned (null: the message goes on its own). A completion kept for its review
 * card is never held: the card carries buttons.
 */
async function _overQuota(
  ctx: FlushContext,
  actor: { id: string } | null,
  chatId: string,
  dedupeKey: string,
  html: string
): Promise<EnqueueInput | null> {
  if (!ctx.quota || !actor) return null
  const agent = await ctx.directory.agentByPlaneUser(actor.id)
  if (!agent || (await ctx.quota.admit(agent.id))) return null
  return ctx.quota.hold({ agentId: agent.id, agentName: agent.name, chatId, dedupeKey, html })
}

async function _postCard(
  ctx: FlushContext,
  kind: CardKind,
  task: TaskSnapshot,
  agentId: string | null,
  html: string,
  dedupeKey: string
): Promise<void> {
  if (!ctx.cards || !ctx.chatId) return
  const ref =
    ctx.project?.identifier && task.sequenceId !== null
      ? `${ctx.project.identifier}-${task.sequenceId}`
      : null
  await ctx.cards.post(
    { kind, chatId: ctx.chatId, taskId: task.id, projectId: task.projectId, ref, agentId, html },
    actionPhrasesFor(ctx.locale).buttons,
    dedupeKey
  )
}

/** The approval card, once per task (its dedupe key): approve wakes the agent, refuse cancels the task. */
async function _askApproval(task: TaskSnapshot, agent: AgentRef, ctx: FlushContext): Promise<void> {
  if (!ctx.cards || !ctx.chatId) return
  const { locale, project, taskUrl } = ctx
  const name = renderTaskName(task, { locale, project, taskUrl })
  const overBudget = (await ctx.runInfo?.(task.id))?.held === 'budget'
  const agentName = `<b>${escapeHtml(agent.name)}</b>`
  const html = actionPhrasesFor(locale).approvalAsk(name, agentName, overBudget)
  await _postCard(ctx, 'approval', task, agent.id, html, `approval:${task.id}`)
}

async function _agentsOf(directory: Directory, userIds: readonly string[]): Promise<AgentRef[]> {
  const found = await Promise.all(userIds.map((id) => directory.agentByPlaneUser(id)))
  return found.filter((a): a is AgentRef => a !== null)
}

async function _names(directory: Directory, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)]
  const names = await Promise.all(unique.map((id) => directory.userName(id)))
  return new Map(unique.map((id, i) => [id, names[i] ?? id]))
}
