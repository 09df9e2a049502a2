/** @module add_comment (OPENCLAW-05): progress, errors, questions and notes on a task, in Markdown. */
import * as z from 'zod'
import { isAgentTask } from '../../../shared/agents/task-vocabulary.ts'
import type { LiveOutcome } from '../../../shared/live/live-view.ts'
import { mentionedUserIds } from '../../../shared/plane/mentions.ts'
import { postComment } from '../../../shared/tasks/comments.ts'
import { resolveTask } from '../../../shared/tasks/tasks.ts'
import { htmlToText } from '../../../shared/text/html-text.ts'
import { withAgentMentions } from '../mentions.ts'
import { toolPhrases } from '../phrases.ts'
import { taskArg, WRITE_HINTS } from '../schemas.ts'
import { assertMine } from '../tasks.ts'
import { defineTool, type ToolContext } from '../tool.ts'
import { repeatableExternalId, touchRun } from '../writes.ts'

export const addComment = defineTool({
  name: 'add_comment',
  title: 'Comment on a task',
  description:
    'Adds a comment to one of your tasks, in Markdown (rendered and sanitised for Plane). `kind` picks the template: progress ("⏳ 60 % — …", with `percent` and optionally `cost` so far) updates the task\'s live message on Telegram within seconds (one message edited in place, silently: report as often as a step ends, it never floods the human), error ("❌ …") and question ("❓ …") reach the human on Telegram at once as blockers, note is plain. Comment as you go: when you start a step, hit a problem, or need an answer. `@id` or `@Name` of another agent (e.g. `@thot`) mentions it in Plane and wakes it with your comment. Calling again with the same comment within 10 minutes returns the first one instead of writing it twice. Refused on tasks that are not yours, except one where you were mentioned: answer there.',
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
    cost: z
      .number()
      .min(0)
      .max(1_000_000)
      .optional()
      .describe('With kind=progress: USD spent on this task so far (model calls and tools).'),
  }),
  output: z.object({
    task: z.string(),
    comment_id: z.string(),
    kind: z.string(),
    human_notification: z
      .enum(['queued', 'live', 'held', 'off', 'none'])
      .describe(
        "queued: an error or question is on its way to the human on Telegram; live: this progress shows within seconds in the task's live message (edited in place, without sound); held: Telegram holds the chat (the human blocked the bot, or a flood wait), it goes when they are back; off: no Telegram; none: this kind is not sent (the detail says why, for progress)."
      ),
    human_notification_detail: z.string().optional(),
  }),
  hints: WRITE_HINTS,
  access: 'agent',
  async handler({ task: name, text, kind, percent, cost }, ctx) {
    const task = await resolveTask(ctx, name)
    // An agent mentioned on a task not its own may answer there, and only comment.
    const mine = isAgentTask(task.snapshot, ctx.me) || ctx.me.role === 'concierge'
    if (!mine && !(await ctx.tracker.mentionPending(task.key.id, ctx.me.id)))
      await assertMine(ctx, task)
    const p = toolPhrases(ctx.config.LOCALE)
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
    // `@thot` makes Plane's mention of that agent, who is woken with the comment.
    const agents = await ctx.directory.agents()
    const mentions = withAgentMentions(body, agents)
    const comment = await postComment(ctx, task, mentions.markdown, {
      externalId,
      finishHtml: mentions.finish,
    })
    for (const userId of mentionedUserIds(comment.html)) {
      const agent = agents.find((a) => a.planeUserId === userId)
      if (agent && agent.id !== ctx.me.id)
        await ctx.tracker.mentioned(task.snapshot, agent, {
          commentId: comment.id,
          text: htmlToText(comment.html),
          author: ctx.me.name,
        })
    }
    // A question waits for the human: the run is awaiting (never stale) until the agent goes on. An answer on a
    // task not the agent's own leaves that task's run alone.
    if (mine)
      await touchRun(ctx, task, (r) =>
        kind === 'question' && r.state === 'active' ? { ...r, state: 'awaiting' } : r
      )
    // NOTIF-07: progress is shown live, in the task's one message edited in place (NOTIF-05: never a message each);
    // a question shows there as waiting for the human.
    const live =
      mine && (kind === 'progress' || kind === 'question')
        ? await ctx.live.report(
            task.snapshot,
            kind === 'progress'
              ? { percent: percent ?? null, step: text, ...(cost === undefined ? {} : { cost }) }
              : { state: 'awaiting' },
            ctx.me.name
          )
        : null
    return {
      task: task.ref ?? task.key.id,
      comment_id: comment.id,
      kind,
      ...(kind === 'progress'
        ? await _liveNotification(ctx, live)
        : await _humanNotification(ctx, kind)),
    }
  },
  summarize: (o) =>
    `Comment ${o.comment_id} added to ${o.task}${NOTIFICATION_SUMMARY[o.human_notification]}${o.human_notification_detail ? ` (${o.human_notification_detail})` : ''}.`,
})

const NOTIFICATION_SUMMARY = {
  queued: '; it is on its way to the human on Telegram',
  live: "; the task's live message on Telegram shows it within seconds",
  held: '; Telegram holds the human’s chat: it goes when they are back',
  off: '; Telegram is not configured: the human reads it in Plane',
  none: '',
} as const

/**
 * What becomes of the comment for the human (never "told" for a message not accepted): an error or a
 * question is queued for Telegram, unless the chat is held (the human blocked the bot) or there is no Telegram.
 */
async function _humanNotification(
  ctx: Pick<ToolContext, 'chatId' | 'holds' | 'now'>,
  kind: string
): Promise<{
  human_notification: keyof typeof NOTIFICATION_SUMMARY
  human_notification_detail?: string
}> {
  if (kind !== 'error' && kind !== 'question') return { human_notification: 'none' }
  if (!ctx.chatId) return { human_notification: 'off' }
  const hold = await ctx.holds.get(ctx.chatId)
  if (hold && hold.why !== 'flood' && hold.until > ctx.now())
    return { human_notification: 'held', human_notification_detail: hold.description }
  return { human_notification: 'queued' }
}

/** What becomes of a progress report for the human: the task's live message, or why not. */
async function _liveNotification(
  ctx: Pick<ToolContext, 'chatId' | 'holds' | 'now' | 'live'>,
  outcome: LiveOutcome | null
): Promise<{
  human_notification: keyof typeof NOTIFICATION_SUMMARY
  human_notification_detail?: string
}> {
  if (!ctx.chatId) return { human_notification: 'off' }
  if (outcome === 'live') {
    const held = await _humanNotification(ctx, 'question')
    return held.human_notification === 'held' ? held : { human_notification: 'live' }
  }
  const why =
    outcome === 'full'
      ? `${ctx.live.maxTasks} tasks are followed live already: the human sees this one in Plane and /plane status`
      : outcome === 'recorded'
        ? 'the live view is off (TELEGRAM_LIVE=off): the human sees progress in Plane and /plane status'
        : outcome === 'ended'
          ? 'the task is not under way (done, blocked or cancelled): its live message no longer changes'
          : 'progress on a task that is not yours stays a comment in Plane'
  return { human_notification: 'none', human_notification_detail: why }
}
