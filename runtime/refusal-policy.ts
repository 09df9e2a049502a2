/**
 * @module Telegram's refusals of one outbox item (reference §1.7b): what a message can fix is fixed once in the call
 * itself (a migrated group, a refused text sent plain, a deleted message's edit sent as new, a topic made again), and
 * what it cannot is turned into the sender's decision (a chat held or waiting, a retry, given up).
 */
import type { Services } from '../shared/core/function.ts'
import type { HeldChats } from '../shared/notify/held-chats.ts'
import type { DeliveryDecision } from '../shared/notify/sender.ts'
import { errorMessage } from '../shared/observe/errors.ts'
import type { MetricsRegistry } from '../shared/observe/metrics.ts'
import { TelegramError } from '../shared/telegram/index.ts'
import type { ChatMigrations } from '../shared/telegram/migrations.ts'
import { plainFallback } from '../shared/telegram/plain.ts'
import { classifyTelegramRefusal, type TelegramRefusal } from '../shared/telegram/refusals.ts'

export type RefusalPolicyOptions = Pick<Services, 'log'> & {
  migrations: ChatMigrations
  heldChats: HeldChats
  /** Where `plane_bridge_telegram_refusals_total{policy,why}` is kept. */
  registry?: MetricsRegistry | undefined
}

/** What a call may do in place of the refused one: send anew (an edit's message is gone), or find its topic again. */
export type RefusalFixes<P> = {
  sendNew?: (payload: P) => Promise<unknown>
  topicGone?: () => Promise<P | null>
}

export type WithRefusalPolicy = <P extends { chat_id: number | string; text: string }>(
  first: P,
  call: (payload: P) => Promise<unknown>,
  fixes?: RefusalFixes<P>
) => Promise<unknown>

export function createRefusalPolicy({
  log,
  migrations,
  heldChats,
  registry,
}: RefusalPolicyOptions): WithRefusalPolicy {
  const refusals = registry?.counter(
    'plane_bridge_telegram_refusals_total',
    'Telegram refusals the bridge answered without giving up, by policy (plain: sent again as plain text; send-new: an edit of a deleted message sent as a new one) and why.'
  )
  /**
   * One Bot API call under the refusal policy: a migrated group gets the message at its new id (kept for every later
   * one), a refused text or keyboard goes once more as plain text, a deleted message's edit goes as a new message, an
   * edit Telegram shows already is done. What the message cannot fix (the chat's refusals, a flood wait, a failure)
   * is thrown for the sender's `classify`.
   */
  return async function withRefusalPolicy<P extends { chat_id: number | string; text: string }>(
    first: P,
    call: (payload: P) => Promise<unknown>,
    fixes: RefusalFixes<P> = {}
  ): Promise<unknown> {
    let payload = { ...first, chat_id: await migrations.current(String(first.chat_id)) }
    let send = call
    const applied = new Set<TelegramRefusal['policy']>()
    for (;;) {
      try {
        return await send(payload)
      } catch (error) {
        const refusal = classifyTelegramRefusal(error)
        if (applied.has(refusal.policy)) throw error
        applied.add(refusal.policy)
        if (refusal.policy === 'done') return null
        if (refusal.policy === 'migrated') {
          const from = String(payload.chat_id)
          if (await migrations.record(from, refusal.chatId))
            await heldChats.migrated(from, refusal.chatId)
          payload = { ...payload, chat_id: refusal.chatId }
        } else if (refusal.policy === 'plain') {
          refusals?.inc({ policy: 'plain', why: refusal.why })
          log.warn('telegram refused a message; sending it as plain text', {
            why: refusal.why,
            error: errorMessage(error),
          })
          payload = plainFallback(payload, refusal.why)
        } else if (refusal.policy === 'send-new' && fixes.sendNew) {
          refusals?.inc({ policy: 'send-new', why: 'edit-gone' })
          send = fixes.sendNew
        } else if (refusal.policy === 'topic-gone' && fixes.topicGone) {
          const again = await fixes.topicGone()
          if (!again) throw error
          payload = { ...again, chat_id: payload.chat_id }
        } else throw error
      }
    }
  }
}

/** What the sender does with a refusal the call could not fix (`classifyTelegramRefusal`). */
export function telegramDecision(error: unknown): DeliveryDecision {
  // Not Telegram's answer (the store failed around the send, a bug): the message is not at fault; try it again.
  if (!(error instanceof TelegramError)) return { retry: true }
  const refusal = classifyTelegramRefusal(error)
  const description = errorMessage(error)
  switch (refusal.policy) {
    case 'wait-chat':
      return {
        retry: true,
        rateLimited: true,
        afterMs: refusal.afterMs,
        chat: { wait: refusal.afterMs, description },
      }
    case 'hold-chat':
      return { retry: true, chat: { hold: refusal.why, description } }
    case 'retry':
    case 'migrated':
    case 'topic-gone':
      return { retry: true }
    default:
      // A plain-text copy refused too, a 401, an unknown 400: given up, and the human is told.
      return { retry: false }
  }
}
