/** @module The outbox sender's pick: whether an item may go now, or waits (its chat's order, hold, spacing or group rate). */
import type { Store } from '../store/store.ts'
import type { OutboxItem } from './outbox.ts'
import type { DrainRound, DrainState, SenderDeps } from './sender-state.ts'

/**
 * `send`: the item goes now; `skip`: it waits (what for is noted in the drain and the round); `stop`: the drain
 * sends nothing more (the lane was taken over, or the drain's time is up).
 */
export async function pickItem(
  { outbox, store, log, now, perTargetIntervalMs, groupPerMinute, budgetMs }: SenderDeps,
  drain: DrainState,
  round: DrainRound,
  item: OutboxItem
): Promise<'send' | 'skip' | 'stop'> {
  // Another process took the lane over (this one stalled past the lock's expiry): stop sending.
  if (drain.heartbeat.lost) return 'stop'
  if (drain.held.has(item.target) || round.spaced.has(item.target)) return 'skip'
  if (item.notBefore > now()) {
    drain.held.add(item.target)
    drain.due(item.notBefore)
    return 'skip'
  }
  // The chat waits (a flood wait) or refuses the bot: none of its items go, whichever is first. The hold
  // alone keeps them: the round after it ends sends them, whoever ended it.
  const chatHold = await drain.heldChat(item.target)
  if (chatHold && chatHold.until > now()) {
    drain.due(chatHold.until)
    return 'skip'
  }
  const wait = (await _lastSent(store, item.target)) + perTargetIntervalMs - now()
  if (wait > 0) {
    round.space(item.target, wait)
    return 'skip'
  }
  if (_isGroup(item) && !(await _withinGroupRate(store, item.target, groupPerMinute, now()))) {
    const nextMinute = (Math.floor(now() / 60_000) + 1) * 60_000
    await outbox.update({ ...item, notBefore: nextMinute })
    drain.known.delete(item.id)
    drain.held.add(item.target)
    drain.due(nextMinute)
    return 'skip'
  }
  if (now() - drain.started > budgetMs) return 'stop'
  // A twin of this item (same dedupe key, enqueued concurrently or around a crash) owns the key.
  if (item.dedupeKey && !(await outbox.owns(item))) {
    await outbox.ack(item)
    drain.report.left--
    log.info('duplicate outbox item dropped', { id: item.id, target: item.target })
    return 'skip'
  }
  return 'send'
}

// --- Internal helpers ---

async function _lastSent(store: Store, target: string): Promise<number> {
  return (await store.get<number>(`outbox:last:${target}`)) ?? 0
}

/** Telegram group and supergroup ids are negative; private chats are positive. */
function _isGroup(item: OutboxItem): boolean {
  return item.channel === 'telegram' && item.target.startsWith('-')
}

async function _withinGroupRate(
  store: Store,
  target: string,
  perMinute: number,
  nowMs: number
): Promise<boolean> {
  const minute = Math.floor(nowMs / 60_000)
  return (await store.increment(`outbox:group:${target}:${minute}`, 120)) <= perMinute
}
