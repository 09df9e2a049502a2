/** @module The messages a flush tells the human: the pending change's notifications, worded, within each agent's quota. */

import { agentsOfTask } from '../agents/task-vocabulary.ts'
import type { TaskChange } from '../events.ts'
import type { Directory } from '../notify/directory.ts'
import { renderTaskNotification } from '../notify/messages.ts'
import { type EnqueueInput, telegramMessage } from '../notify/outbox.ts'
import {
  classifyComment,
  classifyTaskChanges,
  filterByPolicy,
  type TaskNotification,
} from '../notify/policy.ts'
import { postCard } from './flush-cards.ts'
import type { DeferredCompletion, FlushContext, PendingChange } from './flush-types.ts'

export async function planMessages(
  entry: PendingChange,
  changes: TaskChange[],
  ctx: FlushContext,
  /** Set: a completion is kept here for the review card instead of being sent on its own. */
  deferred: DeferredCompletion | null
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
  // Blocked state or label of the same pending change instead of a second ⛔.
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
  const names = await userNames(ctx.directory, [
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
            ...(deferred ? { summary: run.summary ?? null } : {}),
          }
        : {}),
    })
    // The pending entry (task + the time it opened) names the message: a repeated flush enqueues nothing new.
    const dedupeKey = `notify:${task.id}:${entry.firstAt}:${n.kind}:${i}`
    // An agent past its share of the human's attention: the message waits for its grouped one.
    const forReview = n.kind === 'task.completed' && deferred !== null
    const grouped = forReview ? null : await overQuota(ctx, actor, chatId, dedupeKey, text)
    if (grouped) {
      out.push(grouped)
      continue
    }
    // A blocker or a question waits for the human: it can be answered from Telegram.
    if (n.kind === 'task.completed' && deferred && !deferred.html) {
      deferred.html = text
      deferred.dedupeKey = dedupeKey
    } else if (n.kind === 'task.blocked' && ctx.cards) {
      const [owner] = await agentsOfTask(ctx.directory, task)
      await postCard(ctx, 'question', task, owner?.id ?? null, text, dedupeKey)
    } else out.push(telegramMessage(chatId, text, dedupeKey, task.projectId))
  }
  return out
}

// --- Internal helpers ---

/**
 * When the change's actor is an agent past its quota: the message is kept for the agent's grouped message, and the
 * item that sends that group is returned (null: the message goes on its own). A completion kept for its review
 * card is never grouped: the card carries buttons.
 */
async function overQuota(
  ctx: FlushContext,
  actor: { id: string } | null,
  chatId: string,
  dedupeKey: string,
  html: string
): Promise<EnqueueInput | null> {
  if (!ctx.quota || !actor) return null
  const agent = await ctx.directory.agentByPlaneUser(actor.id)
  if (!agent || (await ctx.quota.admit(agent.id))) return null
  return ctx.quota.group({ agentId: agent.id, agentName: agent.name, chatId, dedupeKey, html })
}

async function userNames(directory: Directory, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)]
  const names = await Promise.all(unique.map((id) => directory.userName(id)))
  return new Map(unique.map((id, i) => [id, names[i] ?? id]))
}
