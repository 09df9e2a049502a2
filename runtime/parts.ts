/** @module The composition root's parts: clients, directory, pipeline, outbox, senders, run tracker, built once per runtime from its services. */

import { createWebhookWorker } from '../functions/webhooks/inbox.ts'
import { createCardStore } from '../shared/actions/cards.ts'
import { createCallGate } from '../shared/agents/call-gate.ts'
import { createAgentCalls } from '../shared/agents/last-calls.ts'
import { agentsOfTask } from '../shared/agents/task-vocabulary.ts'
import { createBudgetTeller } from '../shared/budget/alerts.ts'
import { createBudget } from '../shared/budget/budget.ts'
import type { Services } from '../shared/core/function.ts'
import type { McpDoor, Parts } from '../shared/core/parts.ts'
import type { TaskSnapshot } from '../shared/events.ts'
import { createProjectStates } from '../shared/index/project-states.ts'
import { createTaskReads } from '../shared/index/task-reads.ts'
import { createTaskSnapshots } from '../shared/index/task-snapshots.ts'
import { createWorkItemIndex, type WorkItemIndex } from '../shared/index/work-items.ts'
import { createOutbox, type OutboxChannel } from '../shared/notify/outbox.ts'
import { createPlaneDirectory } from '../shared/notify/plane-directory.ts'
import { createNotifyPolicy } from '../shared/notify/policy.ts'
import { createAgentQuota } from '../shared/notify/quota.ts'
import { createOpenClawClient } from '../shared/openclaw/index.ts'
import { forgetDeletedTask } from '../shared/pipeline/deleted.ts'
import { createFreshener } from '../shared/pipeline/freshen.ts'
import { createPipeline } from '../shared/pipeline/pipeline.ts'
import { createPlaneWebhookDoor } from '../shared/plane/webhook-door.ts'
import { createWebhookNotes } from '../shared/plane/webhook-notes.ts'
import { createRejectionNotes } from '../shared/plane/webhook-rejections.ts'
import { blockForCancelledDependency } from '../shared/poll/dependencies.ts'
import { createProjectFinish } from '../shared/projects/finish.ts'
import { createProjectLabels, syncAgentLabels } from '../shared/runs/agent-labels.ts'
import { onTaskClosed } from '../shared/runs/dependents.ts'
import { createRunStore } from '../shared/runs/records.ts'
import { createRunTracker } from '../shared/runs/tracker.ts'
import { createKeyedLocks, type KeyedLocks } from '../shared/store/keyed-lock.ts'
import { createPooledCounters } from '../shared/store/pooled-counter.ts'
import { createWorkspaceLoader, noteTaskChanged } from '../shared/workspace/workspace-loader.ts'
import { createDelivery } from './delivery.ts'
import { buildLiveView, runInfoOf } from './live-parts.ts'
import { buildPlaneClients } from './plane-clients.ts'
import { createScheduler } from './scheduler.ts'
import { buildTelegramParts } from './telegram-parts.ts'

export type PartsOptions = {
  /**
   * The keyed locks of another runtime on the same store object, in this process (default: a table of its own). On a
   * store whose locks live in the process (memory, files, KV), the table is the whole lock: two roots sharing such a
   * store must share its table, or each would write a task's keys while the other does.
   */
  locks?: KeyedLocks
}

/** Builds the parts; createRoot (runtime/root.ts) calls it once per runtime, on first need. */
export function buildParts(services: Services, { locks: sharedLocks }: PartsOptions = {}): Parts {
  const { config, store, log, metrics, status, background, now, sleep } = services
  const deliveries = metrics.registry.counter(
    'plane_bridge_outbox_deliveries_total',
    'Outbox deliveries by channel and outcome (sent, retry, held: a chat in flood wait or refusing the bot, dead).'
  )
  const depth = metrics.registry.gauge(
    'plane_bridge_outbox_depth',
    'Outbox items by queue (pending, dead), after the last drain.'
  )

  // The bridge's key and each agent's own, counting one set of key windows (runtime/plane-clients.ts).
  const { plane, planeLanes, agentWriters, requestCount } = buildPlaneClients(services)
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
  let onEnqueue: (channel: OutboxChannel, first: boolean) => void = () => undefined
  const outbox = createOutbox(store, now, (channel, first) => onEnqueue(channel, first))
  const { telegram, chatId, topics, holds, migrations, heldChats } = buildTelegramParts(services, {
    directory,
    outbox,
    kick: () => onEnqueue('telegram', false),
  })
  const cards = createCardStore({ store, outbox, now })
  const policy = createNotifyPolicy({
    ...(config.NOTIFY_EVENTS ? { kinds: config.NOTIFY_EVENTS } : {}),
    projects: config.NOTIFY_PROJECTS ?? null,
  })
  const locks = sharedLocks ?? createKeyedLocks({ store })
  // OPENCLAW-11: with BUDGET_MONTHLY_USD, every run record's money goes through the budget's ledger.
  const budget =
    config.BUDGET_MONTHLY_USD === undefined
      ? null
      : createBudget({
          store,
          teamUsd: config.BUDGET_MONTHLY_USD,
          agents: services.agents,
          timeZone: config.TIMEZONE,
          now,
          ...(chatId
            ? {
                tell: createBudgetTeller({
                  cards,
                  chatId,
                  locale: config.LOCALE,
                  nameOf: (id) => services.agents.find((a) => a.id === id)?.name ?? id,
                }),
              }
            : {}),
        })
  const runs = plane
    ? createRunStore({
        store,
        locks,
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
        ...(budget ? { ledger: budget } : {}),
      })
    : null
  // What one agent may send the human on its own: the pipeline and the run tracker share it.
  const quota = createAgentQuota({
    store,
    perWindow: config.AGENT_MESSAGES_PER_WINDOW,
    windowMs: config.AGENT_MESSAGES_WINDOW_S * 1000,
    now,
  })
  // What the pipeline stored of each task, read below it: the tracker does not call back into the pipeline.
  const snapshots = createTaskSnapshots({ store })
  const tracker = createRunTracker({
    quota,
    store,
    outbox,
    runs,
    directory,
    snapshot: snapshots.get,
    // A wake's own read (a lost record's run card), ahead of background work like the directory's.
    cardReads: plane?.withPriority('agent') ?? null,
    locale: config.LOCALE,
    chatId,
    wakeAgents: openclaw !== null,
    checkinMs: config.WAKE_CHECKIN_SECONDS * 1000,
    attempts: config.WAKE_ATTEMPTS,
    staleMs: config.RUN_STALE_MINUTES * 60_000,
    sessionKeyPrefix: config.OPENCLAW_SESSION_KEY_PREFIX,
    planeBaseUrl: config.PLANE_BASE_URL,
    workspaceSlug: config.PLANE_WORKSPACE_SLUG,
    log,
    metrics: metrics.registry,
    now,
    finishDue: (projectId) => projectFinish?.finishDue(projectId) ?? Promise.resolve(),
  })
  // A project's finish: read once its last open task closes.
  const projectFinish =
    plane && runs
      ? createProjectFinish({
          ...{ store, outbox, tracker, chatId, locale: config.LOCALE, log, now },
          read: { plane, runs, store, budget, directory, config },
        })
      : null
  // What the bridge sees of every task, for tools that answer without listing Plane.
  const indexed = createWorkItemIndex({
    store,
    holders: async (task) => (await agentsOfTask(directory, task)).map((a) => a.id),
  })
  // Every version the pipeline stores is laid over its project's cached listing (/plane, the digest).
  const index: WorkItemIndex = {
    ...indexed,
    // Both follow the version just stored, neither depends on the other: one round trip, not two.
    saw: async (task, description, memo) => {
      await Promise.all([indexed.saw(task, description, memo), noteTaskChanged(store, task, now())])
    },
  }
  // Each task under way in one silent message edited in place as its agent reports (TELEGRAM_LIVE).
  const live = buildLiveView(services, { locks, outbox, directory, chatId })
  const taskReads = createTaskReads({ now })
  const labels = createProjectLabels({ now })
  const pipeline = createPipeline({
    taskReads,
    quota,
    store,
    locks,
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
    lingerLocks: store.driver === 'redis', // Node's driver: node.ts releases held locks at its stop
    onClosed: async (task, group, { fromOpen }) => {
      // A project finishes when its last open task closes (not when a closed one moves between done and cancelled).
      if (fromOpen) await projectFinish?.taskClosed(task)
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
    runInfo: runInfoOf(store, now),
    live,
  })

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
  const scheduler = createScheduler({
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
    metrics: { deliveries, depth },
    now,
    sleep,
  })
  const { kick, writeCards, sender } = scheduler
  // Whatever enqueues (a flush, a wake, a command's reply, a card) wakes the lane it wrote to.
  onEnqueue = (channel, first) => scheduler.drainLane(channel, first)

  // The dependents' side of a closed or deleted task: the poll's blocking rule, Plane at an agent's priority.
  const dependentsParts = {
    plane: plane?.withPriority('agent') ?? null,
    tracker,
    directory,
    told: (taskId: string) => self.pipeline.told(taskId),
    blockForCancelled: (dependent: TaskSnapshot, dependency: TaskSnapshot) =>
      blockForCancelledDependency({ ...services, ...self }, dependent, dependency),
  }

  // What a person's /plane command reads: at the human's priority, its loads its own.
  const workspace = plane
    ? createWorkspaceLoader({
        plane: plane.withPriority('human'),
        store,
        directory,
        agents: services.agents,
        log,
        now,
        latest: snapshots.getMany,
        budget,
      })
    : null

  // The MCP SDK (~10 MB) loads on the first /mcp request, a dynamic import (bundled all the same on Workers).
  let mcpDoor: Promise<McpDoor> | undefined
  const self: Parts = {
    plane,
    planeLanes,
    agentWriters,
    workspace,
    snapshots,
    telegram,
    openclaw,
    directory,
    outbox,
    sender,
    pipeline,
    locks,
    policy,
    chatId,
    runs,
    tracker,
    cards,
    budget,
    topics,
    holds,
    migrations,
    heldChats,
    live,
    index,
    freshener: createFreshener(),
    webhookRejections: createRejectionNotes({ store, now }),
    webhookNotes: createWebhookNotes({ store, now }),
    webhookQueue: createWebhookWorker(background, store.driver),
    rateCounters: createPooledCounters({ store, now }),
    // A secret of spaces is no secret: the route refuses every delivery then (functions/webhooks/plane.ts).
    planeWebhook: config.PLANE_WEBHOOK_SECRET?.trim()
      ? createPlaneWebhookDoor({
          secret: config.PLANE_WEBHOOK_SECRET,
          hashing: services.hashing,
          now,
        })
      : null,
    taskReads,
    labels,
    projectStates: createProjectStates({ now }),
    mcpDoor() {
      mcpDoor ??= import('../functions/tools/mcp-door.ts')
        .then((door) => door.createMcpDoor(services, self))
        .catch((error: unknown) => {
          // A failed load or build is tried again at the next request.
          mcpDoor = undefined
          throw error
        })
      return mcpDoor
    },
    toolGate: createCallGate({
      maxInFlight: config.AGENT_CALLS_IN_FLIGHT,
      maxWaitMs: config.AGENT_CALL_WAIT_MS,
    }),
    agentCalls: createAgentCalls({ store, now }),
    async taskDeleted(taskId) {
      const known = await pipeline.snapshot(taskId)
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
          live,
          directory,
          dependents: dependentsParts,
          now,
        },
        taskId
      )
      if (!report) return false
      // Out of /plane's cached listing too.
      if (known) await noteTaskChanged(store, known, now())
      kick()
      return true
    },
    kick,
    planeRequestCount: requestCount,
    settle: scheduler.settle,
  }
  return self
}
