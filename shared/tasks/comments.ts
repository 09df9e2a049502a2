/** @module A comment on a task on the author's behalf, the step the agents' tools and the human's actions share. */

import { BRIDGE_EXTERNAL_SOURCE } from '../runs/records.ts'
import { markdownToHtml } from '../text/markdown.ts'
import { sightComment } from './sightings.ts'
import { authorName, type TaskContext } from './task-context.ts'
import type { LoadedTask } from './tasks.ts'

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
    ctx.ownKey || ctx.author.kind === 'human' ? text : `**${authorName(ctx.author)}** — ${text}`
  const html = finishHtml(markdownToHtml(body))
  const comment = await ctx.writer.comments.create(task.key.projectId, task.key.id, {
    comment_html: html,
    external_source: BRIDGE_EXTERNAL_SOURCE,
    external_id: externalId,
  })
  if (sight) await sightComment(ctx, task, { id: comment.id, text })
  return { id: comment.id, html: comment.comment_html ?? html, text }
}
