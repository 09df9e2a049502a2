/**
 * @module The composition root's pipeline: the index of work items (laid over /plane's cached listings), the live
 * view, the tools' shared reads, and the pipeline every sighting takes, with what a closed or deleted task sets off.
 */

import { agentsOfTask } from '../shared/agents/task-vocabulary.ts'
import type { Services } from '../shared/core/function.ts'
import type { Parts } from '../shared/core/parts.ts'
import { createTaskReads } from '../shared/index/task-reads.ts'
import { createWorkItemIndex, type WorkItemIndex } from '../shared/index/work-items.ts'
import { dropDeletedTask } from '../shared/pipeline/deleted.ts'
import { createPipeline } from '../shared/pipeline/pipeline.ts'
import { createProjectLabels, syncAgentLabels } from '../shared/runs/agent-labels.ts'
import { onTaskClosed } from '../shared/runs/dependents.ts'
import { noteTaskChanged } from '../shared/workspace/workspace-loader.ts'
import { buildLiveView, runInfoOf } from './live-parts.ts'
import type { NotifyParts } from './notify-parts.ts'
import type { RunParts } from './run-parts.ts'

export type PipelineParts = Pick<Parts, 'index' | 'live' | 'taskReads' | 'labels' | 'pipeline'>

export type PipelinePartsOptions = NotifyParts &
  Omit<RunParts, 'budget' | 'snapshots'> &
  Pick<Parts, 'plane' | 'openclaw' | 'directory' | 'locks'> & {
    /** A task's store lock kept a second after its last call (PartsOptions, runtime/parts.ts). */
    lingerLocks: boolean
  }

export function buildPipelineParts(services: Services, parts: PipelinePartsOptions): PipelineParts {
  const { config, store, log, now } = services
  const { plane, openclaw, directory, outbox, chatId, locks, policy, cards } = parts
  const { quota, tracker, runs, projectFinish, dependents, lingerLocks } = parts
  const index = _indexOf(services, directory)
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
    lingerLocks, // node.ts releases held locks at its stop
    onClosed: async (task, group, { fromOpen }) => {
      // A project finishes when its last open task closes (not when a closed one moves between done and cancelled).
      if (fromOpen) await projectFinish?.taskClosed(task)
      await onTaskClosed({ ...dependents, store, log, locale: config.LOCALE, runs }, task, group)
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
  return { index, live, taskReads, labels, pipeline }
}

/**
 * A task Plane no longer has: forgotten by the pipeline and the index, its agents told, its runs closed, its
 * dependents released (shared/pipeline/deleted.ts), then out of /plane's cached listing too. False: unknown, or
 * handled already.
 */
export async function onTaskDeleted(
  { config, store, log, now }: Services,
  parts: Parts,
  dependents: RunParts['dependents'],
  taskId: string
): Promise<boolean> {
  const { pipeline, index, tracker, runs, cards, live, directory, outbox, chatId, kick } = parts
  const known = await pipeline.snapshot(taskId)
  const report = await dropDeletedTask(
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
      dependents,
      now,
    },
    taskId
  )
  if (!report) return false
  // Out of /plane's cached listing too.
  if (known) await noteTaskChanged(store, known, now())
  kick()
  return true
}

// --- Internal helpers ---

/** What the bridge sees of every task, for tools that answer without listing Plane. */
function _indexOf({ store, now }: Services, directory: Parts['directory']): WorkItemIndex {
  const indexed = createWorkItemIndex({
    store,
    holders: async (task) => (await agentsOfTask(directory, task)).map((a) => a.id),
  })
  // Every version the pipeline stores is laid over its project's cached listing (/plane, the digest).
  return {
    ...indexed,
    // Both follow the version just stored, neither depends on the other: one round trip, not two.
    saw: async (task, description, memo) => {
      await Promise.all([indexed.saw(task, description, memo), noteTaskChanged(store, task, now())])
    },
  }
}
