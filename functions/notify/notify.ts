/** @module cron every minute — replay stored webhooks and /plane commands left unanswered, flush closed windows, drain the outbox. */

import { defineCronFunction } from '../../shared/function.ts'
import { replayCommands } from '../telegram/command-inbox.ts'
import { replayInbox } from '../webhooks/inbox.ts'

/** A delivery younger than this is still being processed by the request that stored it. */
const REPLAY_MIN_AGE_MS = 30_000

export const notifyFunction = defineCronFunction({
  name: 'notify',
  description:
    'Replays stored webhooks and commands, flushes pending notifications, acts on run deadlines and drains the outbox.',
  schedule: '* * * * *',
  maxDurationSeconds: 120,
  run: async function notify(ctx) {
    const bridge = ctx.bridge
    const replayed =
      (await replayInbox(ctx, bridge, REPLAY_MIN_AGE_MS)) +
      (await replayCommands(ctx, REPLAY_MIN_AGE_MS))
    const flushed = await bridge.pipeline.flushDue()
    // Run deadlines a restart left behind (re-wakes, unanswered agents, stale runs) are acted on here.
    const deadlines = await bridge.tracker.due()
    const drained = await bridge.sender.drain()
    // Run cards a process marked and did not write (a CLI job, a restart): after the messages, which they
    // must not hold up.
    const cards = bridge.runs ? (await bridge.runs.flushCards()).written : 0
    bridge.kick()
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
