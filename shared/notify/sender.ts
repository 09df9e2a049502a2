/** @module Drains the outbox: per-target order, ≤ 1 message/s per chat and ≤ 20/min per group, retry_after, backoff, dead letters. */

import { sleep as realSleep } from '../net/retry.ts'
import type { Logger } from '../observe/log.ts'
import type { Counter, Gauge } from '../observe/metrics.ts'
import { keepLease, LOCK_LEASE } from '../store/lease.ts'
import type { Store } from '../store/store.ts'
import type { ChatHold, ChatHolds } from './chat-holds.ts'
import { createChatSpacing } from './chat-spacing.ts'
import type { DeliveryDecision } from './drain-failure.ts'
import { type DrainRoundOptions, sendRound } from './drain-round.ts'
import { createDrainState, type DrainReport, type DrainState, notRunReport } from './drain-state.ts'
import type { Outbox, OutboxChannel, OutboxItem } from './outbox.ts'

export type { DeliveryDecision } from './drain-failure.ts'
export type { DrainReport } from './drain-state.ts'

export type OutboxSenderOptions = {
  outbox: Outbox
  /** The lane this sender drains: wake-ups and Telegram messages never wait for each other. */
  channel: OutboxChannel
  store: Store
  /** Sends one item; throws on failure. */
  deliver: (item: OutboxItem) => Promise<void>
  /** What a delivery error means for the item. */
  classify: (item: OutboxItem, error: unknown) => DeliveryDecision
  log: Logger
  metrics?: { deliveries: Counter; depth: Gauge }
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  maxAttempts?: number
  /** Delay before retry n (the last one repeats). */
  backoffMs?: readonly number[]
  /** Telegram FAQ: "avoid sending more than one message per second" in a chat. */
  perTargetIntervalMs?: number
  /** Telegram FAQ: "not … more than 20 messages per minute to the same group". */
  groupPerMinute?: number
  /** Longest a drain keeps sending (waiting for a chat's spacing counts). */
  drainMs?: number
  /** Longest wait between two rounds: what another process enqueued (a reply a person waits for) is seen this soon. */
  lookAgainMs?: number
  /** The chats held (flood waits, blocked bots): their items wait, none counted as failed. */
  holds?: ChatHolds
  /** A held chat took a message again (`went`: an hourly try went through): what waited may be summed up. */
  onChatBack?: (target: string, hold: ChatHold, went: OutboxItem) => Promise<void>
  /** An item was given up (a dead letter): the human is told, never silently. */
  onBury?: (item: OutboxItem, reason: string) => Promise<void>
}

export type OutboxSender = {
  drain(): Promise<DrainReport>
  /** Something a person waits for was enqueued: a drain waiting for a chat's spacing looks again now. */
  hurry(): void
}

const DEFAULT_BACKOFF_MS = [1_000, 5_000, 15_000, 60_000, 300_000, 900_000] as const
/**
 * Short, and kept alive by a heartbeat while the drain runs: a process that dies holding it blocks the lane
 * for at most this long, so a new process resumes sending within seconds (within 5 s).
 */
export const DRAIN_LOCK_TTL_S = LOCK_LEASE.seconds

export function createOutboxSender({
  outbox,
  channel,
  store,
  deliver,
  classify,
  log,
  metrics,
  now = Date.now,
  sleep = realSleep,
  maxAttempts = 8,
  backoffMs = DEFAULT_BACKOFF_MS,
  perTargetIntervalMs = 1_000,
  groupPerMinute = 20,
  drainMs = 25_000,
  lookAgainMs = Number.POSITIVE_INFINITY,
  holds,
  onChatBack,
  onBury,
}: OutboxSenderOptions): OutboxSender {
  let depthKnown = false
  const spacing = createChatSpacing({ store, perTargetIntervalMs, groupPerMinute })
  const round: DrainRoundOptions = {
    outbox,
    deliver,
    classify,
    log,
    metrics,
    now,
    maxAttempts,
    backoffMs,
    perTargetIntervalMs,
    drainMs,
    holds,
    onChatBack,
    onBury,
    spacing,
  }
  // Drains of this lane in this process run one after the other (a cron's drain waits for the one an enqueue
  // started, then looks again): the store lock only ever turns away another process.
  let tail: Promise<unknown> = Promise.resolve()
  /** Ends the running drain's wait between two rounds (a reply enqueued meanwhile goes at once). */
  let wakeRound: (() => void) | null = null
  /** Something to hurry for was enqueued since the round's read: the round after it does not wait. */
  let hurried = false
  return {
    drain(): Promise<DrainReport> {
      const next = tail.then(drainOutbox, drainOutbox)
      tail = next.catch(() => undefined)
      return next
    },
    hurry() {
      hurried = true
      wakeRound?.()
    },
  }

  async function drainOutbox(): Promise<DrainReport> {
    const lock = await store.lock(`outbox:drain:${channel}`, DRAIN_LOCK_TTL_S)
    if (!lock) return notRunReport()
    const heartbeat = keepLease(lock, LOCK_LEASE)
    const drain = createDrainState({ now, drainMs, holds })
    try {
      // Rounds: each sends what may go now, at most the next item of a target whose spacing has passed, then
      // waits for the nearest spacing and looks again (items enqueued meanwhile included). One agent's backlog of
      // wakes (a deploy's first poll) goes out a second apart without holding another agent's wake behind it.
      while (drain.spacingMs !== null) {
        if (drain.spacingMs > 0 && !hurried && !(await _waitForSpacing(drain, drain.spacingMs)))
          break
        drain.beginRound()
        // In sending order: a target's bulk items (a deploy's backlog of wakes) after its others.
        hurried = false
        const items = await outbox.pending(channel, { known: drain.known })
        drain.report.left = items.length
        await sendRound(round, drain, items, heartbeat)
        if (heartbeat.lost) break
        if (now() - drain.started > drainMs) {
          // Out of time: what waits for its spacing is the next drain's, as soon as it is due.
          if (drain.spacingMs !== null) drain.due(now() + drain.spacingMs)
          break
        }
      }
    } finally {
      heartbeat.stop()
      await lock.release().catch(() => false)
      await _showDepth(drain.report)
    }
    return drain.report
  }

  /**
   * Wait for the nearest spacing, or less when another process may have enqueued meanwhile, or until hurried;
   * false: the clock did not move (a test's sleep that only records) and would spin, so the drain ends and comes
   * back when it is due.
   */
  async function _waitForSpacing(drain: DrainState, spacingMs: number): Promise<boolean> {
    const before = now()
    await Promise.race([
      sleep(Math.min(spacingMs, lookAgainMs)),
      new Promise<void>((resolve) => {
        wakeRound = resolve
      }),
    ])
    wakeRound = null
    if (now() !== before) return true
    drain.due(before + spacingMs)
    return false
  }

  /** The gauge moves only when this drain moved something (and once at start): an idle lane costs no reads. */
  async function _showDepth(report: DrainReport): Promise<void> {
    const moved = report.sent + report.retried + report.dead > 0 || !depthKnown
    if (!metrics || !moved) return
    depthKnown = true
    const depth = await outbox.depth().catch(() => null)
    if (depth) {
      metrics.depth.set({ queue: 'pending' }, depth.pending)
      metrics.depth.set({ queue: 'dead' }, depth.dead)
    }
  }
}
