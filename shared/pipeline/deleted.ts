/**
 * @module A task deleted in Plane. Plane sends no webhook for it (makeplane/plane#8054, open; the fix,
 * PR #8055, unmerged), so the bridge learns it from an `issue.deleted` delivery if one ever comes, from the poll (a
 * task that matters missing from its project's listing, then 404), or from a 404 when a tool reads it. Whichever
 * comes first: the task leaves the index and the pipeline, its agents are told to stop and their runs closed
 * (`cancelled`, reason `deleted`), its deadlines and run card are dropped, its cards closed, the tasks that waited
 * for it released, and the human told when an agent was working on it. Each step can be done again: a crash in the
 * middle leaves the deletion to be finished by the next call.
 */
import type { CardStore } from '../actions/cards.ts'
import { agentsOfTask } from '../agents/task-vocabulary.ts'
import type { WorkItemIndex } from '../index/work-items.ts'
import type { LiveView } from '../live/live-view.ts'
import type { AgentRef } from '../notify/directory.ts'
import type { Locale } from '../notify/i18n.ts'
import { renderTaskName } from '../notify/messages.ts'
import { type Outbox, telegramMessage } from '../notify/outbox.ts'
import { settleReview } from '../notify/reviews.ts'
import type { Logger } from '../observe/log.ts'
import { type DependentsParts, onTaskDeleted } from '../runs/dependents.ts'
import { runPhrasesFor } from '../runs/phrases.ts'
import { OPEN_RUN_STATES, type RunStore } from '../runs/records.ts'
import type { RunTracker } from '../runs/tracker.ts'
import { DUE_SET, keyOf, staleMember, unstartedMember } from '../runs/tracker-kit.ts'
import type { Store } from '../store/store.ts'
import { escapeHtml } from '../telegram/html.ts'
import type { Pipeline } from './pipeline.ts'

/** What dropping a deleted task uses. */
export type DeletedTaskParts = {
  store: Store
  log: Logger
  locale: Locale
  chatId: string | null
  outbox: Outbox
  planeBaseUrl?: string | undefined
  workspaceSlug?: string | undefined
  pipeline: Pick<Pipeline, 'dropDeleted' | 'settleDeleted'>
  index: Pick<WorkItemIndex, 'unindex'>
  tracker: Pick<RunTracker, 'unassigned'>
  runs: Pick<RunStore, 'peek' | 'update' | 'dropCard'> | null
  cards: Pick<CardStore, 'closeTask'>
  directory: DependentsParts['directory'] & {
    agentById(id: string): Promise<AgentRef | null>
    project(id: string): Promise<{ id: string; name: string; identifier: string | null } | null>
  }
  /** The task's live message ends (shown cancelled): nothing will move it again. */
  live?: Pick<LiveView, 'end'>
  /** The dependents' side (dependents.ts), minus what is given above. */
  dependents: Omit<DependentsParts, 'runs' | 'store' | 'log' | 'locale'>
  now: () => number
}

export type DeletedTaskReport = {
  /** Agents told to stop. */
  stopped: string[]
  /** Agents whose run was under way (the human was told). */
  working: string[]
  unblocked: string[]
}

/**
 * Forget a task Plane no longer has. Null: the bridge never knew the task, or its deletion was handled already.
 * @example await dropDeletedTask(parts, taskId) // from the poll, a webhook, a tool's 404
 */
export async function dropDeletedTask(
  parts: DeletedTaskParts,
  taskId: string
): Promise<DeletedTaskReport | null> {
  const task = await parts.pipeline.dropDeleted(taskId)
  if (!task) return null
  const { store, directory, runs, log } = parts
  const project = await directory.project(task.projectId)
  const ref =
    project?.identifier && task.sequenceId !== null
      ? `${project.identifier}-${task.sequenceId}`
      : null
  const record = runs ? await runs.peek(taskId) : null
  const runAgent =
    record?.agentId && OPEN_RUN_STATES.has(record.state)
      ? await directory.agentById(record.agentId)
      : null
  const holders = await agentsOfTask(directory, task)
  const agents = [
    ...holders,
    ...(runAgent && !holders.some((a) => a.id === runAgent.id) ? [runAgent] : []),
  ]
  const report: DeletedTaskReport = { stopped: [], working: [], unblocked: [] }
  for (const agent of agents) {
    // A run under way (or a wake not answered yet) gets its stop wake; its run ends cancelled, reason deleted.
    if (await parts.tracker.unassigned(task, agent, 'deleted')) report.stopped.push(agent.id)
  }
  // A run nobody held (a task the Concierge created for no agent): closed all the same, nothing of it stays open.
  if (runs && record && record.agentId === null && OPEN_RUN_STATES.has(record.state)) {
    const at = new Date(parts.now()).toISOString()
    await runs.update(
      keyOf(record),
      (r) =>
        r.agentId !== null || !OPEN_RUN_STATES.has(r.state)
          ? r
          : { ...r, state: 'cancelled', finishedAt: at, timerStartedAt: null },
      { agentName: null, card: false }
    )
  }
  // Working on it: started since its wake; a pending run's agent has not answered, a seen one has not started.
  const working =
    runAgent && record?.state !== 'pending' && record?.state !== 'seen' ? runAgent : null
  if (working) report.working.push(working.id)
  await store.sortedRemove(DUE_SET, staleMember(taskId))
  await store.sortedRemove(DUE_SET, unstartedMember(taskId))
  await runs?.dropCard(taskId)
  await parts.index.unindex(
    taskId,
    agents.map((a) => a.id)
  )
  await parts.cards.closeTask(taskId)
  await parts.live?.end(taskId, 'cancelled')
  await settleReview(store, taskId)
  report.unblocked = (
    await onTaskDeleted({ ...parts.dependents, store, log, locale: parts.locale, runs }, task, ref)
  ).unblocked
  if (working && parts.chatId) {
    const say = runPhrasesFor(parts.locale)
    const name = renderTaskName(task, {
      locale: parts.locale,
      project: project ?? null,
      taskUrl: null,
    })
    await parts.outbox.enqueue(
      telegramMessage(
        parts.chatId,
        say.deletedHuman(name, `<b>${escapeHtml(working.name)}</b>`),
        `deleted:${taskId}`,
        task.projectId
      )
    )
  }
  await parts.pipeline.settleDeleted(taskId)
  log.info('task deleted in Plane: forgotten', { task: taskId, ...report })
  return report
}
