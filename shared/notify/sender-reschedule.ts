/** @module The outbox sender's reschedule: what a failed delivery means for its item (chat held, retried later, moved, or given up). */
import { errorMessage } from '../observe/errors.ts'
import type { ChatHolds } from './chat-holds.ts'
import type { OutboxItem } from './outbox.ts'
import type { DeliveryDecision, DrainState, SenderDeps } from './sender-state.ts'

/** Past this age, rate-limit waits count as attempts again: nothing waits in the outbox forever. */
const RATE_LIMITED_FOR_MS = 24 * 60 * 60 * 1000

/**
 * `held`: the chat is held, its items wait for the hold to end; `again`: the chat refused a message sent before it
 * came back, and it goes again; `retry`: the item waits for its own retry; `dead`: given up.
 */
export async function rescheduleFailed(
  { outbox, classify, log, metrics, now, maxAttempts, backoffMs, holds, onBury }: SenderDeps,
  drain: DrainState,
  item: OutboxItem,
  error: unknown,
  triedAt: number
): Promise<'held' | 'again' | 'retry' | 'dead'> {
  const decision = classify(item, error)
  if (decision.chat && holds)
    return _holdChat({ log, metrics, holds }, drain, item, decision.chat, triedAt)
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
  drain.due(notBefore)
  return 'retry'
}

// --- Internal helpers ---

/** The refusal is the chat's: the chat is held (a flood wait, or until it is back), or the message goes again. */
async function _holdChat(
  { log, metrics, holds }: Pick<SenderDeps, 'log' | 'metrics'> & { holds: ChatHolds },
  drain: DrainState,
  item: OutboxItem,
  chat: NonNullable<DeliveryDecision['chat']>,
  triedAt: number
): Promise<'held' | 'again'> {
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
