/**
 * @module When the composition root's steps run: flushing what is due, each outbox lane's
 * drain and the run cards, each once at a time and at most every STEP_GAP_MS under a stream of kicks; and `settle`
 * (settle.ts), which runs them until nothing waits, within its bound, on the injected clock.
 */
import type { Background } from '../shared/core/background.ts'
import type { Parts } from '../shared/core/parts.ts'
import { OUTBOX_CHANNELS, type Outbox, type OutboxChannel } from '../shared/notify/outbox.ts'
import {
  createOutboxSender,
  type DrainReport,
  type OutboxSender,
  type OutboxSenderOptions,
} from '../shared/notify/sender.ts'
import type { Logger } from '../shared/observe/log.ts'
import type { Counter, Gauge } from '../shared/observe/metrics.ts'
import type { Pipeline } from '../shared/pipeline/pipeline.ts'
import type { RunStore } from '../shared/runs/records.ts'
import type { RunTracker } from '../shared/runs/tracker.ts'
import type { Store } from '../shared/store/store.ts'
import { createSettle } from './settle.ts'

/** A lane's next drain further than this is also the notify cron's (every minute): its timer is weak. */
const WEAK_DRAIN_AFTER_MS = 60_000
/**
 * A job beside the server (a deploy's first poll) drains the Telegram lane too, and no enqueue of the server's hurries
 * it: a command's reply is seen by that drain this soon, not after the chat's whole second of spacing.
 */
const TELEGRAM_LOOK_AGAIN_MS = 250
/** Shortest time between two passes of one step (flush, a lane's drain) under a stream of kicks. */
export const STEP_GAP_MS = 100

export type SchedulerOptions = Pick<
  OutboxSenderOptions,
  'deliver' | 'classify' | 'holds' | 'onChatBack' | 'onBury'
> & {
  outbox: Outbox
  store: Store
  pipeline: Pick<Pipeline, 'flushDue'>
  tracker: Pick<RunTracker, 'due'>
  runs: Pick<RunStore, 'flushCards'> | null
  background: Background
  log: Logger
  metrics: { deliveries: Counter; depth: Gauge }
  now: () => number
  sleep: (ms: number) => Promise<void>
}

export type Scheduler = {
  /** Flush what is due and drain both lanes (a new process's first kick sends what the last one left). */
  kick(): void
  /** One lane's drain, soon (what enqueues calls it); `first`: a person waits for what was enqueued. */
  drainLane(channel: OutboxChannel, first?: boolean): void
  /** The run cards' step, soon. */
  writeRunCards(): void
  /** Both lanes at once (the notify cron, settle). */
  sender: OutboxSender
  settle: Parts['settle']
}

export function createScheduler({
  outbox,
  store,
  deliver,
  classify,
  holds,
  onChatBack,
  onBury,
  pipeline,
  tracker,
  runs,
  background,
  log,
  metrics,
  now,
  sleep,
}: SchedulerOptions): Scheduler {
  const senders = Object.fromEntries(
    OUTBOX_CHANNELS.map((channel) => [
      channel,
      createOutboxSender({
        outbox,
        channel,
        store,
        deliver,
        classify,
        log,
        metrics,
        ...(channel === 'telegram'
          ? { holds, onChatBack, onBury, lookAgainMs: TELEGRAM_LOOK_AGAIN_MS }
          : {}),
        now,
        sleep,
      }),
    ])
  ) as Record<OutboxChannel, OutboxSender>
  /** Both lanes at once (the notify cron, settle); a kick drains each lane on its own. */
  const sender: OutboxSender = {
    drain: async function drainBothLanes() {
      const [a, b] = await Promise.all(OUTBOX_CHANNELS.map((c) => senders[c].drain()))
      return _mergeDrainReports(a as DrainReport, b as DrainReport)
    },
    hurry: () => {
      for (const channel of OUTBOX_CHANNELS) senders[channel].hurry()
    },
  }

  // Each step runs once at a time: kicks that come while it runs (a burst of webhooks) ask for one more
  // pass instead of one each, and passes start at most every STEP_GAP_MS, so a steady stream of deliveries
  // costs a few passes a second, not one per delivery. Flushing and each lane's drain are separate steps: a
  // chat waiting for its one-message-a-second spacing never holds up an agent's wake-up.
  const step = (name: string, pass: () => Promise<void>): (() => void) => {
    let running = false
    let again = false
    let lastStart = Number.NEGATIVE_INFINITY
    const start = (): void => {
      if (running) {
        again = true
        return
      }
      const wait = lastStart + STEP_GAP_MS - now()
      if (wait > 0) {
        background.later(`${name}-gap`, wait, async () => start())
        return
      }
      running = true
      lastStart = now()
      background.run(name, async () => {
        try {
          await pass()
        } finally {
          running = false
          if (again) {
            again = false
            start()
          }
        }
      })
    }
    return start
  }
  const drainLane = Object.fromEntries(
    OUTBOX_CHANNELS.map((channel) => {
      const name = `drain-${channel}`
      const start = step(name, async () => {
        const drained = await senders[channel].drain()
        // Another process holds the lane: it handles what it saw; come back while something waits here.
        const busyRetry =
          !drained.ran && (await outbox.pending(channel, { limit: 1 })).length > 0 ? 1000 : null
        const wait = drained.nextDueInMs ?? busyRetry
        // Past a minute (a held chat's hourly try, a long backoff) the notify cron drains it too: a weak timer,
        // that no one's wait for idle holds on.
        if (wait !== null)
          background.later(name, Math.max(50, wait), async () => start(), {
            weak: wait > WEAK_DRAIN_AFTER_MS,
          })
      })
      return [channel, start]
    })
  ) as Record<OutboxChannel, () => void>
  const flush = step('notify', async () => {
    const flushed = await pipeline.flushDue()
    const deadlines = await tracker.due()
    // Run deadlines (minutes away) wait on a weak timer: the notify cron catches them too.
    if (deadlines.nextDueInMs !== null)
      background.later('runs', Math.max(50, deadlines.nextDueInMs), async () => kick(), {
        weak: true,
      })
    if (flushed.nextDueInMs !== null)
      background.later('notify', Math.max(50, flushed.nextDueInMs), async () => kick())
  })
  // Run cards are a step of their own: writing one waits for the bridge key's background share of the window,
  // which must never hold a completion's message or an approval's wake behind it (bench/agents.bench.ts measures it).
  // A shutdown gives that wait up: the card stays marked for the next start, and the stop is not held for it.
  const writeRunCards = step('cards', async () => {
    if (!runs) return
    const { nextDueInMs } = await runs.flushCards({ signal: background.stopping })
    if (nextDueInMs !== null)
      background.later('cards', Math.max(50, nextDueInMs), async () => writeRunCards(), {
        weak: true,
      })
  })
  const kickLanes = () => {
    for (const channel of OUTBOX_CHANNELS) drainLane[channel]()
  }
  /** Flush what is due and drain both lanes (a new process's first kick sends what the last one left). */
  const kick = (): void => {
    flush()
    kickLanes()
    writeRunCards()
  }

  const settle = createSettle({ pipeline, tracker, runs, store, outbox, sender, now, sleep })
  return {
    kick,
    drainLane: (channel, first = false) => {
      // A drain under way waiting for a chat's spacing takes the reply now, not after its wait.
      if (first) senders[channel].hurry()
      drainLane[channel]()
    },
    writeRunCards,
    sender,
    settle,
  }
}

/** Both lanes' drains as one; `ran` only when each lane ran (false: another process held one of them). */
function _mergeDrainReports(a: DrainReport, b: DrainReport): DrainReport {
  const due = [a.nextDueInMs, b.nextDueInMs].filter((x): x is number => x !== null)
  return {
    ran: a.ran && b.ran,
    sent: a.sent + b.sent,
    retried: a.retried + b.retried,
    dead: a.dead + b.dead,
    left: a.left + b.left,
    nextDueInMs: due.length > 0 ? Math.min(...due) : null,
  }
}
