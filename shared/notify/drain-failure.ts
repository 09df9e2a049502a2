/**
 * @module What a failed delivery does to its outbox item: the chat's refusal holds the chat, a migrated group gets
 * the item at its new id, and the item's own failure is retried after a backoff or given up as a dead letter.
 */
import { errorMessage } from '../observe/errors.ts'
import type { Logger } from '../observe/log.ts'
import type { Counter } from '../observe/metrics.ts'
import type { HoldWhy } from '../telegram/refusals.ts'
import type { ChatHolds } from './chat-holds.ts'
import type { DrainState } from './drain-state.ts'
import type { Outbox, OutboxItem } from './outbox.ts'

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

/** What a failed delivery needs: the sender's options, their defaults given. */
export type DrainFailureOptions = {
  outbox: Outbox
  /** What a delivery error means for the item. */
  classify: (item: OutboxItem, error: unknown) => DeliveryDecision
  log: Logger
  metrics?: { deliveries: Counter } | undefined
  now: () => number
  maxAttempts: number
  /** Delay before retry n (the last one repeats). */
  backoffMs: readonly number[]
  holds?: ChatHolds | undefined
  onBury?: ((item: OutboxItem, reason: string) => Promise<void>) | undefined
}

/**
 * `held`: the chat is held, its items wait for the hold to end; `again`: the chat refused a message sent before it
 * came back, and it goes again; `retry`: the item waits for its own retry; `dead`: given up.
 */
export type FailureOutcome = 'held' | 'again' | 'retry' | 'dead'

/** Past this age, rate-limit waits count as attempts again: nothing waits in the outbox forever. */
const RATE_LIMITED_FOR_MS = 24 * 60 * 60 * 1000

/** Reschedule (or give up) an item whose delivery, tried at `triedAt`, failed with `error`. */
export async function rescheduleFailed(
  o: DrainFailureOptions,
  drain: DrainState,
  item: OutboxItem,
  error: unknown,
  triedAt: number
): Promise<FailureOutcome> {
  const { outbox, classify, holds, log, metrics, now } = o
  const decision = classify(item, error)
  if (decision.chat && holds) return _holdChat(o, holds, drain, item, decision.chat, triedAt)
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
    drain.due(now())
    return 'retry'
  }
  if (!decision.retry || attempts >= o.maxAttempts) {
    await _bury(o, item, attempts, message)
    return 'dead'
  }
  const { backoffMs } = o
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
  drain.due(notBefore)
  return 'retry'
}

// --- Internal helpers ---

/** The chat refused, not the message: the chat is held (or, back since the try, sent to again). */
async function _holdChat(
  { log, metrics }: DrainFailureOptions,
  holds: ChatHolds,
  drain: DrainState,
  item: OutboxItem,
  chat: NonNullable<DeliveryDecision['chat']>,
  triedAt: number
): Promise<FailureOutcome> {
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
  drain.holdOf.set(item.target, hold)
  metrics?.deliveries.inc({ channel: item.channel, outcome: 'held' })
  log.warn(
    'wait' in chat
      ? 'telegram chat in flood wait'
      : 'telegram chat refuses the bot; its messages wait',
    { target: item.target, until: hold.until, reason: chat.description }
  )
  drain.due(hold.until)
  return 'held'
}

/** Given up: kept as a dead letter, and the human is told, never silently. */
async function _bury(
  { outbox, log, metrics, onBury }: DrainFailureOptions,
  item: OutboxItem,
  attempts: number,
  message: string
): Promise<void> {
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
}
