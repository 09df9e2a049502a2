/**
 * @module The composition root's notify side: the outbox, Telegram (runtime/telegram-parts.ts), the human's cards and
 * what the human is told of; then how the outbox's items go out: their delivery (runtime/delivery.ts) and the
 * scheduler that runs the flush, each lane's drain and the run cards (runtime/scheduler.ts).
 */
import { createCardStore } from '../shared/actions/cards.ts'
import type { Services } from '../shared/core/function.ts'
import type { Parts } from '../shared/core/parts.ts'
import { createOutbox, type OutboxChannel } from '../shared/notify/outbox.ts'
import type { PlaneDirectory } from '../shared/notify/plane-directory.ts'
import { createNotifyPolicy } from '../shared/notify/policy.ts'
import type { AgentQuota } from '../shared/notify/quota.ts'
import type { MetricsRegistry } from '../shared/observe/metrics.ts'
import { createDelivery } from './delivery.ts'
import { createScheduler, type Scheduler, type SchedulerOptions } from './scheduler.ts'
import { buildTelegramParts } from './telegram-parts.ts'

export type NotifyParts = Pick<
  Parts,
  | 'outbox'
  | 'telegram'
  | 'chatId'
  | 'topics'
  | 'holds'
  | 'migrations'
  | 'heldChats'
  | 'cards'
  | 'policy'
>

/** The outbox's counts, declared before any part records them. */
export function declareOutboxMetrics(registry: MetricsRegistry): SchedulerOptions['metrics'] {
  const deliveries = registry.counter(
    'plane_bridge_outbox_deliveries_total',
    'Outbox deliveries by channel and outcome (sent, retry, held: a chat in flood wait or refusing the bot, dead).'
  )
  const depth = registry.gauge(
    'plane_bridge_outbox_depth',
    'Outbox items by queue (pending, dead), after the last drain.'
  )
  return { deliveries, depth }
}

export function buildNotifyParts(
  services: Services,
  {
    directory,
    drainLane,
  }: {
    directory: PlaneDirectory
    /** Wakes the lane an item was written to: the scheduler's, built after the parts that enqueue. */
    drainLane: (channel: OutboxChannel, first: boolean) => void
  }
): NotifyParts {
  const { config, store, now } = services
  const outbox = createOutbox(store, now, drainLane)
  const { telegram, chatId, topics, holds, migrations, heldChats } = buildTelegramParts(services, {
    directory,
    outbox,
    kick: () => drainLane('telegram', false),
  })
  const cards = createCardStore({ store, outbox, now })
  const policy = createNotifyPolicy({
    ...(config.NOTIFY_EVENTS ? { kinds: config.NOTIFY_EVENTS } : {}),
    projects: config.NOTIFY_PROJECTS ?? null,
  })
  return { outbox, telegram, chatId, topics, holds, migrations, heldChats, cards, policy }
}

export type SendingOptions = NotifyParts &
  Pick<Parts, 'openclaw' | 'tracker' | 'live' | 'pipeline' | 'runs'> & {
    quota: AgentQuota
    metrics: SchedulerOptions['metrics']
  }

/** Each outbox item delivered, and the scheduler that drains the lanes, flushes and writes run cards. */
export function buildSending(services: Services, parts: SendingOptions): Scheduler {
  const { config, store, log, metrics, status, background, now, sleep } = services
  const { outbox, telegram, openclaw, chatId, topics, cards, quota, tracker, migrations } = parts
  const { heldChats, live, holds, pipeline, runs } = parts
  const { deliver, classify } = createDelivery({
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
    live,
    registry: metrics.registry,
  })
  return createScheduler({
    outbox,
    store,
    deliver,
    classify,
    holds,
    onChatBack: (target, hold, went) => heldChats.resumed(target, hold, went),
    onBury: (item, reason) => heldChats.gaveUp(item, reason),
    pipeline,
    tracker,
    runs,
    background,
    log,
    metrics: parts.metrics,
    now,
    sleep,
  })
}
