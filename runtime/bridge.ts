/** @module The composition root's parts: clients, directory, pipeline, outbox, senders, run tracker, built once per runtime from its services. */
import { type CardAction, type CardStore, createCardStore } from '../shared/actions/cards.ts'
import type { Bridge } from '../shared/bridge.ts'
import { createCallGate } from '../shared/call-gate.ts'
import { workItemsCacheKey } from '../shared/commands/workspace-loader.ts'
import { errorMessage } from '../shared/errors.ts'
import type { TaskSnapshot } from '../shared/events.ts'
import type { Services } from '../shared/function.ts'
import { createTaskReads } from '../shared/index/task-reads.ts'
import { createWorkItemIndex, type WorkItemIndex } from '../shared/index/work-items.ts'
import {
  createOutbox,
  OUTBOX_CHANNELS,
  type Outbox,
  type OutboxChannel,
  type OutboxItem,
} from '../shared/notify/outbox.ts'
import { createNotifyPolicy, type NotifyPolicy } from '../shared/notify/policy.ts'
import { createAgentQuota } from '../shared/notify/quota.ts'
import {
  createOutboxSender,
  type DeliveryDecision,
  type DrainReport,
  type OutboxSender,
} from '../shared/notify/sender.ts'
import {
  classifyOpenClawError,
  createOpenClawClient,
  type OpenClawClient,
  OpenClawError,
  openClawFailure,
} from '../shared/openclaw/index.ts'
import { forgetDeletedTask } from '../shared/pipeline/deleted.ts'
import { createPipeline, type Pipeline } from '../shared/pipeline/pipeline.ts'
import { CAPABILITIES_MAX_AGE_MS, type PlaneCapabilities } from '../shared/plane/capabilities.ts'
import { createPlaneClient, type PlaneClient } from '../shared/plane/client.ts'
import { diagnosePlaneFailure } from '../shared/plane/diagnose.ts'
import { createPlaneDirectory, type PlaneDirectory } from '../shared/plane-directory.ts'
import { blockForCancelledDependency } from '../shared/poll/dependencies.ts'
import { createProjectLabels, syncAgentLabels } from '../shared/runs/agent-labels.ts'
import { onTaskClosed } from '../shared/runs/dependents.ts'
import {
  CARDS_DUE_INDEX,
  createRunStore,
  type RunStore,
  runRecordKey,
  timeSpentNow,
} from '../shared/runs/records.ts'
import { createRunTracker, type RunTracker, type WakeMeta } from '../shared/runs/tracker.ts'
import type { RunRecord } from '../shared/runs/types.ts'
import { agentsOfTask } from '../shared/task-vocabulary.ts'
import {
  classifyTelegramError,
  createTelegramClient,
  type TelegramClient,
  TelegramError,
} from '../shared/telegram/index.ts'
import { createProjectTopics, type ProjectTopics } from '../shared/telegram/topics.ts'
import { createRejectionNotes } from '../shared/webhook-rejections.ts'

/** Shortest time between two passes of one step (flush, a lane's drain) under a stream of kicks. */
export const STEP_GAP_MS = 100

/** Plane's capabilities (relations, worklogs…), shared by every process on the store for an hour. */
const CAPABILITIES_KEY = 'plane:capabilities'

/** Builds the parts once; createServices (runtime/services.ts) calls it on first use of `services.bridge`. */
export function buildBridge(services: Services): Bridge {
  const { config, store, log, metrics, status, background, now, sleep } = services
  const planeRequests = metrics.registry.counter(
    'plane_bridge_plane_requests_total',
    'Requests to the Plane API by status class.'
  )
  const deliveries = metrics.registry.counter(
    'plane_bridge_outbox_deliveries_total',
    'Outbox deliveries by channel and outcome (sent, retry, dead).'
  )
  const depth = metrics.registry.gauge(
    'plane_bridge_outbox_depth',
    'Outbox items by queue (pending, dead), after the last drain.'
  )

  let requestCount = 0
  const plane =
    config.PLANE_BASE_URL && config.PLANE_API_KEY && config.PLANE_WORKSPACE_SLUG
      ? createPlaneClient({
          baseUrl: config.PLANE_BASE_URL,
          apiKey: config.PLANE_API_KEY,
          workspaceSlug: config.PLANE_WORKSPACE_SLUG,
          rateLimit: config.PLANE_API_RATE_LIMIT,
          // The key's window counted with every process on the store (a `npm run job`, other replicas).
          sharedWindow: store,
          // One clock for the window and its waits: a test's virtual clock moves both.
          now,
          sleep,
          // Kept in the store: a `npm run job` process or a Workers isolate probes no more than a long-lived one.
          capabilitiesCache: {
            read: () => store.get<PlaneCapabilities>(CAPABILITIES_KEY),
            write: (value) =>
              store.set(CAPABILITIES_KEY, value, {
                ttlSeconds: CAPABILITIES_MAX_AGE_MS / 1000,
              }),
          },
          onRequest: ({ status: code, error }) => {
            requestCount++
            planeRequests.inc({ status: code === 0 ? 'none' : `${Math.floor(code / 100)}xx` })
            // A refused key or an unknown workspace is a failure that names its fix (issue 36), not "HTTP 403, ok";
            // a 404 on one task, or a 403 on a project the bridge is not admin of, is Plane answering.
            const diagnosis = error
              ? diagnosePlaneFailure(error, { slug: config.PLANE_WORKSPACE_SLUG })
              : null
            const failing =
              code === 0 ||
              code >= 500 ||
              diagnosis?.cause === 'key' ||
              diagnosis?.cause === 'workspace' ||
              diagnosis?.cause === 'url'
            status.contact(
              'plane',
              !failing,
              failing && diagnosis ? diagnosis.detail : code === 0 ? 'no answer' : `HTTP ${code}`
            )
          },
        })
      : null
  const telegram = config.TELEGRAM_BOT_TOKEN
    ? createTelegramClient({ token: config.TELEGRAM_BOT_TOKEN, apiBase: config.TELEGRAM_API_BASE })
    : null
  const openclaw =
    config.OPENCLAW_HOOKS_URL && config.OPENCLAW_HOOKS_TOKEN
      ? createOpenClawClient({
          hooksUrl: config.OPENCLAW_HOOKS_URL,
          token: config.OPENCLAW_HOOKS_TOKEN,
        })
      : null

  // The directory (members, projects) is read by tool calls and human actions, which wait for a load in flight:
  // it loads at an agent's priority, or a poll's refresh would hold them behind its background share.
  const directory = createPlaneDirectory({
    plane: plane?.withPriority('agent') ?? null,
    agents: services.agents,
    log,
    now,
  })
  let onEnqueue: (channel: OutboxChannel) => void = () => undefined
  const outbox = createOutbox(store, now, (channel) => onEnqueue(channel))
  const chatId = telegram && config.TELEGRAM_CHAT_ID ? config.TELEGRAM_CHAT_ID : null
  const topics =
    telegram && chatId && config.TELEGRAM_TOPICS === 'per-project'
      ? createProjectTopics({
          store,
          telegram,
          chatId,
          log,
          projectName: async (id) => {
            const project = await directory.project(id)
            return project
              ? `${project.name}${project.identifier ? ` (${project.identifier})` : ''}`
              : null
          },
        })
      : null
  /** A message about a project goes to its topic (TELEGRAM_TOPICS=per-project), unless it names one. */
  const _inTopic = async (item: OutboxItem): Promise<Record<string, unknown>> => {
    const projectId = item.meta?.projectId
    if (!topics || typeof projectId !== 'string') return item.payload
    if (item.payload.message_thread_id !== undefined || item.target !== chatId) return item.payload
    const threadId = await topics.threadFor(projectId)
    return threadId === null ? item.payload : { ...item.payload, message_thread_id: threadId }
  }
  const cards = createCardStore({ store, outbox, now })
  const policy = createNotifyPolicy({
    ...(config.NOTIFY_EVENTS ? { kinds: config.NOTIFY_EVENTS } : {}),
    projects: config.NOTIFY_PROJECTS ?? null,
  })
  const runs = plane
    ? createRunStore({
        store,
        plane,
        nameOf: async (id) => (await directory.agentById(id))?.name ?? null,
        log,
        locale: config.LOCALE,
        now,
        // Cards are written by the flush step once their coalescing delay has passed.
        // A weak timer: cards are no one's wait (the notify cron writes what a stopping process left).
        onCardMarked: (dueInMs) =>
          background.later('cards', Math.max(50, dueInMs), async () => writeCards(), {
            weak: true,
          }),
      })
    : null
  // What one agent may send the human on its own (issue 39): the pipeline and the run tracker share it.
  const quota = createAgentQuota({
    store,
    perWindow: config.AGENT_MESSAGES_PER_WINDOW,
    windowMs: config.AGENT_MESSAGES_WINDOW_S * 1000,
    now,
  })
  const tracker = createRunTracker({
    quota,
    store,
    outbox,
    runs,
    directory,
    snapshot: (taskId) => pipeline.snapshot(taskId),
    locale: config.LOCALE,
    chatId,
    wakeAgents: openclaw !== null,
    checkinMs: config.WAKE_CHECKIN_SECONDS * 1000,
    attempts: config.WAKE_ATTEMPTS,
    staleMs: config.RUN_STALE_MINUTES * 60_000,
    sessionKeyPrefix: config.OPENCLAW_SESSION_KEY_PREFIX,
    planeBaseUrl: config.PLANE_BASE_URL,
    workspaceSlug: config.PLANE_WORKSPACE_SLUG,
    defer: (name, work) => background.run(name, work),
    log,
    metrics: metrics.registry,
    now,
  })
  // Issue 32: what the bridge sees of every task, for tools that answer without listing Plane.
  const indexed = createWorkItemIndex({
    store,
    holders: async (task) => (await agentsOfTask(directory, task)).map((a) => a.id),
  })
  // Every version the pipeline stores also retires its project's cached listing (/plane, the digest).
  const index: WorkItemIndex = {
    ...indexed,
    saw: async (task, description) => {
      await indexed.saw(task, description)
      await store.delete(workItemsCacheKey(task.projectId))
    },
  }
  const taskReads = createTaskReads({ now })
  const labels = createProjectLabels({ now })
  const pipeline = createPipeline({
    taskReads,
    quota,
    store,
    outbox,
    directory,
    policy,
    locale: config.LOCALE,
    log,
    chatId,
    wakeAgents: openclaw !== null,
    ...(config.PLANE_BASE_URL ? { planeBaseUrl: config.PLANE_BASE_URL } : {}),
    ...(config.PLANE_WORKSPACE_SLUG ? { workspaceSlug: config.PLANE_WORKSPACE_SLUG } : {}),
    coalesceMs: config.NOTIFY_COALESCE_MS,
    now,
    tracker,
    cards,
    index,
    // Only the Node runtime builds this driver, and it releases held locks when it stops (runtime/node.ts); a
    // Workers isolate (Redis over HTTP) may be dropped with its timers, leaving a lock to its TTL.
    lingerLocks: store.driver === 'redis',
    onClosed: async (task, group) => {
      await onTaskClosed(
        { ...dependentsParts, store, log, locale: config.LOCALE, runs },
        task,
        group
      )
    },
    // What the flush reads and writes in Plane (agent labels) holds the change's message: an agent's priority,
    // ahead of polls and run cards.
    ...(plane
      ? {
          syncAgentLabels: (task, change) =>
            syncAgentLabels(plane.withPriority('agent'), task, change, labels),
        }
      : {}),
    runInfo: async (taskId) => {
      const record = await store.get<RunRecord>(runRecordKey(taskId))
      return record
        ? {
            timeSpentSeconds: timeSpentNow(record, now()),
            confidence: record.confidence,
            summary: record.summary,
            deliverables: record.deliverables.map((d) => ({ name: d.name, url: d.url })),
          }
        : null
    },
  })

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
  const senders = Object.fromEntries(
    OUTBOX_CHANNELS.map((channel) => [
      channel,
      createOutboxSender({
        outbox,
        channel,
        store,
        deliver,
        classify,
        log,
        metrics: { deliveries, depth },
        now,
        sleep,
      }),
    ])
  ) as Record<OutboxChannel, OutboxSender>
  /** Both lanes at once (the notify cron, settle); a kick drains each lane on its own. */
  const sender: OutboxSender = {
    drain: async function drainBothLanes() {
      const [a, b] = await Promise.all(OUTBOX_CHANNELS.map((c) => senders[c].drain()))
      return _mergeDrainReports(a as DrainReport, b as DrainReport)
    },
  }

  // Each step runs once at a time: kicks that come while it runs (a burst of webhooks) ask for one more
  // pass instead of one each, and passes start at most every STEP_GAP_MS, so a steady stream of deliveries
  // costs a few passes a second, not one per delivery. Flushing and each lane's drain are separate steps: a
  // chat waiting for its one-message-a-second spacing never holds up an agent's wake-up (issue 14).
  const step = (name: string, pass: () => Promise<void>): (() => void) => {
    let running = false
    let again = false
    let lastStart = Number.NEGATIVE_INFINITY
    const start = (): void => {
      if (running) {
        again = true
        return
      }
      const wait = lastStart + STEP_GAP_MS - now()
      if (wait > 0) {
        background.later(`${name}-gap`, wait, async () => start())
        return
      }
      running = true
      lastStart = now()
      background.run(name, async () => {
        try {
          await pass()
        } finally {
          running = false
          if (again) {
            again = false
            start()
          }
        }
      })
    }
    return start
  }
  const drainLane = Object.fromEntries(
    OUTBOX_CHANNELS.map((channel) => {
      const name = `drain-${channel}`
      const start = step(name, async () => {
        const drained = await senders[channel].drain()
        // Another process holds the lane: it handles what it saw; come back while something waits here.
        const busyRetry =
          !drained.ran && (await outbox.pending(channel, { limit: 1 })).length > 0 ? 1000 : null
        const wait = drained.nextDueInMs ?? busyRetry
        if (wait !== null) background.later(name, Math.max(50, wait), async () => start())
      })
      return [channel, start]
    })
  ) as Record<OutboxChannel, () => void>
  // Whatever enqueues (a flush, a wake, a command's reply, a card) wakes the lane it wrote to.
  onEnqueue = (channel) => drainLane[channel]()
  const flush = step('notify', async () => {
    const flushed = await pipeline.flushDue()
    const deadlines = await tracker.due()
    // Run deadlines (minutes away) wait on a weak timer: the notify cron catches them too.
    if (deadlines.nextDueInMs !== null)
      background.later('runs', Math.max(50, deadlines.nextDueInMs), async () => kick(), {
        weak: true,
      })
    if (flushed.nextDueInMs !== null)
      background.later('notify', Math.max(50, flushed.nextDueInMs), async () => kick())
  })
  // Run cards are a step of their own: writing one waits for the bridge key's background share of the window,
  // which must never hold a completion's message or an approval's wake behind it (the agents bench, issue 32).
  const writeCards = step('cards', async () => {
    if (!runs) return
    const { nextDueInMs } = await runs.flushCards()
    if (nextDueInMs !== null)
      background.later('cards', Math.max(50, nextDueInMs), async () => writeCards(), {
        weak: true,
      })
  })
  const kickLanes = () => {
    for (const channel of OUTBOX_CHANNELS) drainLane[channel]()
  }
  /** Flush what is due and drain both lanes (a new process's first kick sends what the last one left). */
  const kick = (): void => {
    flush()
    kickLanes()
    writeCards()
  }

  // The dependents' side of a closed or deleted task: the poll's blocking rule, Plane at an agent's priority.
  const dependentsParts = {
    plane: plane?.withPriority('agent') ?? null,
    tracker,
    directory,
    told: (taskId: string) => self.pipeline.told(taskId),
    blockForCancelled: (dependent: TaskSnapshot, dependency: TaskSnapshot) =>
      blockForCancelledDependency({ ...services, ...self }, dependent, dependency),
  }

  const self: Bridge = {
    plane,
    telegram,
    openclaw,
    directory,
    outbox,
    sender,
    pipeline,
    policy,
    chatId,
    runs,
    tracker,
    cards,
    topics,
    index,
    webhookRejections: createRejectionNotes({ store, now }),
    taskReads,
    labels,
    toolGate: createCallGate({
      maxInFlight: config.AGENT_CALLS_IN_FLIGHT,
      maxWaitMs: config.AGENT_CALL_WAIT_MS,
    }),
    async taskDeleted(taskId) {
      const report = await forgetDeletedTask(
        {
          store,
          log,
          locale: config.LOCALE,
          chatId,
          outbox,
          planeBaseUrl: config.PLANE_BASE_URL,
          workspaceSlug: config.PLANE_WORKSPACE_SLUG,
          pipeline,
          index,
          tracker,
          runs,
          cards,
          directory,
          dependents: dependentsParts,
          now,
        },
        taskId
      )
      if (report) kick()
      return report !== null
    },
    kick,
    planeRequestCount: () => requestCount,
    async settle(timeoutMs) {
      const deadline = now() + timeoutMs
      for (;;) {
        await pipeline.flushDue({ all: true })
        await tracker.due()
        await runs?.flushCards({ all: true })
        const report = await sender.drain()
        const left = (await outbox.pending()).length
        // A card another pass is writing stays marked until it is written.
        const cards = runs ? await store.indexSize(CARDS_DUE_INDEX) : 0
        if ((left === 0 && cards === 0) || now() >= deadline) return { left }
        const wait = Math.max(
          50,
          Math.min(report.nextDueInMs ?? 250, Math.max(0, deadline - now()))
        )
        // On the injected clock (a test's virtual time moves on instead of sleeping); a sleep that moved nothing
        // (one that only records) falls back to real time, or this loop would spin.
        const before = now()
        await sleep(wait)
        if (now() === before) await new Promise((r) => setTimeout(r, wait))
      }
    },
  }
  return self
}

function _mergeDrainReports(a: DrainReport, b: DrainReport): DrainReport {
  const due = [a.nextDueInMs, b.nextDueInMs].filter((x): x is number => x !== null)
  return {
    ran: a.ran || b.ran,
    sent: a.sent + b.sent,
    retried: a.retried + b.retried,
    dead: a.dead + b.dead,
    left: a.left + b.left,
    nextDueInMs: due.length > 0 ? Math.min(...due) : null,
  }
}
