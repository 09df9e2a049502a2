/**
 * @module The poll catches comments up: Plane resends no delivery it took as answered, sends nothing while
 * its webhook is switched off, and its lists have no filter, so a comment no delivery brought is found here. Which
 * tasks have new comments costs nothing: every comment created, edited or deleted moves its task's `updated_at`
 * (`issue_activity` in bgtasks/issue_activities_task.py saves it first thing, v1.2.2 and v1.3.1 alike), so the cycle's
 * own listing by `-updated_at` shows them. Of those, the tasks that matter — an agent's open task, a task with a card
 * the human has not acted on — have their comments read, one request each, at most COMMENT_READS_PER_CYCLE a cycle
 * (the rest wait in `poll:comments:due` for the next one), and each comment goes through the same path as a
 * delivery's: told once, whichever brings it first.
 */

import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import type { TaskSnapshot } from '../events.ts'
import type { AgentRef } from '../notify/directory.ts'
import { errorMessage } from '../observe/errors.ts'
import { commentHeard, sightPlaneComment } from '../pipeline/plane-comment.ts'
import type { PlaneClient } from '../plane/client.ts'
import { isPlaneId } from '../plane/limits.ts'
import { DEFAULT_OVERLAP_MS } from '../plane/listing.ts'
import { actorFrom } from '../plane/normalize.ts'
import type { PlaneComment } from '../plane/work-item-schemas.ts'
import { BRIDGE_EXTERNAL_SOURCE } from '../runs/records.ts'
import { capText } from '../text/cap.ts'
import { htmlToText } from '../text/html-text.ts'
import { tasksThatMatter } from './matter.ts'

/** What catching comments up uses; `commentMaxChars`: COMMENT_MAX_CHARS, as deliveries are cut. */
export type CommentCatchUpParts = Pick<Services, 'store' | 'log' | 'now'> &
  Pick<Parts, 'plane' | 'index' | 'cards' | 'pipeline' | 'directory' | 'tracker'> & {
    commentMaxChars: number
  }

export type CommentCatchUpInput = {
  agents: readonly AgentRef[]
  /** What the cycle's listings returned, as snapshots (their `updatedAt` moved by any comment since). */
  listed: readonly TaskSnapshot[]
  /** Each project's checkpoint before this cycle (ms; null on its first cycle): where a task's comments start. */
  previousCheckpoints: ReadonlyMap<string, number | null>
  /** When the cycle started (ms). */
  cycleStart: number
}

export type CommentCatchUpReport = {
  /** Tasks whose comments were read (one request each). */
  read: number
  /** Comments that no delivery had brought, from people (not the bridge, not an agent), older than the grace. */
  missed: number
  /** When the oldest of those was written or edited (epoch ms), or null. */
  missedOldestAt: number | null
  /** Comments put through the pipeline this cycle (told or not). */
  seen: number
  /** Tasks still waiting for a read (the cap), read next cycle. */
  left: number
}

/** Comment reads per cycle: one request each, the background's share of the key's window spent on them. */
export const COMMENT_READS_PER_CYCLE = 30
/** A task's comments are read up to this many pages of 100 (newest first). */
const COMMENT_PAGE_CAP = 2
const DUE_SET = 'poll:comments:due'
const checkpointKey = (taskId: string) => `poll:comments:${taskId}`
const CHECKPOINT_TTL_S = 180 * 24 * 60 * 60
/**
 * When the server first started on this store: a project's first cycle reads the comments written since,
 * so a question an agent wrote before that cycle (the webhook not reaching the bridge yet) is told like any other.
 */
export const WATCHING_SINCE_KEY = 'poll:watching-since'

/** At the server's start: kept from the first start on (a claim: later starts leave it as it is). */
export async function noteWatchingSince(store: Pick<Services['store'], 'claim'>, nowMs: number) {
  await store.claim(WATCHING_SINCE_KEY, CHECKPOINT_TTL_S, nowMs)
}

export async function catchUpComments(
  parts: CommentCatchUpParts,
  input: CommentCatchUpInput,
  { graceMs }: { graceMs: number }
): Promise<CommentCatchUpReport> {
  const { store, log, plane } = parts
  const report: CommentCatchUpReport = {
    read: 0,
    missed: 0,
    missedOldestAt: null,
    seen: 0,
    left: 0,
  }
  if (!plane) return report
  await _queueMoved(parts, input)
  const due = await store.sortedRange(DUE_SET, { limit: COMMENT_READS_PER_CYCLE })
  for (const { member, score } of due) {
    const [projectId, taskId] = member.split('|')
    if (!projectId || !taskId) {
      await store.sortedRemove(DUE_SET, member)
      continue
    }
    try {
      await _readComments(
        parts,
        plane,
        { projectId, taskId, member, score },
        { cycleStart: input.cycleStart, graceMs },
        report
      )
    } catch (error) {
      // Read again next cycle; the others go on.
      log.warn('comments not caught up', {
        task: taskId,
        error: errorMessage(error),
      })
    }
  }
  report.left = await store.sortedSize(DUE_SET)
  return report
}

// --- Internal helpers ---

/** Queue for a read the tasks that matter whose comments moved since their checkpoint (a first one is set here). */
async function _queueMoved(parts: CommentCatchUpParts, input: CommentCatchUpInput): Promise<void> {
  const { store } = parts
  const matter = await tasksThatMatter(parts, input.agents)
  const watched = await store.get<number>(WATCHING_SINCE_KEY)
  const watchingSince = typeof watched === 'number' ? watched : null
  for (const task of input.listed) {
    if (!matter.has(task.id)) continue
    const updatedMs = Date.parse(task.updatedAt)
    const checkpoint = await store.get<number>(checkpointKey(task.id))
    if (checkpoint === null) {
      // Comments from the previous poll on. A project's first cycle reads those written since the server first
      // watched this store (a question asked in the first minutes of a deployment whose webhook did not
      // reach it yet was lost); what came before is not news, and with no start noted (a CLI poll alone) none is.
      // Plane's clock otherwise (its listing's times, its comments'); the start's time is the bridge's, which the
      // overlap of the read (_readComments) covers.
      const previous = input.previousCheckpoints.get(task.projectId) ?? null
      const from = previous ?? watchingSince
      await store.set(checkpointKey(task.id), from ?? updatedMs, {
        ttlSeconds: CHECKPOINT_TTL_S,
      })
      if (from === null) continue
      // Not moved since the start: nothing was written on it to read.
      if (previous === null && updatedMs <= from) continue
    } else if (updatedMs <= checkpoint) continue
    await store.sortedAdd(DUE_SET, `${task.projectId}|${task.id}`, updatedMs)
  }
}

/** A task queued for a read of its comments: its index member (`project|task`) and when it moved (ms). */
type QueuedRead = { projectId: string; taskId: string; member: string; score: number }

/** Read one queued task's comments, put each new one through, then move its checkpoint and take it off the queue. */
async function _readComments(
  parts: CommentCatchUpParts,
  plane: PlaneClient,
  { projectId, taskId, member, score }: QueuedRead,
  { cycleStart, graceMs }: { cycleStart: number; graceMs: number },
  report: CommentCatchUpReport
): Promise<void> {
  const { store } = parts
  const comments = await plane.comments.list(projectId, taskId, {
    perPage: 100,
    pageCap: COMMENT_PAGE_CAP,
  })
  report.read++
  const since = ((await store.get<number>(checkpointKey(taskId))) ?? 0) - DEFAULT_OVERLAP_MS
  // The listing's `updated_at` that queued the read, too: Plane moves it a moment after the comment's own time
  // (issue_activity runs on Celery after the request), and every comment up to it is in this later read. A
  // checkpoint at the newest comment alone would queue the same task again at every cycle.
  let newest = Math.max(since + DEFAULT_OVERLAP_MS, score)
  for (const comment of [...comments].reverse()) {
    const at = _changedAt(comment)
    if (at === null || at <= since) continue
    newest = Math.max(newest, at)
    const seen = await _sight(parts, comment, projectId, taskId)
    if (!seen) continue
    report.seen++
    if (seen.person && cycleStart - at > graceMs && !(await commentHeard(store, comment.id))) {
      report.missed++
      report.missedOldestAt = Math.min(report.missedOldestAt ?? at, at)
    }
  }
  await store.set(checkpointKey(taskId), newest, { ttlSeconds: CHECKPOINT_TTL_S })
  await store.sortedRemove(DUE_SET, member)
}

/** The comment through the same path as a delivery's; null for the bridge's own. `person`: not an agent's. */
async function _sight(
  parts: CommentCatchUpParts,
  comment: PlaneComment,
  projectId: string,
  taskId: string
): Promise<{ person: boolean } | null> {
  // An id is a store key: what is not Plane's never becomes one.
  if (comment.external_source === BRIDGE_EXTERNAL_SOURCE || !isPlaneId(comment.id)) return null
  const givenId =
    typeof comment.actor === 'string'
      ? comment.actor
      : (comment.actor?.id ?? comment.created_by ?? null)
  const authorId = isPlaneId(givenId) ? givenId : null
  const author =
    typeof comment.actor === 'object' && comment.actor
      ? actorFrom(comment.actor)
      : authorId
        ? { id: authorId, name: await parts.directory.userName(authorId) }
        : null
  await sightPlaneComment(parts, {
    id: comment.id,
    taskId,
    projectId,
    // Cut as a delivery's comment is (webhook-data.ts): shown and excerpted, never decided on past that.
    text: capText(
      comment.comment_stripped ?? htmlToText(comment.comment_html ?? ''),
      parts.commentMaxChars
    ),
    html: comment.comment_html ?? null,
    externalSource: comment.external_source ?? null,
    author,
    source: 'poll',
  })
  const agent = authorId ? await parts.directory.agentByPlaneUser(authorId) : null
  return { person: agent === null }
}

/** When the comment was written or last edited (ms). */
function _changedAt(comment: PlaneComment): number | null {
  const times = [comment.created_at, comment.updated_at, comment.edited_at]
    .map((t) => (t ? Date.parse(t) : Number.NaN))
    .filter((t) => !Number.isNaN(t))
  return times.length > 0 ? Math.max(...times) : null
}
