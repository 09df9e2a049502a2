/** @module The outbox sender's send: one item delivered, then acked and its chat's spacing noted, or its failure rescheduled. */
import { errorMessage } from '../observe/errors.ts'
import type { OutboxItem } from './outbox.ts'
import { rescheduleFailed } from './sender-reschedule.ts'
import type { DrainRound, DrainState, SenderDeps } from './sender-state.ts'

export async function sendItem(
  deps: SenderDeps,
  drain: DrainState,
  round: DrainRound,
  item: OutboxItem
): Promise<void> {
  const { outbox, store, deliver, log, metrics, now, perTargetIntervalMs, holds, onChatBack } = deps
  const triedAt = now()
  try {
    await deliver(item)
  } catch (error) {
    drain.held.add(item.target)
    drain.known.delete(item.id)
    const outcome = await rescheduleFailed(deps, drain, item, error, triedAt)
    if (outcome === 'dead') {
      drain.report.dead++
      drain.report.left--
    } else {
      drain.report.retried++
    }
    // The chat's refusal is its hold, read again each round. One that came back meanwhile: tried again.
    if (outcome === 'held' || outcome === 'again') drain.held.delete(item.target)
    if (outcome === 'again') round.space(item.target, perTargetIntervalMs)
    return
  }
  drain.report.sent++
  drain.report.left--
  metrics?.deliveries.inc({ channel: item.channel, outcome: 'sent' })
  // Read afresh, not this round's view: a hold written since (a membership update) ends here too.
  const wasHeld = holds ? await holds.release(item.target).catch(() => null) : null
  drain.holdOf.set(item.target, null)
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
    await store.set(`outbox:last:${item.target}`, now(), { ttlSeconds: 60 })
  } catch (error) {
    drain.held.add(item.target)
    log.warn('delivered, but the outbox could not record it', {
      id: item.id,
      error: errorMessage(error),
    })
  }
}
