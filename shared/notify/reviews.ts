/** @module Reviews waiting for the human (OPENCLAW-12): low-confidence reports, kept until a better one or a week. */
import type { Store } from '../store/store.ts'

export type ReviewRecord = {
  taskId: string
  projectId: string
  sequenceId: number | null
  taskName: string
  /** The reporting agent's id when it is a known agent, else its display name. */
  agentId: string
  confidence: number
  at: number
}

/** A review nobody acted on for a week is stale; the digest and /plane status stop listing it. */
const REVIEW_TTL_S = 7 * 24 * 60 * 60
const PREFIX = 'review:'

export async function recordReview(store: Store, review: ReviewRecord): Promise<void> {
  await store.set(`${PREFIX}${review.taskId}`, review, { ttlSeconds: REVIEW_TTL_S })
}

/** A later report at or above the threshold settles the task's review. */
export async function settleReview(store: Store, taskId: string): Promise<void> {
  await store.delete(`${PREFIX}${taskId}`)
}

export async function listReviews(store: Store): Promise<ReviewRecord[]> {
  const keys = await store.keys(PREFIX)
  const reviews = await Promise.all(keys.map((k) => store.get<ReviewRecord>(k)))
  return reviews
    .filter((r): r is ReviewRecord => r !== null)
    .sort((a, b) => a.confidence - b.confidence)
}
