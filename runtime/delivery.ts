/**
 * @module Delivery of one outbox item (issue 40: out of the composition root): a Telegram message (in its project's
 * topic, an edit, an agent's grouped message, a card's message linked to its card) or an OpenClaw wake (admitted or
 * refused, recorded on its run), and how a failure is classified for the sender's retries.
 */
import type { CardAction, CardStore } from '../shared/actions/cards.ts'
import type { Config } from '../shared/config.ts'
import { errorMessage } from '../shared/errors.ts'
import type { Services } from '../shared/function.ts'
import type { OutboxItem } from '../shared/notify/outbox.ts'
import type { AgentQuota } from '../shared/notify/quota.ts'
import type { DeliveryDecision } from '../shared/notify/sender.ts'
import {
  classifyOpenClawError,
  type OpenClawClient,
  OpenClawError,
  openClawFailure,
} from '../shared/openclaw/index.ts'
import type { RunTracker, WakeMeta } from '../shared/runs/tracker.ts'
import {
  classifyTelegramError,
  type TelegramClient,
  TelegramError,
} from '../shared/telegram/index.ts'
import type { ProjectTopics } from '../shared/telegram/topics.ts'

export type DeliveryOptions = Pick<Services, 'log' | 'status'> & {
  config: Pick<Config, 'LOCALE'>
  telegram: TelegramClient | null
  openclaw: OpenClawClient | null
  chatId: string | null
  topics: ProjectTopics | null
  cards: CardStore
  quota: AgentQuota
  tracker: RunTracker
}

export type Delivery = {
  /** Sends the item; throws what the channel answered, for `classify`. */
  deliver(item: OutboxItem): Promise<void>
  classify(item: OutboxItem, error: unknown): DeliveryDecision
}

export function createDelivery({
  config,
  log,
  status,
  telegram,
  openclaw,
  chatId,
  topics,
  cards,
  quota,
  tracker,
}: DeliveryOptions): Delivery {
  /** A message about a project goes to its topic (TELEGRAM_TOPICS=per-project), unless it names one. */
  const _inTopic = async (item: OutboxItem): Promise<Record<string, unknown>> => {
    const projectId = item.meta?.projectId
    if (!topics || typeof projectId !== 'string') return item.payload
    if (item.payload.message_thread_id !== undefined || item.target !== chatId) return item.payload
    const threadId = await topics.threadFor(projectId)
    return threadId === null ? item.payload : { ...item.payload, message_thread_id: threadId }
  }
  /** An agent's grouped message (issue 39), built when its window ends from what was held meanwhile. */
  const _sendGrouped = async (item: OutboxItem) => {
    if (!telegram) throw new Error('Telegram is not configured')
    const { grouped: agentId, agent_name: agentName } = item.payload as {
      grouped: string
      agent_name: string
    }
    const group = await quota.take(agentId, agentName, config.LOCALE === 'en' ? 'en' : 'fr')
    if (!group) return
    await telegram.sendMessage(
      (await _inTopic({
        ...item,
        payload: {
          chat_id: item.target,
          text: group.html,
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        },
      })) as unknown as Parameters<TelegramClient['sendMessage']>[0]
    )
    status.contact('telegram', true)
    // Sent: what it carried is done (a crash before this line sends them once more, in the next group).
    await quota.sent(agentId, group.members)
  }
  const deliver = async (item: OutboxItem) => {
    if (item.channel === 'telegram') {
      if (!telegram) throw new Error('Telegram is not configured')
      const meta = item.meta as { kind?: string; cardId?: string; action?: CardAction } | undefined
      if (meta?.kind === 'grouped') {
        await _sendGrouped(item)
        return
      }
      if (meta?.kind === 'edit') {
        await telegram
          .editMessageText(
            item.payload as unknown as Parameters<TelegramClient['editMessageText']>[0]
          )
          // Already showing this text (an edit repeated after a crash): done.
          .catch((error: unknown) => {
            if (
              !(
                error instanceof TelegramError &&
                error.description.includes('message is not modified')
              )
            )
              throw error
          })
        status.contact('telegram', true)
        return
      }
      const send = async () =>
        telegram.sendMessage(
          (await _inTopic(item)) as unknown as Parameters<TelegramClient['sendMessage']>[0]
        )
      const sent = await send().catch(async (error: unknown) => {
        // The project's topic was deleted in Telegram: make a new one and send there.
        const projectId = item.meta?.projectId
        if (
          topics &&
          typeof projectId === 'string' &&
          error instanceof TelegramError &&
          error.description.includes('message thread not found')
        ) {
          await topics.forget(projectId)
          return send()
        }
        throw error
      })
      status.contact('telegram', true)
      // A card's message (or the prompt asking for an action's text) is found again by its id.
      if (meta?.cardId && (meta.kind === 'card' || meta.kind === 'prompt'))
        await (meta.kind === 'card'
          ? cards.sent(meta.cardId, sent.message_id)
          : cards.linkPrompt(item.target, sent.message_id, meta.cardId, meta.action ?? 'answer')
        ).catch((error: unknown) =>
          log.warn('message sent but not linked to its card', {
            id: item.id,
            error: errorMessage(error),
          })
        )
      return
    }
    if (!openclaw) throw new Error('OpenClaw hooks are not configured')
    const key = item.dedupeKey ?? item.id
    const wake = item.meta?.kind === 'wake' ? (item.meta as WakeMeta) : null
    const admitted = await openclaw
      .agent(item.payload as unknown as Parameters<OpenClawClient['agent']>[0], {
        idempotencyKey: key,
      })
      .catch(async (error: unknown) => {
        if (wake)
          await tracker.undelivered(wake, openClawFailure(error)).catch((e: unknown) =>
            log.warn('failed wake not recorded', {
              id: item.id,
              error: errorMessage(e),
            })
          )
        throw error
      })
    status.contact('openclaw', true)
    if (wake)
      await tracker.delivered(wake, admitted.runId ?? null).catch((error: unknown) =>
        log.warn('wake admitted but not recorded', {
          id: item.id,
          error: errorMessage(error),
        })
      )
  }
  const classify = (item: OutboxItem, error: unknown): DeliveryDecision => {
    status.contact(item.channel, false, error instanceof Error ? error.message : 'failed')
    if (error instanceof TelegramError && error.migrateToChatId !== undefined) {
      return { retry: true, retarget: String(error.migrateToChatId) }
    }
    const decision =
      item.channel === 'telegram' ? classifyTelegramError(error) : classifyOpenClawError(error)
    const rateLimited =
      (error instanceof TelegramError && error.errorCode === 429) ||
      (error instanceof OpenClawError && error.kind === 'rate_limited')
    return rateLimited ? { ...decision, rateLimited: true } : decision
  }
  return { deliver, classify }
}
