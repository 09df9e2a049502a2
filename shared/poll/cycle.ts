/**
 * @module One poll cycle (OPENCLAW-09): one listing per project shared by every agent (project-listings.ts), each
 * changed task through the same pipeline as webhooks (so an API-made change, which fires no webhook in v1.2, still
 * reaches the human once), then one isolated tick per agent, the comments of the tasks that matter that no delivery
 * brought (comments.ts), the deleted ones (deletions.ts), then the cycles that started or ended.
 */

import { type PartsOf, partNames, type Services } from '../core/function.ts'
import type { AgentRef } from '../notify/directory.ts'
import type { ProjectRef } from '../notify/messages.ts'
import { errorMessage } from '../observe/errors.ts'
import { bridgeUserId } from '../plane/bridge-user.ts'
import { textLimitsOf } from '../plane/limits.ts'
import { DEFAULT_OVERLAP_MS } from '../plane/listing.ts'
import { AgentTickError, runAgentTick } from './agent-tick.ts'
import { type CommentCatchUpReport, catchUpComments } from './comments.ts'
import { announceCycleTransitions } from './cycle-announcements.ts'
import { findDeletedTasks } from './deletions.ts'
import { readProjectListings, type Sighting } from './project-listings.ts'
import { checkWebhookHealth, WEBHOOK_GRACE_MS } from './webhook-health.ts'

export type PollCycleReport = {
  projects: number
  /** Work items the listings returned (what was read, changed or not). */
  read: number
  /** Of those, the ones that differ from what the bridge knew (their changes go through the pipeline). */
  changed: number
  pending: number
  wakes: number
  failedProjects: string[]
  failedAgents: string[]
  /** Plane requests of the cycle with the bridge's key (listings, directory refreshes). */
  planeRequests: number
  truncated: string[]
  /** Cycle starts and ends told to the human this cycle (cycle-announcements.ts). */
  cyclesAnnounced: number
  /** Tasks whose comments were read to catch up what no delivery brought (comments.ts), and comments put through. */
  commentsRead: number
  commentsSeen: number
  /** Tasks that matter found deleted in Plane this cycle, and forgotten (deletions.ts). */
  deleted: string[]
}

/** The parts a cycle uses, by name: the poll job declares them (its run is handed these, built first). */
export const POLL_CYCLE_PARTS = partNames(
  'plane',
  'planeWindows',
  'planeRequestCount',
  'openclaw',
  'chatId',
  'directory',
  'pipeline',
  'index',
  'outbox',
  'tracker',
  'cards',
  'policy',
  'webhookNotes',
  'taskDeleted',
  'kick'
)

/** What a cycle and its steps use (a project's set-up, the ticks, webhook health, cycles): services and parts. */
export type PollCycleParts = Pick<
  Services,
  'store' | 'log' | 'metrics' | 'status' | 'now' | 'config' | 'agents' | 'agentTokens'
> &
  PartsOf<typeof POLL_CYCLE_PARTS>

/** @example const report = await runPollCycle(ctx) // a poll run's context: its services and POLL_CYCLE_PARTS */
export async function runPollCycle(parts: PollCycleParts): Promise<PollCycleReport> {
  const { store, log, metrics, now, plane } = parts
  if (!plane) throw new Error('Plane is not configured')
  const requestsAtStart = parts.planeRequestCount()
  const report: PollCycleReport = {
    projects: 0,
    read: 0,
    changed: 0,
    pending: 0,
    wakes: 0,
    failedProjects: [],
    failedAgents: [],
    planeRequests: 0,
    truncated: [],
    cyclesAnnounced: 0,
    commentsRead: 0,
    commentsSeen: 0,
    deleted: [],
  }
  const agents = await parts.directory.agents()
  // Plane hides the work items of archived projects (issue_objects, plane-api.md §3.1): nothing to list.
  // A Plane that refuses the key or does not answer is a failed cycle, never "ok, 0 projects".
  const projects = (await parts.directory.projectsOrThrow()).filter((p) => !p.archived)
  const agentSince = await Promise.all(
    agents.map((a) => store.get<number>(`poll:agent-checkpoint:${a.id}`))
  )
  const cycleStart = now()

  const { sightings, previousCheckpoints, allIds } = await readProjectListings(
    parts,
    plane,
    { projects, agents, agentSince, cycleStart },
    report
  )
  report.read = sightings.length
  report.pending = sightings.filter((s) => s.result === 'pending').length
  report.changed = report.pending
  await _tickAgents(parts, { agents, agentSince, sightings, projects, cycleStart }, report)

  // Comments no delivery brought (a delivery lost, the webhook switched off): read for the tasks that matter.
  const comments = await catchUpComments(
    { ...parts, commentMaxChars: textLimitsOf(parts.config).commentMaxChars },
    { agents, listed: sightings.map((s) => s.task), previousCheckpoints, cycleStart },
    { graceMs: WEBHOOK_GRACE_MS }
  ).catch((error: unknown) => {
    log.error('comments not caught up', { error: errorMessage(error) })
    return null
  })
  report.commentsRead = comments?.read ?? 0
  report.commentsSeen = comments?.seen ?? 0

  // Deleted tasks: Plane sends no webhook for them (makeplane/plane#8054).
  const deletions = await findDeletedTasks(parts, { agents, allIds }).catch((error: unknown) => {
    log.error('deleted tasks not looked for', { error: errorMessage(error) })
    return null
  })
  report.deleted = deletions?.deleted ?? []

  await _checkMissedDeliveries(parts, { agents, sightings, comments, cycleStart })
  // Plane sends nothing when a cycle's date arrives: the poll tells the human (a failure only logs).
  report.cyclesAnnounced = (await announceCycleTransitions(parts, projects)).announced

  report.planeRequests = parts.planeRequestCount() - requestsAtStart
  metrics.pollCycleRequests.set({}, report.planeRequests)
  parts.kick()
  return report
}

// --- Internal helpers ---

/**
 * One isolated tick per agent over what the listings read since its checkpoint; a tick moves its checkpoint only when
 * every project was read. A failed tick is counted, and the other agents' go on.
 */
async function _tickAgents(
  parts: PollCycleParts,
  input: {
    agents: readonly AgentRef[]
    agentSince: readonly (number | null)[]
    sightings: readonly Sighting[]
    projects: readonly ProjectRef[]
    cycleStart: number
  },
  report: Pick<PollCycleReport, 'wakes' | 'failedProjects' | 'failedAgents'>
): Promise<void> {
  const { store, log, metrics, status } = parts
  const { agents, agentSince, sightings, cycleStart } = input
  const projectMap = new Map<string, ProjectRef>(input.projects.map((p) => [p.id, p]))
  // First sightings by this read: a started one is a deploy's backlog (adopted), whatever tick sees it first.
  const firstSeen = new Set(sightings.filter((s) => s.result === 'baseline').map((s) => s.task.id))
  for (const [i, agent] of agents.entries()) {
    const since = agentSince[i] ?? null
    const window = sightings.filter(
      (s) => since === null || Date.parse(s.task.updatedAt) >= since - DEFAULT_OVERLAP_MS
    )
    try {
      const tick = await runAgentTick(parts, {
        agent,
        tasks: window.map((s) => s.task),
        projects: projectMap,
        firstSeen,
      })
      report.wakes += tick.wakes
      // Only a tick that saw every project moves its checkpoint: a failed listing is read again next cycle.
      if (report.failedProjects.length === 0)
        await store.set(`poll:agent-checkpoint:${agent.id}`, cycleStart)
      metrics.pollAgentTicks.inc({ agent: agent.id, outcome: 'ok' })
      metrics.pollAgentRequests.set({ agent: agent.id }, tick.planeRequests)
      status.contact(`agent:${agent.id}`, true)
    } catch (error) {
      report.failedAgents.push(agent.id)
      metrics.pollAgentTicks.inc({ agent: agent.id, outcome: 'error' })
      status.contact(`agent:${agent.id}`, false, errorMessage(error))
      // A permanent failure is alerted once (agent-tick.ts); transient ones are only logged.
      const log_ = error instanceof AgentTickError ? log.warn : log.error
      log_('agent tick failed', { agent: agent.id, error: errorMessage(error) })
    }
  }
}

/**
 * What the poll found first that a delivery should have brought: people's edits (not the bridge's, not an agent's)
 * and comments older than the webhook's grace, told to webhook health.
 */
async function _checkMissedDeliveries(
  parts: PollCycleParts,
  input: {
    agents: readonly AgentRef[]
    sightings: readonly Sighting[]
    comments: CommentCatchUpReport | null
    cycleStart: number
  }
): Promise<void> {
  const { agents, sightings, comments, cycleStart } = input
  const bridgeUser = await _bridgeUserId(parts)
  const agentUsers = new Set(agents.map((a) => a.planeUserId))
  const missedEdits = sightings.filter(
    (s) =>
      s.result === 'pending' &&
      s.updatedBy !== null &&
      s.updatedBy !== bridgeUser &&
      !agentUsers.has(s.updatedBy) &&
      cycleStart - Date.parse(s.task.updatedAt) > WEBHOOK_GRACE_MS
  )
  const oldest = [
    ...missedEdits.map((s) => Date.parse(s.task.updatedAt)),
    ...(comments?.missedOldestAt != null ? [comments.missedOldestAt] : []),
  ]
  await checkWebhookHealth(parts, {
    edits: missedEdits.length,
    comments: comments?.missed ?? 0,
    oldestAt: oldest.length > 0 ? Math.min(...oldest) : null,
  })
}

/** The user behind the bridge's own key: its writes fire no webhook (v1.2), so they are not "missed". */
async function _bridgeUserId({
  store,
  plane,
  log,
  config,
}: Pick<PollCycleParts, 'store' | 'plane' | 'log' | 'config'>): Promise<string | null> {
  if (!plane) return null
  try {
    return await bridgeUserId(store, plane, config.PLANE_API_KEY)
  } catch (error) {
    // Unknown this cycle: the bridge's own writes may count as missed edits until it is read.
    log.warn('bridge user not read', { error: errorMessage(error) })
    return null
  }
}
