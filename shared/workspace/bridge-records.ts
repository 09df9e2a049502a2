/**
 * @module What a workspace view shows of the bridge's own records, read from the store and never from Plane:
 * the reviews, the approvals waiting, the runs under way and their timers, the agents' progress, today's check-ins.
 */

import { listPendingApprovals } from '../actions/cards.ts'
import { progressUnderWay } from '../live/progress.ts'
import { listReviews } from '../notify/reviews.ts'
import { readOpenRuns } from '../runs/records.ts'
import { checkinsKey } from '../runs/tracker.ts'
import type { Store } from '../store/store.ts'
import type {
  ApprovalView,
  ProgressView,
  ReviewView,
  RunView,
  TimerView,
} from './workspace-view.ts'

export type BridgeRecords = {
  reviews: ReviewView[]
  approvals: ApprovalView[]
  runs: RunView[]
  timers: TimerView[]
  progress: ProgressView[]
  checkinSeconds: number[]
}

export type BridgeRecordsOptions = {
  /** Each shown project's identifier, by project id: a review names its task by reference. */
  identifiers: ReadonlyMap<string, string | null>
  /** Each listed task's name, by task id: a timer names its task. */
  taskNames: ReadonlyMap<string, string>
  now: () => number
}

/** The store's records the replies show beside Plane's listings, read one after the other. */
export async function readBridgeRecords(
  store: Store,
  { identifiers, taskNames, now }: BridgeRecordsOptions
): Promise<BridgeRecords> {
  // OPENCLAW-12: low-confidence reports recorded by the notification pipeline.
  const reviews = (await listReviews(store)).map((r) => {
    const identifier = identifiers.get(r.projectId)
    return {
      taskRef: identifier && r.sequenceId !== null ? `${identifier}-${r.sequenceId}` : null,
      taskName: r.taskName,
      agentId: r.agentId,
      confidence: r.confidence,
    }
  })
  // Tasks held for the human's approval (the approval cards not acted on yet).
  const approvals = (await listPendingApprovals(store)).map((card) => ({
    taskId: card.taskId,
    taskRef: card.ref,
    agentId: card.agentId,
    since: card.createdAt,
  }))
  // Agent runs under way and their timers (bridge metadata, from the store's index).
  const { underWay, seen } = await readOpenRuns(store)
  const runs: RunView[] = [
    ...underWay.flatMap((r) =>
      r.agentId &&
      r.state !== 'seen' &&
      r.state !== 'done' &&
      r.state !== 'cancelled' &&
      r.state !== 'failed'
        ? [
            {
              taskId: r.taskId,
              agentId: r.agentId,
              state: r.state,
              since: Date.parse(r.stateSince ?? r.lastActivityAt ?? '') || 0,
            },
          ]
        : []
    ),
    ...seen.map((r) => ({ ...r, state: 'seen' as const })),
  ].sort((a, b) => a.since - b.since)
  const timers: TimerView[] = underWay.flatMap((r) =>
    r.agentId && r.timerStartedAt
      ? [
          {
            agentId: r.agentId,
            taskRef: r.ref,
            taskName: taskNames.get(r.taskId) ?? r.ref ?? r.taskId,
            startedAt: Date.parse(r.timerStartedAt),
          },
        ]
      : []
  )
  // What the agents last reported of their tasks under way (the live view's records).
  const progress = (await progressUnderWay(store, now())).map((p) => ({
    taskId: p.taskId,
    percent: p.percent,
    step: p.step,
  }))
  const today = new Date().toISOString().slice(0, 10)
  const checkinSeconds = (await store.sortedRange(checkinsKey(today), { limit: 10_000 })).map(
    (e) => e.score
  )
  return { reviews, approvals, runs, timers, progress, checkinSeconds }
}
