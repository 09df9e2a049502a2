/**
 * @module A comment from Plane, whichever way it came (a webhook, or the poll catching comments up): its
 * author's activity on the run, what it tells (a blocker, a question, a confidence report) into the pipeline, and
 * the agents it mentions woken — each once, whichever way brings it first.
 */
import type { Actor, EventSource, TaskSnapshot } from '../events.ts'
import { parseConfidence } from '../notify/confidence.ts'
import type { AgentRef, Directory } from '../notify/directory.ts'
import { isBlockerComment } from '../notify/policy.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { mentionedUserIds } from '../plane/mentions.ts'
import { snapshotFromWorkItem } from '../plane/normalize.ts'
import { BRIDGE_EXTERNAL_SOURCE } from '../runs/records.ts'
import type { RunTracker } from '../runs/tracker.ts'
import type { Store } from '../store/store.ts'
import type { Pipeline } from './pipeline.ts'

/** One comment as Plane holds it, from a delivery or from the comments list. */
export type PlaneCommentSighting = {
  id: string
  taskId: string
  projectId: string
  /** Plain text (HTML stripped). */
  text: string
  /** The comment's HTML as Plane holds it: where its mentions are. */
  html: string | null
  /** `external_source`: the bridge's own comments say `plane-bridge`. */
  externalSource: string | null
  author: Actor | null
  source: EventSource
}

/** What sighting a comment uses: the pipeline, who is an agent, runs, Plane (a task not seen yet), the store. */
export type PlaneCommentParts = {
  store: Store
  pipeline: Pick<Pipeline, 'sightComment' | 'snapshot'>
  directory: Pick<Directory, 'agentByPlaneUser'>
  tracker: Pick<RunTracker, 'activity' | 'mentioned'>
  plane: PlaneClient | null
}

/** A delivery brought the comment: the poll's catch-up counts only what no delivery brought (webhook health). */
const HEARD_TTL_S = 2 * 24 * 60 * 60
export const heardKey = (commentId: string) => `comment:heard:${commentId}`

/** Whether a delivery brought this comment (within two days). */
export function commentHeard(store: Pick<Store, 'has'>, commentId: string): Promise<boolean> {
  return store.has(heardKey(commentId))
}

export async function sightPlaneComment(
  parts: PlaneCommentParts,
  comment: PlaneCommentSighting
): Promise<string> {
  // The bridge's own comments (tools, run cards) went into the pipeline when they were written.
  if (comment.externalSource === BRIDGE_EXTERNAL_SOURCE)
    return 'comment skipped (the bridge wrote it)'
  const author = comment.author
  // An agent commenting in Plane directly is working on its run all the same.
  const agent = author ? await parts.directory.agentByPlaneUser(author.id) : null
  if (agent)
    await parts.tracker.activity(comment.taskId, agent, {
      projectId: comment.projectId,
      worked: true,
    })
  const mentioned = await _mentionedAgents(parts, comment, agent?.id ?? null)
  const telling = isBlockerComment(comment.text) || parseConfidence(comment.text) !== null
  const task =
    telling || mentioned.length > 0 ? await _taskOf(parts, comment.projectId, comment.taskId) : null
  const kept = await parts.pipeline.sightComment(
    {
      type: 'comment',
      taskId: comment.taskId,
      projectId: comment.projectId,
      commentId: comment.id,
      text: comment.text,
      actor: author,
      source: comment.source,
    },
    telling ? task : null
  )
  // Each agent the comment mentions is woken with it, once per comment (an edit wakes no one twice).
  if (task)
    for (const mentionedAgent of mentioned)
      await parts.tracker.mentioned(task, mentionedAgent, {
        commentId: comment.id,
        text: comment.text,
        author: author?.name ?? '?',
      })
  if (comment.source === 'webhook')
    await parts.store.set(heardKey(comment.id), 1, { ttlSeconds: HEARD_TTL_S })
  return kept ? 'comment kept (blocker)' : 'comment skipped'
}

// --- Internal helpers ---

/** The agents the comment mentions, its author aside. */
async function _mentionedAgents(
  parts: Pick<PlaneCommentParts, 'directory'>,
  comment: PlaneCommentSighting,
  authorAgentId: string | null
): Promise<AgentRef[]> {
  const agents: AgentRef[] = []
  for (const userId of mentionedUserIds(comment.html)) {
    const agent = await parts.directory.agentByPlaneUser(userId)
    if (agent && agent.id !== authorAgentId && !agents.some((a) => a.id === agent.id))
      agents.push(agent)
  }
  return agents
}

/**
 * The task a telling comment (a question, a blocker, a confidence report) or a mention is about: as the
 * bridge last saw it, else read from Plane for the message or the wake.
 */
async function _taskOf(
  parts: Pick<PlaneCommentParts, 'pipeline' | 'plane'>,
  projectId: string,
  taskId: string
): Promise<TaskSnapshot | null> {
  const known = await parts.pipeline.snapshot(taskId)
  if (known || !parts.plane) return known
  try {
    return snapshotFromWorkItem(
      await parts.plane.workItems.get(projectId, taskId, { expand: ['state', 'labels'] })
    )
  } catch (error) {
    // Deleted since: nothing to tell. Anything else fails the delivery, which the inbox replays.
    if (error instanceof PlaneApiError && error.kind === 'not_found') return null
    throw error
  }
}
