/** @module Drains the outbox: per-target order, ≤ 1 message/s per chat and ≤ 20/min per group, retry_after, backoff, dead letters. */

import { sleep as realSleep } from '../net/retry.ts'
import { errorMessage } from '../observe/errors.ts'
import type { Logger } from '../observe/log.ts'
import type { Counter, Gauge } from '../observe/metrics.ts'
import { keepLease, LOCK_LEASE } from '../store/lease.ts'
import type { Store } from '../store/store.ts'
import type { HoldWhy } from '../telegram/refusals.ts'
import type { ChatHold, ChatHolds } from './chat-holds.ts'
import { createChatSpacing } from './chat-spacing.ts'
import type { Outbox, OutboxChannel, OutboxItem } from './outbox.ts'

export type DeliveryDecision = {
  retry: boolean
  /** Server-given wait (Telegram retry_after, Retry-After) replacing the backoff for this attempt. */
  afterMs?: number
  /** Telegram moved the group to a supergroup: send there instead (migrate_to_chat_id). */
  retarget?: string
  /**
   * A rate limit (429) said when to come back: waiting it out is not a failed attempt, so a long flood
   * wait never dead-letters a message (within RATE_LIMITED_FOR_MS of its creation).
   */
  rateLimited?: boolean
  /**
   * The refusal is the chat's, not the message's (reference §1.7b): `wait` holds the whole chat that long (a flood
   * wait); `hold` holds it until it is back (blocked, kicked, not found). Neither is a failed attempt.
   */
  chat?: { wait: number; description: string } | { hold: HoldWhy; description: string }
}

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
  budgetMs?: number
  /** Longest wait between two rounds: what another process enqueued (a reply a person waits for) is seen this soon. */
  lookAgainMs?: number
  /** The chats held (flood waits, blocked bots): their items wait, none counted as failed. */
  holds?: ChatHolds
  /** A held chat took a message again (`went`: an hourly try went through): what waited may be summed up. */
  onChatBack?: (target: string, hold: ChatHold, went: OutboxItem) => Promise<void>
  /** An item was given up (a dead letter): the human is told, never silently. */
  onBury?: (item: OutboxItem, reason: string) => Promise<void>
}

export type DrainReport = {
  /** false when another drain (another replica, an earlier call) held the lock. */
  ran: boolean
  sent: number
  retried: number
  dead: number
  /** Items still pending after this drain. */
  left: number
  /** When the next pending item becomes due (ms from now), or null when nothing waits. */
  nextDueInMs: number | null
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
/** Past this age, rate-limit waits count as attempts again: nothing waits in the outbox forever. */
const RATE_LIMITED_FOR_MS = 24 * 60 * 60 * 1000

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
  budgetMs = 25_000,
  lookAgainMs = Number.POSITIVE_INFINITY,
  holds,
  onChatBack,
  onBury,
}: OutboxSenderOptions): OutboxSender {
  let depthKnown = false
  const spacing = createChatSpacing({ store, perTargetIntervalMs, groupPerMinute })
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
    const started = now()
    // A target whose head item cannot go now holds back its later items: per-chat order is kept.
    const held = new Set<string>()
    // Items read in an earlier round and not written since: under the lane's lock nobody else writes them, so a
    // round reads only what is new (a backlog of a thousand wakes was read again every second).
    const known = new Map<string, OutboxItem>()
    // Each target's hold, read once a round: a chat back while this drain runs (its update, another process's
    // try) goes in the next round, not after the drain.
    const holdOf = new Map<string, ChatHold | null>()
    const heldChat = async (target: string) => {
      if (!holds) return null
      if (!holdOf.has(target)) holdOf.set(target, await holds.get(target))
      return holdOf.get(target) ?? null
    }
    const due = (at: number) => {
      const inMs = Math.max(0, at - now())
      report.nextDueInMs = report.nextDueInMs === null ? inMs : Math.min(report.nextDueInMs, inMs)
    }
    try {
      // Rounds: each sends what may go now, at most the next item of a target whose spacing has passed, then
      // waits for the nearest spacing and looks again (items enqueued meanwhile included). One agent's backlog of
      // wakes (a deploy's first poll) goes out a second apart without holding another agent's wake behind it.
      for (let spacingMs: number | null = 0; spacingMs !== null; ) {
        if (spacingMs > 0 && !hurried) {
          const before = now()
          await Promise.race([
            sleep(Math.min(spacingMs, lookAgainMs)),
            new Promise<void>((resolve) => {
              wakeRound = resolve
            }),
          ])
          wakeRound = null
          // A clock that did not move (a test's sleep that only records) would spin: come back when it is due.
          if (now() === before) {
            due(before + spacingMs)
            break
          }
        }
        spacingMs = null
        holdOf.clear()
        // Targets waiting for their spacing this round (their later items wait too).
        const spaced = new Set<string>()
        /** The target goes again once its spacing has passed, in this drain if its budget allows. */
        const space = (target: string, wait: number) => {
          spaced.add(target)
          if (now() - started + wait > budgetMs) due(now() + wait)
          else spacingMs = spacingMs === null ? wait : Math.min(spacingMs, wait)
        }
        // In sending order: a target's bulk items (a deploy's backlog of wakes) after its others.
        hurried = false
        const items = await outbox.pending(channel, { known })
        report.left = items.length
        for (const item of items) {
          // Another process took the lane over (this one stalled past the lock's expiry): stop sending.
          if (heartbeat.lost) break
          if (held.has(item.target) || spaced.has(item.target)) continue
          if (item.notBefore > now()) {
            held.add(item.target)
            due(item.notBefore)
            continue
          }
          // The chat waits (a flood wait) or refuses the bot: none of its items go, whichever is first. The hold
          // alone keeps them: the round after it ends sends them, whoever ended it.
          const chatHold = await heldChat(item.target)
          if (chatHold && chatHold.until > now()) {
            due(chatHold.until)
            continue
          }
          const wait = await spacing.waitFor(item, now())
          if (wait > 0) {
            space(item.target, wait)
            continue
          }
          if (!(await spacing.withinGroupRate(item, now()))) {
            const nextMinute = (Math.floor(now() / 60_000) + 1) * 60_000
            await outbox.update({ ...item, notBefore: nextMinute })
            known.delete(item.id)
            held.add(item.target)
            due(nextMinute)
            continue
          }
          if (now() - started > budgetMs) break
          // A twin of this item (same dedupe key, enqueued concurrently or around a crash) owns the key.
          if (item.dedupeKey && !(await outbox.owns(item))) {
            await outbox.ack(item)
            report.left--
            log.info('duplicate outbox item dropped', { id: item.id, target: item.target })
            continue
          }
          const triedAt = now()
          try {
            await deliver(item)
          } catch (error) {
            held.add(item.target)
            known.delete(item.id)
            const outcome = await _onFailure(item, error, triedAt)
            if (outcome === 'dead') {
              report.dead++
              report.left--
            } else {
              report.retried++
            }
            // The chat's refusal is its hold, read again each round. One that came back meanwhile: tried again.
            if (outcome === 'held' || outcome === 'again') held.delete(item.target)
            if (outcome === 'again') space(item.target, perTargetIntervalMs)
            continue
          }
          report.sent++
          report.left--
          metrics?.deliveries.inc({ channel: item.channel, outcome: 'sent' })
          // Read afresh, not this round's view: a hold written since (a membership update) ends here too.
          const wasHeld = holds ? await holds.release(item.target).catch(() => null) : null
          holdOf.set(item.target, null)
          // The try after the hold went through: the chat is back, and what waited goes.
          if (wasHeld && wasHeld.why !== 'flood')
            await onChatBack?.(item.target, wasHeld, item).catch((error: unknown) =>
              log.warn('chat back, but its summary failed', { error: errorMessage(error) })
            )
          // One line per message or wake that went out: what and to whom, never its content.
          log.info(item.channel === 'telegram' ? 'message sent' : 'agent wake delivered', {
            id: item.id,
            target: item.target,
            attempts: item.attempts + 1,
            ...(typeof item.meta?.kind === 'string' ? { kind: item.meta.kind } : {}),
          })
          // Delivered: a failure from here on is bookkeeping, never a failed delivery (no dead letter). If the
          // ack fails, the item goes out once more on the next drain: the documented duplicate window.
          try {
            await outbox.ack(item)
            await spacing.sent(item, now())
          } catch (error) {
            held.add(item.target)
            log.warn('delivered, but the outbox could not record it', {
              id: item.id,
              error: errorMessage(error),
            })
          }
        }
        if (heartbeat.lost) break
        if (now() - started > budgetMs) {
          // Out of time: what waits for its spacing is the next drain's, as soon as it is due.
          if (spacingMs !== null) due(now() + spacingMs)
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

    /**
     * `held`: the chat is held, its items wait for the hold to end; `again`: the chat refused a message sent before it
     * came back, and it goes again; `retry`: the item waits for its own retry; `dead`: given up.
     */
    async function _onFailure(
      item: OutboxItem,
      error: unknown,
      triedAt: number
    ): Promise<'held' | 'again' | 'retry' | 'dead'> {
      const decision = classify(item, error)
      if (decision.chat && holds) {
        const chat = decision.chat
        const hold =
          'wait' in chat
            ? await holds.wait(item.target, chat.wait, chat.description)
            : await holds.hold(item.target, chat.hold, chat.description, triedAt)
        // The item is not written: the hold alone keeps it back, so whatever ends the hold (an update from the chat,
        // the hourly try) sends it with no item to rewrite, and a return meanwhile may have summed it up (acked).
        if (!hold) {
          log.info('telegram chat refused a message sent before it came back; sending it again', {
            target: item.target,
            reason: chat.description,
          })
          return 'again'
        }
        holdOf.set(item.target, hold)
        metrics?.deliveries.inc({ channel: item.channel, outcome: 'held' })
        log.warn(
          'wait' in chat
            ? 'telegram chat in flood wait'
            : 'telegram chat refuses the bot; its messages wait',
          { target: item.target, until: hold.until, reason: chat.description }
        )
        due(hold.until)
        return 'held'
      }
      const free = decision.rateLimited === true && now() - item.createdAt < RATE_LIMITED_FOR_MS
      const attempts = free ? item.attempts : item.attempts + 1
      const message = errorMessage(error)
      if (decision.retarget) {
        log.warn('telegram chat migrated; resending to the new chat id', {
          from: item.target,
          to: decision.retarget,
        })
        await outbox.update({
          ...item,
          target: decision.retarget,
          payload: { ...item.payload, chat_id: decision.retarget },
          lastError: message,
        })
        due(now())
        return 'retry'
      }
      if (!decision.retry || attempts >= maxAttempts) {
        await outbox.bury({ ...item, attempts }, message)
        metrics?.deliveries.inc({ channel: item.channel, outcome: 'dead' })
        log.error('outbox item given up', {
          id: item.id,
          channel: item.channel,
          target: item.target,
          attempts,
          error: message,
        })
        await onBury?.(item, message).catch((e: unknown) =>
          log.warn('dead letter not told', { id: item.id, error: errorMessage(e) })
        )
        return 'dead'
      }
      const delay =
        decision.afterMs ?? backoffMs[Math.min(attempts - 1, backoffMs.length - 1)] ?? 60_000
      const notBefore = now() + delay
      await outbox.update({ ...item, attempts, notBefore, lastError: message })
      metrics?.deliveries.inc({ channel: item.channel, outcome: 'retry' })
      log.warn('outbox delivery failed, will retry', {
        id: item.id,
        channel: item.channel,
        attempts,
        delayMs: delay,
        error: message,
      })
      due(notBefore)
      return 'retry'
    }
  }
}
