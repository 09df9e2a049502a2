/**
 * @module Delivery of one outbox item: a Telegram message (in its project's
 * topic, an edit, an agent's grouped message, a card's message linked to its card) or an OpenClaw wake (admitted or
 * refused, recorded on its run), and how a failure is classified for the sender's retries (Telegram's refusals:
 * runtime/refusal-policy.ts).
 */
import type { CardStore } from '../shared/actions/cards.ts'
import type { Config } from '../shared/core/config.ts'
import type { Services } from '../shared/core/function.ts'
import type { LiveTelegram } from '../shared/live/live-send.ts'
import type { LiveView } from '../shared/live/live-view.ts'
import type { HeldChats } from '../shared/notify/held-chats.ts'
import type { OutboxItem } from '../shared/notify/outbox.ts'
import {
  type GroupedMessage,
  type OpenClawWake,
  readOutboxMessage,
  type TelegramEdit,
  type TelegramEditPayload,
  type TelegramMessage,
  type TelegramSendPayload,
  UnreadableOutboxItemError,
} from '../shared/notify/outbox-message.ts'
import type { AgentQuota } from '../shared/notify/quota.ts'
import type { DeliveryDecision } from '../shared/notify/sender.ts'
import { errorMessage } from '../shared/observe/errors.ts'
import type { MetricsRegistry } from '../shared/observe/metrics.ts'
import {
  classifyOpenClawError,
  type OpenClawClient,
  OpenClawError,
  openClawFailure,
} from '../shared/openclaw/index.ts'
import type { RunTracker } from '../shared/runs/tracker.ts'
import type { TelegramClient } from '../shared/telegram/index.ts'
import type { ChatMigrations } from '../shared/telegram/migrations.ts'
import type { ProjectTopics } from '../shared/telegram/topics.ts'
import { createRefusalPolicy, telegramDecision } from './refusal-policy.ts'

export type DeliveryOptions = Pick<Services, 'log' | 'status'> & {
  config: Pick<Config, 'LOCALE'>
  telegram: TelegramClient | null
  openclaw: OpenClawClient | null
  chatId: string | null
  topics: ProjectTopics | null
  cards: CardStore
  quota: AgentQuota
  tracker: RunTracker
  migrations: ChatMigrations
  heldChats: HeldChats
  /** The live view: a live message's item is rendered and sent (or edited) by it. */
  live?: Pick<LiveView, 'deliver'> | null
  /** Where `plane_bridge_telegram_refusals_total{policy,why}` is kept. */
  registry?: MetricsRegistry
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
  migrations,
  heldChats,
  live = null,
  registry,
}: DeliveryOptions): Delivery {
  const _withPolicy = createRefusalPolicy({ log, migrations, heldChats, registry })

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
  /** An agent's grouped message, built when its window ends from what was held meanwhile. */
  const _sendGrouped = async (client: TelegramClient, { target, payload }: GroupedMessage) => {
    const { grouped: agentId, agent_name: agentName } = payload
    const group = await quota.take(agentId, agentName, config.LOCALE === 'en' ? 'en' : 'fr')
    if (!group) return
    await _withPolicy(
      await _inTopic({
        channel: 'telegram',
        target,
        payload: {
          chat_id: target,
          text: group.html,
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        },
      }),
      (payload) => client.sendMessage(payload)
    )
    status.contact('telegram', true)
    // Sent: what it carried is done (a crash before this line sends them once more, in the next group).
    await quota.sent(agentId, group.members)
  }
  const _edit = async (client: TelegramClient, { payload }: TelegramEdit) => {
    // Already showing this text (an edit repeated after a crash): done. The human deleted the message: its new
    // state goes as a new message (an empty keyboard, which only removed the buttons, goes with it).
    const edit = payload as TelegramEditPayload & { chat_id: number | string; text: string }
    await _withPolicy(edit, (p) => client.editMessageText(p), {
      sendNew: ({ message_id: _id, inline_message_id: _inline, reply_markup, ...rest }) =>
        client.sendMessage({
          ...rest,
          ...(reply_markup && reply_markup.inline_keyboard.length > 0 ? { reply_markup } : {}),
        }),
    })
    status.contact('telegram', true)
  }
  const _send = async (client: TelegramClient, id: string, message: TelegramMessage) => {
    const { meta } = message
    const projectId = meta?.projectId
    const sent = (await _withPolicy(await _inTopic(message), (p) => client.sendMessage(p), {
      // The project's topic was deleted in Telegram: make a new one and send there.
      topicGone: async () => {
        if (!topics || projectId === undefined) return null
        await topics.invalidate(projectId)
        return _inTopic(message)
      },
    })) as { message_id: number; chat: { id: number } }
    status.contact('telegram', true)
    const target = String(sent.chat.id)
    // A card's message (or the prompt asking for an action's text) is found again by its id.
    if (meta?.kind === 'card' || meta?.kind === 'prompt')
      await (meta.kind === 'card'
        ? cards.sent(meta.cardId, sent.message_id)
        : cards.linkPrompt(target, sent.message_id, meta.cardId, meta.action)
      ).catch((error: unknown) =>
        log.warn('message sent but not linked to its card', { id, error: errorMessage(error) })
      )
  }
  /**
   * A live message's Bot API calls, under the same policy as every message: sent without sound (in its project's
   * topic), edited in place; a deleted one sent anew, a text Telegram shows already left alone.
   */
  const _liveCalls = (client: TelegramClient): LiveTelegram => ({
    async send({ chatId: target, html, projectId }) {
      const message: TelegramMessage = {
        channel: 'telegram',
        target,
        payload: {
          chat_id: target,
          text: html,
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          disable_notification: true,
        },
        ...(projectId ? { meta: { projectId } } : {}),
      }
      const sent = (await _withPolicy(await _inTopic(message), (p) => client.sendMessage(p), {
        topicGone: async () => {
          if (!topics || !projectId) return null
          await topics.invalidate(projectId)
          return _inTopic(message)
        },
      })) as { message_id: number; chat: { id: number }; message_thread_id?: number }
      status.contact('telegram', true)
      return {
        chatId: String(sent.chat.id),
        messageId: sent.message_id,
        threadId: sent.message_thread_id ?? null,
      }
    },
    async edit({ chatId: target, messageId, threadId, html }) {
      const edited = (await _withPolicy(
        { chat_id: target, message_id: messageId, text: html, parse_mode: 'HTML' as const },
        (p) => client.editMessageText({ ...p, link_preview_options: { is_disabled: true } }),
        {
          sendNew: ({ message_id: _id, ...rest }) =>
            client.sendMessage({
              ...rest,
              link_preview_options: { is_disabled: true },
              disable_notification: true,
              ...(threadId === null ? {} : { message_thread_id: threadId }),
            }),
        }
      )) as { message_id: number; chat: { id: number } } | null
      status.contact('telegram', true)
      return edited ? { chatId: String(edited.chat.id), messageId: edited.message_id } : null
    },
  })
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
    if (read.kind === 'live') {
      const { live: key, gen } = read.message.payload
      if (live) await live.deliver(key, gen, _liveCalls(telegram))
    } else if (read.kind === 'grouped') await _sendGrouped(telegram, read.message)
    else if (read.kind === 'edit') await _edit(telegram, read.message)
    else await _send(telegram, item.id, read.message)
  }
  const classify = (item: OutboxItem, error: unknown): DeliveryDecision => {
    // Not the channel's failure: no retry can make it a message.
    if (error instanceof UnreadableOutboxItemError) return { retry: false }
    status.contact(item.channel, false, error instanceof Error ? error.message : 'failed')
    if (item.channel === 'telegram') return telegramDecision(error)
    const decision = classifyOpenClawError(error)
    return error instanceof OpenClawError && error.kind === 'rate_limited'
      ? { ...decision, rateLimited: true }
      : decision
  }
  return { deliver, classify }
}
