/**
 * @module Delivery of one outbox item (issue 40: out of the composition root): a Telegram message (in its project's
 * topic, an edit, an agent's grouped message, a card's message linked to its card) or an OpenClaw wake (admitted or
 * refused, recorded on its run), and how a failure is classified for the sender's retries.
 */
import type { CardStore } from '../shared/actions/cards.ts'
import type { Config } from '../shared/config.ts'
import { errorMessage } from '../shared/errors.ts'
import type { Services } from '../shared/function.ts'
import type { OutboxItem } from '../shared/notify/outbox.ts'
import {
  type GroupedMessage,
  type OpenClawWake,
  readOutboxMessage,
  type TelegramEdit,
  type TelegramMessage,
  type TelegramSendPayload,
  UnreadableOutboxItemError,
} from '../shared/notify/outbox-message.ts'
import type { AgentQuota } from '../shared/notify/quota.ts'
import type { DeliveryDecision } from '../shared/notify/sender.ts'
import {
  classifyOpenClawError,
  type OpenClawClient,
  OpenClawError,
  openClawFailure,
} from '../shared/openclaw/index.ts'
import type { RunTracker } from '../shared/runs/tracker.ts'
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
  const _inTopic = async ({
    target,
    payload,
    meta,
  }: TelegramMessage): Promise<TelegramSendPayload> => {
    const projectId = meta?.projectId
    if (!topics || projectId === undefined) return payload
    if (payload.message_thread_id !== undefined || target !== chatId) return payload
    const threadId = await topics.threadFor(projectId)
    return threadId === null ? payload : { ...payload, message_thread_id: threadId }
  }
  /** An agent's grouped message (issue 39), built when its window ends from what was held meanwhile. */
  const _sendGrouped = async (client: TelegramClient, { target, payload }: GroupedMessage) => {
    const { grouped: agentId, agent_name: agentName } = payload
    const group = await quota.take(agentId, agentName, config.LOCALE === 'en' ? 'en' : 'fr')
    if (!group) return
    await client.sendMessage(
      await _inTopic({
        channel: 'telegram',
        target,
        payload: {
          chat_id: target,
          text: group.html,
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        },
      })
    )
    status.contact('telegram', true)
    // Sent: what it carried is done (a crash before this line sends them once more, in the next group).
    await quota.sent(agentId, group.members)
  }
  const _edit = async (client: TelegramClient, { payload }: TelegramEdit) => {
    await client
      .editMessageText(payload)
      // Already showing this text (an edit repeated after a crash): done.
      .catch((error: unknown) => {
        if (
          !(error instanceof TelegramError && error.description.includes('message is not modified'))
        )
          throw error
      })
    status.contact('telegram', true)
  }
  const _send = async (client: TelegramClient, id: string, message: TelegramMessage) => {
    const { target, meta } = message
    const send = async () => client.sendMessage(await _inTopic(message))
    const sent = await send().catch(async (error: unknown) => {
      // The project's topic was deleted in Telegram: make a new one and send there.
      const projectId = meta?.projectId
      if (
        topics &&
        projectId !== undefined &&
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
    if (meta?.kind === 'card' || meta?.kind === 'prompt')
      await (meta.kind === 'card'
        ? cards.sent(meta.cardId, sent.message_id)
        : cards.linkPrompt(target, sent.message_id, meta.cardId, meta.action)
      ).catch((error: unknown) =>
        log.warn('message sent but not linked to its card', { id, error: errorMessage(error) })
      )
  }
  const _wake = async (
    client: OpenClawClient,
    item: OutboxItem,
    { payload, meta }: OpenClawWake
  ) => {
    const admitted = await client
      .agent(payload, { idempotencyKey: item.dedupeKey ?? item.id })
      .catch(async (error: unknown) => {
        if (meta)
          await tracker
            .undelivered(meta, openClawFailure(error))
            .catch((e: unknown) =>
              log.warn('failed wake not recorded', { id: item.id, error: errorMessage(e) })
            )
        throw error
      })
    status.contact('openclaw', true)
    if (meta)
      await tracker
        .delivered(meta, admitted.runId ?? null)
        .catch((error: unknown) =>
          log.warn('wake admitted but not recorded', { id: item.id, error: errorMessage(error) })
        )
  }
  const deliver = async (item: OutboxItem) => {
    const read = readOutboxMessage(item)
    if (read.kind === 'unreadable') throw new UnreadableOutboxItemError(read.reason)
    if (read.kind === 'wake') {
      if (!openclaw) throw new Error('OpenClaw hooks are not configured')
      await _wake(openclaw, item, read.message)
      return
    }
    if (!telegram) throw new Error('Telegram is not configured')
    if (read.kind === 'grouped') await _sendGrouped(telegram, read.message)
    else if (read.kind === 'edit') await _edit(telegram, read.message)
    else await _send(telegram, item.id, read.message)
  }
  const classify = (item: OutboxItem, error: unknown): DeliveryDecision => {
    // Not the channel's failure: no retry can make it a message.
    if (error instanceof UnreadableOutboxItemError) return { retry: false }
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
