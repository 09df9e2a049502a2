/** @module The cards a flush posts: a review, a question, an approval, each once (its dedupe key). */

import type { CardKind } from '../actions/cards.ts'
import { actionPhrasesFor } from '../actions/phrases.ts'
import type { TaskSnapshot } from '../events.ts'
import type { AgentRef } from '../notify/directory.ts'
import { renderTaskName } from '../notify/messages.ts'
import { escapeHtml } from '../telegram/html.ts'
import type { FlushContext } from './flush-types.ts'

export async function postCard(
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
export async function askApproval(
  task: TaskSnapshot,
  agent: AgentRef,
  ctx: FlushContext
): Promise<void> {
  if (!ctx.cards || !ctx.chatId) return
  const { locale, project, taskUrl } = ctx
  const name = renderTaskName(task, { locale, project, taskUrl })
  const overBudget = (await ctx.runInfo?.(task.id))?.waitsFor === 'budget'
  const agentName = `<b>${escapeHtml(agent.name)}</b>`
  const html = actionPhrasesFor(locale).approvalAsk(name, agentName, overBudget)
  await postCard(ctx, 'approval', task, agent.id, html, `approval:${task.id}`)
}
