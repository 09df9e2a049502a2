/** @module Reviews waiting for the human (OPENCLAW-12): low-confidence reports, kept until a better one or a week. */
import { createStoreQueue } from '../store/queue.ts'
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

/** Reviews by the time they were asked: listed from the index, never from a listing of keys. */
const reviews = (store: Store) =>
  createStoreQueue<ReviewRecord>({
    store,
    sortedSet: 'index:reviews',
    itemPrefix: 'review:',
    ttlSeconds: REVIEW_TTL_S,
  })

export async function recordReview(store: Store, review: ReviewRecord): Promise<void> {
  await reviews(store).update(review.taskId, review, review.at)
}

/** A later report at or above the threshold settles the task's review. */
export async function settleReview(store: Store, taskId: string): Promise<void> {
  await reviews(store).remove(taskId)
}

export async function listReviews(store: Store): Promise<ReviewRecord[]> {
  return (await reviews(store).range())
    .map((e) => e.value)
    .sort((a, b) => a.confidence - b.confidence)
}
