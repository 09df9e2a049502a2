/** @module add_comment (OPENCLAW-05): progress, errors, questions and notes on a task, in Markdown. */
import * as z from 'zod'
import { toolPhrases } from '../phrases.ts'
import { taskArg, WRITE_HINTS } from '../schemas.ts'
import { assertMine, resolveTask } from '../tasks.ts'
import { defineTool } from '../tool.ts'
import { postComment, repeatableExternalId, touchRun } from '../writes.ts'

export const addComment = defineTool({
  name: 'add_comment',
  title: 'Comment on a task',
  description:
    'Adds a comment to one of your tasks, in Markdown (rendered and sanitised for Plane). `kind` picks the template: progress ("⏳ 60 % — …", with `percent`), error ("❌ …") and question ("❓ …") reach the human on Telegram at once as blockers, note is plain. Comment as you go: when you start a step, hit a problem, or need an answer. Calling again with the same comment within 10 minutes returns the first one instead of writing it twice. Refused on tasks that are not yours.',
  input: z.object({
    task: taskArg,
    text: z.string().trim().min(1).max(20_000).describe('The comment, in Markdown.'),
    kind: z
      .enum(['progress', 'error', 'question', 'note'])
      .default('note')
      .describe('progress, error, question or note (default).'),
    percent: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe('With kind=progress: how far along you are, 0–100.'),
  }),
  output: z.object({
    task: z.string(),
    comment_id: z.string(),
    kind: z.string(),
    notified_human: z.boolean(),
  }),
  hints: WRITE_HINTS,
  access: 'agent',
  async handler({ task: name, text, kind, percent }, ctx) {
    const task = await resolveTask(ctx, name)
    await assertMine(ctx, task)
    const p = toolPhrases(ctx.services.config.LOCALE)
    const body =
      kind === 'progress'
        ? p.progress(percent ?? null, text)
        : kind === 'error'
          ? `❌ ${text}`
          : kind === 'question'
            ? `❓ ${text}`
            : text
    // A retry of a call whose answer was lost gets the first call's comment, not a second one.
    const { externalId } = await repeatableExternalId(
      ctx,
      'add_comment',
      `${task.key.id}\n${body}`,
      'comment'
    )
    const comment = await postComment(ctx, task, body, { externalId })
    // A question waits for the human: the run is awaiting (never stale) until the agent goes on.
    await touchRun(ctx, task, (r) =>
      kind === 'question' && r.state === 'active' ? { ...r, state: 'awaiting' } : r
    )
    return {
      task: task.ref ?? task.key.id,
      comment_id: comment.id,
      kind,
      notified_human: kind === 'error' || kind === 'question',
    }
  },
  summarize: (o) =>
    `Comment ${o.comment_id} added to ${o.task}${o.notified_human ? '; the human is told.' : '.'}`,
})
