/** @module cron every minute — replay stored webhooks and /plane commands left unanswered, flush closed windows, drain the outbox. */

import { defineCronFunction } from '../../shared/core/function.ts'
import { COMMAND_PARTS } from '../telegram/answer-command.ts'
import { replayCommands } from '../telegram/command-inbox.ts'
import { INBOX_PARTS, replayInbox } from '../webhooks/inbox.ts'

/** A delivery younger than this is still being processed by the request that stored it. */
const REPLAY_MIN_AGE_MS = 30_000

export const notifyFunction = defineCronFunction({
  name: 'notify',
  description:
    'Replays stored webhooks and commands, flushes pending notifications, acts on run deadlines and drains the outbox.',
  schedule: '* * * * *',
  maxDurationSeconds: 120,
  // What replaying webhooks and commands reads (inbox.ts, answer-command.ts), then the steps below.
  parts: [...INBOX_PARTS, ...COMMAND_PARTS, 'sender', 'runs'],
  run: async function notify(ctx) {
    const replayed =
      (await replayInbox(ctx, ctx, REPLAY_MIN_AGE_MS)) +
      (await replayCommands(ctx, ctx, REPLAY_MIN_AGE_MS))
    const flushed = await ctx.pipeline.flushDue()
    // Run deadlines a restart left behind (re-wakes, unanswered agents, stale runs) are acted on here.
    const deadlines = await ctx.tracker.due()
    const drained = await ctx.sender.drain()
    // Run cards a process marked and did not write (a CLI job, a restart): after the messages, which they
    // must not hold up.
    const cards = ctx.runs ? (await ctx.runs.flushCards()).written : 0
    ctx.kick()
    return {
      summary: `${replayed} replayed, ${flushed.enqueued} enqueued, ${deadlines.handled} deadlines, ${cards} run cards, ${drained.sent} sent, ${drained.left} left`,
      idle:
        replayed +
          flushed.enqueued +
          deadlines.handled +
          cards +
          drained.sent +
          drained.retried +
          drained.dead ===
          0 && drained.left === 0,
    }
  },
})
