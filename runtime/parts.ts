/**
 * @module The composition root's parts, built once per runtime from its services, in groups by what they serve: the
 * clients and the directory, the notify side (runtime/notify-parts.ts), the runs (runtime/run-parts.ts), the
 * pipeline (runtime/pipeline-parts.ts), the sending, /plane's workspace, and what the routes keep.
 */

import { createWebhookWorker } from '../functions/webhooks/inbox.ts'
import { createCallGate } from '../shared/agents/call-gate.ts'
import { createAgentCalls } from '../shared/agents/last-calls.ts'
import type { Services } from '../shared/core/function.ts'
import type { McpDoor, Parts } from '../shared/core/parts.ts'
import { createProjectStates } from '../shared/index/project-states.ts'
import type { OutboxChannel } from '../shared/notify/outbox.ts'
import { createPlaneDirectory } from '../shared/notify/plane-directory.ts'
import { createOpenClawClient } from '../shared/openclaw/index.ts'
import { createFreshener } from '../shared/pipeline/freshen.ts'
import { createPlaneWebhookGuard } from '../shared/plane/webhook-guard.ts'
import { createWebhookNotes } from '../shared/plane/webhook-notes.ts'
import { createRejectionNotes } from '../shared/plane/webhook-rejections.ts'
import { createKeyedLocks, type KeyedLocks } from '../shared/store/keyed-lock.ts'
import { createPooledCounters } from '../shared/store/pooled-counter.ts'
import { createWorkspaceLoader } from '../shared/workspace/workspace-loader.ts'
import { buildNotifyParts, buildSending, declareOutboxMetrics } from './notify-parts.ts'
import { buildPipelineParts, onTaskDeleted } from './pipeline-parts.ts'
import { buildPlaneClients } from './plane-clients.ts'
import { buildRunParts } from './run-parts.ts'

export type PartsOptions = {
  /**
   * The keyed locks of another runtime on the same store object, in this process (default: a table of its own). On a
   * store whose locks live in the process (memory, files, KV), the table is the whole lock: two roots sharing such a
   * store must share its table, or each would write a task's keys while the other does.
   */
  locks?: KeyedLocks
  /**
   * Whether a task's store lock stays held for a second after its last call, for the next delivery about it (default:
   * on Redis, the Node runtime's driver). A job's does not: a poll sees each task once, and the server's tool calls on
   * a task the poll job had just seen waited up to that second for it (the agents bench: an update_task_status 1.02 s).
   */
  lingerLocks?: boolean
}

/** Builds the parts; createRoot (runtime/root.ts) calls it once per runtime, on first need. */
export function buildParts(
  services: Services,
  { locks: sharedLocks, lingerLocks = services.store.driver === 'redis' }: PartsOptions = {}
): Parts {
  const outboxMetrics = declareOutboxMetrics(services.metrics.registry)
  const clients = _clientParts(services)
  // Whatever enqueues (a flush, a wake, a command's reply, a card) wakes the lane it wrote to: the scheduler's lane,
  // set once it is built (the parts that enqueue come first).
  let onEnqueue: (channel: OutboxChannel, first: boolean) => void = () => undefined
  const notify = buildNotifyParts(services, {
    directory: clients.directory,
    drainLane: (channel, first) => onEnqueue(channel, first),
  })
  const locks = sharedLocks ?? createKeyedLocks({ store: services.store })
  const { quota, projectFinish, dependents, ...runParts } = buildRunParts(services, {
    ...clients,
    ...notify,
    locks,
    writeRunCards: () => scheduler.writeRunCards(),
    parts: () => self,
  })
  const pipelineParts = buildPipelineParts(services, {
    ...clients,
    ...notify,
    ...runParts,
    locks,
    lingerLocks,
    quota,
    projectFinish,
    dependents,
  })
  const scheduler = buildSending(services, {
    ...clients,
    ...notify,
    ...runParts,
    ...pipelineParts,
    quota,
    metrics: outboxMetrics,
  })
  onEnqueue = (channel, first) => scheduler.drainLane(channel, first)

  // The MCP SDK (~10 MB) loads on the first /mcp request, a dynamic import (bundled all the same on Workers).
  let mcpDoor: Promise<McpDoor> | undefined
  const self: Parts = {
    ...clients,
    ...notify,
    ...runParts,
    ...pipelineParts,
    locks,
    workspace: _workspaceOf(services, { ...clients, ...runParts }),
    ..._routeParts(services),
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
    taskDeleted: (taskId) => onTaskDeleted(services, self, dependents, taskId),
    kick: scheduler.kick,
    sender: scheduler.sender,
    settle: scheduler.settle,
  }
  return self
}

// --- Internal helpers ---

/** The clients (Plane's keys, OpenClaw's hooks) and the directory, read through Plane. */
function _clientParts(
  services: Services
): Pick<
  Parts,
  'plane' | 'planeWindows' | 'agentWriters' | 'planeRequestCount' | 'openclaw' | 'directory'
> {
  const { config, log, now } = services
  // The bridge's key and each agent's own, counting one set of key windows (runtime/plane-clients.ts).
  const { plane, planeWindows, agentWriters, requestCount } = buildPlaneClients(services)
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
  return { plane, planeWindows, agentWriters, planeRequestCount: requestCount, openclaw, directory }
}

/** What a person's /plane command reads: at the human's priority, its loads its own; a renewal nobody waits on at an agent's. */
function _workspaceOf(
  services: Services,
  {
    plane,
    directory,
    snapshots,
    budget,
  }: Pick<Parts, 'plane' | 'directory' | 'snapshots' | 'budget'>
): Parts['workspace'] {
  const { store, log, now } = services
  return plane
    ? createWorkspaceLoader({
        plane: plane.withPriority('human'),
        renewals: plane.withPriority('agent'),
        store,
        directory,
        agents: services.agents,
        log,
        now,
        latest: snapshots.getMany,
        budget,
      })
    : null
}

/** What the webhook routes and the tools' doors keep for the runtime: notes, counters, queues, gates. */
function _routeParts(
  services: Services
): Pick<
  Parts,
  | 'freshener'
  | 'webhookRejections'
  | 'webhookNotes'
  | 'webhookQueue'
  | 'rateCounters'
  | 'planeWebhookGuard'
  | 'projectStates'
  | 'toolGate'
  | 'agentCalls'
> {
  const { config, store, background, now } = services
  return {
    freshener: createFreshener(),
    webhookRejections: createRejectionNotes({ store, now }),
    webhookNotes: createWebhookNotes({ store, now }),
    webhookQueue: createWebhookWorker(background, store.driver),
    rateCounters: createPooledCounters({ store, now }),
    // A secret of spaces is no secret: the route refuses every delivery then (functions/webhooks/plane.ts).
    planeWebhookGuard: config.PLANE_WEBHOOK_SECRET?.trim()
      ? createPlaneWebhookGuard({
          secret: config.PLANE_WEBHOOK_SECRET,
          hashing: services.hashing,
          now,
        })
      : null,
    projectStates: createProjectStates({ now }),
    toolGate: createCallGate({
      maxInFlight: config.AGENT_CALLS_IN_FLIGHT,
      maxWaitMs: config.AGENT_CALL_WAIT_MS,
    }),
    agentCalls: createAgentCalls({ store, now }),
  }
}
