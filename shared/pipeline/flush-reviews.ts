/**
 * @module The reviews a flush asks for (OPENCLAW-12): each low-confidence report of the pending change on a review card, or
 * on the completion of the same pending change, which then carries the review's buttons.
 */

import { parseConfidence } from '../notify/confidence.ts'
import { phrasesFor } from '../notify/i18n.ts'
import { renderReview } from '../notify/messages.ts'
import { type EnqueueInput, telegramMessage } from '../notify/outbox.ts'
import { filterByPolicy, isReviewComment, REVIEW_CONFIDENCE_THRESHOLD } from '../notify/policy.ts'
import { recordReview, settleReview } from '../notify/reviews.ts'
import { postCard } from './flush-cards.ts'
import type { DeferredCompletion, FlushContext, PendingChange } from './flush-types.ts'

/** The pending change holds a low-confidence report the human is to review on a card. */
export function reviewWanted(entry: PendingChange, ctx: FlushContext): boolean {
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
 * OPENCLAW-12: each low-confidence report of the pending change asks the human for a review, and stays listed
 * (/plane status, digest) until a report at or above the threshold, or a week.
 */
export async function planReviews(
  entry: PendingChange,
  ctx: FlushContext,
  deferred: DeferredCompletion
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
    if (deferred.html && deferred.dedupeKey) {
      // The completion in this pending change, with the review's question and buttons: the report is already in it.
      const threshold = phrasesFor(ctx.locale).formatNumber(REVIEW_CONFIDENCE_THRESHOLD)
      const html = `${deferred.html}\n${phrasesFor(ctx.locale).reviewOnCompletion(threshold)}`
      await postCard(ctx, 'review', task, agent?.id ?? null, html, deferred.dedupeKey)
      deferred.html = null
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
    if (ctx.cards) await postCard(ctx, 'review', task, agent?.id ?? null, text, dedupeKey)
    else out.push(telegramMessage(ctx.chatId, text, dedupeKey, task.projectId))
  }
  return out
}
