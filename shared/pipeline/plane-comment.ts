/**
 * @module A comment from Plane, whichever way it came (a webhook, or the poll catching comments up, issue 37): its
 * author's activity on the run, and what it tells (a blocker, a question, a confidence report) into the pipeline,
 * once whichever way brings it first.
 */
import type { Actor, EventSource, TaskSnapshot } from '../events.ts'
import type { Directory } from '../notify/directory.ts'
import { isBlockerComment, parseConfidence } from '../notify/policy.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { snapshotFromWorkItem } from '../plane-events.ts'
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
  tracker: Pick<RunTracker, 'activity'>
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
  if (agent) await parts.tracker.activity(comment.taskId, agent, { projectId: comment.projectId })
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
    await _taskOfTellingComment(parts, comment.projectId, comment.taskId, comment.text)
  )
  if (comment.source === 'webhook')
    await parts.store.set(heardKey(comment.id), 1, { ttlSeconds: HEARD_TTL_S })
  return kept ? 'comment kept (blocker)' : 'comment skipped'
}

// --- Internal helpers ---

/**
 * A question or a blocker (❓ ❌) or a confidence report on a task the bridge has not seen yet is told all the
 * same (issue 28): the task is read from Plane for the message. Other comments need nothing.
 */
async function _taskOfTellingComment(
  parts: Pick<PlaneCommentParts, 'pipeline' | 'plane'>,
  projectId: string,
  taskId: string,
  text: string
): Promise<TaskSnapshot | null> {
  if (!isBlockerComment(text) && parseConfidence(text) === null) return null
  if (!parts.plane || (await parts.pipeline.snapshot(taskId))) return null
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
