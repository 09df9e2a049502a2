/** @module Drains the outbox: per-target order, ≤ 1 message/s per chat and ≤ 20/min per group, retry_after, backoff, dead letters. */

import { sleep as realSleep } from '../net/retry.ts'
import { keepLease, LOCK_LEASE } from '../store/lease.ts'
import { pickItem } from './sender-pick.ts'
import { sendItem } from './sender-send.ts'
import {
  createDrainRound,
  createDrainState,
  type DrainReport,
  type OutboxSender,
  type OutboxSenderOptions,
  type SenderDeps,
} from './sender-state.ts'

export type {
  DeliveryDecision,
  DrainReport,
  OutboxSender,
  OutboxSenderOptions,
} from './sender-state.ts'

const DEFAULT_BACKOFF_MS = [1_000, 5_000, 15_000, 60_000, 300_000, 900_000] as const
/**
 * Short, and kept alive by a heartbeat while the drain runs: a process that dies holding it blocks the lane
 * for at most this long, so a new process resumes sending within seconds (within 5 s).
 */
export const DRAIN_LOCK_TTL_S = LOCK_LEASE.seconds

export function createOutboxSender({
  now = Date.now,
  sleep = realSleep,
  maxAttempts = 8,
  backoffMs = DEFAULT_BACKOFF_MS,
  perTargetIntervalMs = 1_000,
  groupPerMinute = 20,
  budgetMs = 25_000,
  ...rest
}: OutboxSenderOptions): OutboxSender {
  const deps: SenderDeps = {
    ...rest,
    now,
    sleep,
    maxAttempts,
    backoffMs,
    perTargetIntervalMs,
    groupPerMinute,
    budgetMs,
  }
  const { outbox, channel, store, metrics } = deps
  let depthKnown = false
  // Drains of this lane in this process run one after the other (a cron's drain waits for the one an enqueue
  // started, then looks again): the store lock only ever turns away another process.
  let tail: Promise<unknown> = Promise.resolve()
  return {
    drain(): Promise<DrainReport> {
      const next = tail.then(drainOutbox, drainOutbox)
      tail = next.catch(() => undefined)
      return next
    },
  }

  async function drainOutbox(): Promise<DrainReport> {
    const report: DrainReport = {
      ran: false,
      sent: 0,
      retried: 0,
      dead: 0,
      left: 0,
      nextDueInMs: null,
    }
    const lock = await store.lock(`outbox:drain:${channel}`, DRAIN_LOCK_TTL_S)
    if (!lock) return report
    report.ran = true
    const heartbeat = keepLease(lock, LOCK_LEASE)
    const drain = createDrainState(deps, report, heartbeat)
    try {
      // Rounds: each sends what may go now, at most the next item of a target whose spacing has passed, then
      // waits for the nearest spacing and looks again (items enqueued meanwhile included). One agent's backlog of
      // wakes (a deploy's first poll) goes out a second apart without holding another agent's wake behind it.
      for (let spacingMs: number | null = 0; spacingMs !== null; ) {
        if (spacingMs > 0) {
          const before = now()
          await sleep(spacingMs)
          // A clock that did not move (a test's sleep that only records) would spin: come back when it is due.
          if (now() === before) {
            drain.due(before + spacingMs)
            break
          }
        }
        const round = createDrainRound(deps, drain)
        drain.holdOf.clear()
        // In sending order: a target's bulk items (a deploy's backlog of wakes) after its others.
        const items = await outbox.pending(channel, { known: drain.known })
        report.left = items.length
        for (const item of items) {
          const step = await pickItem(deps, drain, round, item)
          if (step === 'stop') break
          if (step === 'send') await sendItem(deps, drain, round, item)
        }
        spacingMs = round.spacingMs
        if (heartbeat.lost) break
        if (now() - drain.started > budgetMs) {
          // Out of time: what waits for its spacing is the next drain's, as soon as it is due.
          if (spacingMs !== null) drain.due(now() + spacingMs)
          break
        }
      }
    } finally {
      heartbeat.stop()
      await lock.release().catch(() => false)
      // The gauge moves only when this drain moved something (and once at start): an idle lane costs no reads.
      const moved = report.sent + report.retried + report.dead > 0 || !depthKnown
      if (metrics && moved) {
        depthKnown = true
        const depth = await outbox.depth().catch(() => null)
        if (depth) {
          metrics.depth.set({ queue: 'pending' }, depth.pending)
          metrics.depth.set({ queue: 'dead' }, depth.dead)
        }
      }
    }
    return report
  }
}
