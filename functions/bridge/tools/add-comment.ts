/** @module add_comment (OPENCLAW-05): progress, errors, questions and notes on a task, in Markdown. */
import * as z from 'zod'
import { toolPhrases } from '../phrases.ts'
import { taskArg, WRITE_HINTS } from '../schemas.ts'
import { assertMine, resolveTask } from '../tasks.ts'
import { defineTool, type ToolContext } from '../tool.ts'
import { postComment, touchRun } from '../writes.ts'

/**
 * The same comment from the same agent on the same task this soon is the same call again: its answer was lost
 * (Plane failed after saving it, the agent's connection dropped) and the agent retried. Long enough for any retry,
 * short enough that a note repeated on purpose later is written again.
 */
export const COMMENT_REPEAT_WINDOW_S = 10 * 60

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
    const externalId = await _commentId(ctx, task.key.id, body)
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

// --- Internal helpers ---

/**
 * The comment's external id, chosen before Plane is asked: a repeat within the window gets the first call's, so
 * Plane answers 409 with the comment already written (or writes it, if the first call never got that far).
 */
async function _commentId(ctx: ToolContext, taskId: string, body: string): Promise<string> {
  const { store, hashing } = ctx.services
  const digest = await hashing.sha256Hex(`${ctx.me.id}\n${body}`)
  const key = `task:comment-repeat:${taskId}:${digest}`
  const fresh = `comment:${crypto.randomUUID()}`
  if (await store.claim(key, COMMENT_REPEAT_WINDOW_S, fresh)) return fresh
  return (await store.get<string>(key)) ?? fresh
}
