/** @module What a verified, stored Plane delivery means: task sightings and comments into the pipeline, projects and cycles straight to messages. */

import { type PartsOf, partNames, type Services } from '../../shared/core/function.ts'
import { buildProjectUrl, renderCycle, renderProjectCreated } from '../../shared/notify/messages.ts'
import { telegramMessage } from '../../shared/notify/outbox.ts'
import { filterByPolicy, type NotificationKind } from '../../shared/notify/policy.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { sightPlaneComment } from '../../shared/pipeline/plane-comment.ts'
import {
  actorFrom,
  commentText,
  hintFromActivity,
  snapshotFromWebhookIssue,
} from '../../shared/plane/normalize.ts'
import type {
  PlaneWebhookCycle,
  PlaneWebhookEvent,
  PlaneWebhookProject,
} from '../../shared/plane/webhook-types.ts'
import { ensureProjectProvisioned } from '../../shared/provision/project.ts'

/** What processing a delivery uses: the settings, the clock, the store, the log, the registry of agents… */
export type EventServices = Pick<
  Services,
  'config' | 'now' | 'store' | 'log' | 'agents' | 'metrics'
>
/** …and the parts: the pipeline, who is who, runs, Plane (new projects, unseen tasks), the outbox and the policy. */
export const EVENT_PARTS = partNames(
  'pipeline',
  'directory',
  'tracker',
  'plane',
  'outbox',
  'chatId',
  'policy',
  'taskDeleted'
)
export type EventParts = PartsOf<typeof EVENT_PARTS>

/** A cycle is announced once per transition; the claim outlives any cycle. */
const CYCLE_ANNOUNCE_TTL_S = 400 * 24 * 60 * 60

export async function processPlaneEvent(
  event: PlaneWebhookEvent,
  receivedAt: number,
  services: EventServices,
  parts: EventParts
): Promise<string> {
  const actor = actorFrom(event.activity?.actor)
  switch (event.type) {
    case 'issue.created':
    case 'issue.updated': {
      const task = snapshotFromWebhookIssue(event.data, receivedAt)
      if (!task) return 'ignored: issue without project'
      const result = await parts.pipeline.sightTask(task, {
        source: 'webhook',
        created: event.action === 'created',
        hint: hintFromActivity(event.activity),
        actor,
        description: event.data.description_html ?? null,
      })
      return `issue ${result}`
    }
    case 'issue_comment.created':
    case 'issue_comment.updated': {
      const comment = event.data
      if (!comment.issue || !comment.project) return 'ignored: comment without issue'
      return sightPlaneComment(
        { ...parts, store: services.store },
        {
          id: comment.id,
          taskId: comment.issue,
          projectId: comment.project,
          text: commentText(comment),
          html: comment.comment_html,
          externalSource: comment.external_source,
          author: actor ?? (comment.actor_detail ? actorFrom(comment.actor_detail) : null),
          source: 'webhook',
        }
      )
    }
    case 'project.created':
      return _projectCreated(event.data, services, parts)
    case 'cycle.created':
    case 'cycle.updated':
      return _cycleChanged(event.data, services, parts)
    case 'issue.deleted':
      // Plane sends none today (makeplane/plane#8054; PR #8055 unmerged): the poll and a 404 find deletions too.
      return (await parts.taskDeleted(event.data.id))
        ? 'issue deleted: forgotten'
        : 'issue deleted: unknown'
    default:
      // Other deletes carry only an id (comments, cycles, modules: nothing to undo); modules are not notified.
      return `ignored: ${event.type}`
  }
}

// --- Internal helpers ---

/** A project made in Plane: set up for the agents, then announced to the human with how its set-up went. */
async function _projectCreated(
  data: PlaneWebhookProject,
  services: EventServices,
  parts: EventParts
): Promise<string> {
  const project = {
    id: data.id,
    name: data.name,
    identifier: data.identifier,
  }
  // Set up for the agents before anyone assigns a task in it (makeplane/plane#9517).
  const setup = await _setUp(services, parts, project.id)
  const { PLANE_BASE_URL, PLANE_WORKSPACE_SLUG, LOCALE } = services.config
  return (await _announce(
    parts,
    'project.created',
    project.id,
    project.identifier,
    `project:${project.id}`,
    () =>
      renderProjectCreated(project, LOCALE, {
        url: buildProjectUrl(PLANE_BASE_URL, PLANE_WORKSPACE_SLUG, project.id),
        setup,
      })
  ))
    ? 'project announced'
    : 'project not announced'
}

/** A cycle written in Plane: its start or its end announced once, when it has come. */
async function _cycleChanged(
  cycle: PlaneWebhookCycle,
  services: EventServices,
  parts: EventParts
): Promise<string> {
  if (!cycle.project) return 'ignored: cycle without project'
  const transition = _cycleTransition(cycle.start_date, cycle.end_date, services.now())
  if (!transition) return 'cycle not running'
  if (
    !(await services.store.claim(`cycle:announced:${cycle.id}:${transition}`, CYCLE_ANNOUNCE_TTL_S))
  ) {
    return `cycle ${transition} already announced`
  }
  const project = await parts.directory.project(cycle.project)
  const announced = await _announce(
    parts,
    `cycle.${transition}`,
    cycle.project,
    project?.identifier ?? null,
    `cycle:${cycle.id}:${transition}`,
    () =>
      renderCycle(
        transition,
        { name: cycle.name, startDate: cycle.start_date, endDate: cycle.end_date },
        project,
        services.config.LOCALE
      )
  )
  return announced ? `cycle ${transition} announced` : `cycle ${transition} not announced`
}

/** The project's set-up for the agents, as the announcement words it; null when there was none to do. */
async function _setUp(
  services: EventServices,
  parts: EventParts,
  projectId: string
): Promise<{ ready: boolean; detail: string; needsBridge?: string | null } | null> {
  try {
    const report = await ensureProjectProvisioned({ ...services, ...parts }, projectId, {
      first: () => parts.directory.refresh(),
    })
    if (!report) return null
    if (report.blocking.length === 0) return { ready: true, detail: report.summary }
    const outside = report.blocking.some((i) => i.subject.startsWith('project '))
    // Only the name the message asks the human to add: without it, "plane-bridge" says enough.
    const me = outside ? await parts.plane?.users.me().catch(() => null) : null
    return {
      ready: false,
      detail: report.blocking.map((i) => i.detail).join(' ; '),
      needsBridge: outside ? (me?.display_name ?? me?.email ?? 'plane-bridge') : null,
    }
  } catch (error) {
    const message = errorMessage(error)
    services.log.warn('new project not set up', { project: projectId, error: message })
    return { ready: false, detail: `${message}. The poll tries again; or run provision.` }
  }
}

async function _announce(
  parts: EventParts,
  kind: NotificationKind,
  projectId: string,
  identifier: string | null,
  dedupeKey: string,
  render: () => string
): Promise<boolean> {
  const { chatId, policy } = parts
  if (!chatId) return false
  if (filterByPolicy(policy, [{ kind }], projectId, identifier).length === 0) return false
  const { enqueued } = await parts.outbox.enqueue(
    telegramMessage(chatId, render(), `notify:${dedupeKey}`, projectId)
  )
  return enqueued
}

/** Plane sends no event when a cycle's dates arrive: a cycle write (or the poll) tells where it stands now. */
function _cycleTransition(
  start: string | null,
  end: string | null,
  nowMs: number
): 'started' | 'completed' | null {
  const startMs = start ? Date.parse(start) : Number.NaN
  const endMs = end ? Date.parse(end) : Number.NaN
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) return null
  // A date-only end_date means the whole day.
  const endOfCycle = end && end.length <= 10 ? endMs + 24 * 60 * 60 * 1000 : endMs
  if (nowMs >= endOfCycle) return 'completed'
  if (nowMs >= startMs) return 'started'
  return null
}
