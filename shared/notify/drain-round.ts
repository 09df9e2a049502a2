/**
 * @module One round of a drain: each pending item, in sending order, is picked (it may go now, or waits for its
 * time, its chat's hold, its spacing or its group's minute), then sent; a failure is rescheduled, a delivery
 * recorded, and a chat that took a message after its hold is back.
 */
import { errorMessage } from '../observe/errors.ts'
import type { ChatHold } from './chat-holds.ts'
import type { ChatSpacing } from './chat-spacing.ts'
import { type DrainFailureOptions, rescheduleFailed } from './drain-failure.ts'
import type { DrainState } from './drain-state.ts'
import type { OutboxItem } from './outbox.ts'

/** What a round needs: the sender's options, their defaults given, and the lane's chat spacing. */
export type DrainRoundOptions = DrainFailureOptions & {
  /** Sends one item; throws on failure. */
  deliver: (item: OutboxItem) => Promise<void>
  spacing: ChatSpacing
  /** A target that refused a message sent before it came back goes again after this. */
  perTargetIntervalMs: number
  /** Longest a drain keeps sending. */
  drainMs: number
  onChatBack?: ((target: string, hold: ChatHold, went: OutboxItem) => Promise<void>) | undefined
}

/** Send what may go of `items` (read in sending order); stops when the lane's lease is lost or the drain's time is up. */
export async function sendRound(
  o: DrainRoundOptions,
  drain: DrainState,
  items: readonly OutboxItem[],
  lease: { readonly lost: boolean }
): Promise<void> {
  for (const item of items) {
    // Another process took the lane over (this one stalled past the lock's expiry): stop sending.
    if (lease.lost) break
    const pick = await _pick(o, drain, item)
    if (pick === 'stop') break
    if (pick === 'later') continue
    // A twin of this item (same dedupe key, enqueued concurrently or around a crash) owns the key.
    if (item.dedupeKey && !(await o.outbox.owns(item))) {
      await o.outbox.ack(item)
      drain.report.left--
      o.log.info('duplicate outbox item dropped', { id: item.id, target: item.target })
      continue
    }
    await _send(o, drain, item)
  }
}

// --- Internal helpers ---

/** Whether the item may go now (`send`), waits (`later`, its target's later items too), or the drain is out of time. */
async function _pick(
  { outbox, spacing, now, drainMs }: DrainRoundOptions,
  drain: DrainState,
  item: OutboxItem
): Promise<'send' | 'later' | 'stop'> {
  const { blockedTargets } = drain
  if (blockedTargets.has(item.target) || drain.spaced.has(item.target)) return 'later'
  if (item.notBefore > now()) {
    blockedTargets.add(item.target)
    drain.due(item.notBefore)
    return 'later'
  }
  // The chat waits (a flood wait) or refuses the bot: none of its items go, whichever is first. The hold
  // alone keeps them: the round after it ends sends them, whoever ended it.
  const chatHold = await drain.heldChat(item.target)
  if (chatHold && chatHold.until > now()) {
    drain.due(chatHold.until)
    return 'later'
  }
  const wait = await spacing.waitFor(item, now())
  if (wait > 0) {
    drain.space(item.target, wait)
    return 'later'
  }
  if (!(await spacing.withinGroupRate(item, now()))) {
    const nextMinute = (Math.floor(now() / 60_000) + 1) * 60_000
    await outbox.update({ ...item, notBefore: nextMinute })
    drain.known.delete(item.id)
    blockedTargets.add(item.target)
    drain.due(nextMinute)
    return 'later'
  }
  if (now() - drain.started > drainMs) return 'stop'
  return 'send'
}

/** Deliver the item: a failure is rescheduled, a delivery recorded. */
async function _send(o: DrainRoundOptions, drain: DrainState, item: OutboxItem): Promise<void> {
  const { deliver } = o
  const { report } = drain
  const triedAt = o.now()
  try {
    await deliver(item)
  } catch (error) {
    drain.blockedTargets.add(item.target)
    drain.known.delete(item.id)
    const outcome = await rescheduleFailed(o, drain, item, error, triedAt)
    if (outcome === 'dead') {
      report.dead++
      report.left--
    } else {
      report.retried++
    }
    // The chat's refusal is its hold, read again each round. One that came back meanwhile: tried again.
    if (outcome === 'held' || outcome === 'again') drain.blockedTargets.delete(item.target)
    if (outcome === 'again') drain.space(item.target, o.perTargetIntervalMs)
    return
  }
  await _delivered(o, drain, item)
}

/** The item went out: counted, its chat's hold ended (a chat back gets what waited), the outbox told. */
async function _delivered(
  { outbox, spacing, holds, onChatBack, log, metrics, now }: DrainRoundOptions,
  drain: DrainState,
  item: OutboxItem
): Promise<void> {
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
    await spacing.sent(item, now())
  } catch (error) {
    drain.blockedTargets.add(item.target)
    log.warn('delivered, but the outbox could not record it', {
      id: item.id,
      error: errorMessage(error),
    })
  }
}
