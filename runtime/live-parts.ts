/**
 * @module The composition root's live view (out of runtime/parts.ts, at its 400 lines): each task under way followed
 * in one Telegram message (TELEGRAM_LIVE), and what the bridge's run record says of a task, which the live view and
 * the completion messages read.
 */
import type { Services } from '../shared/core/function.ts'
import { createLiveView, type LiveView } from '../shared/live/live-view.ts'
import type { RunFigures } from '../shared/live/render.ts'
import type { Directory } from '../shared/notify/directory.ts'
import type { Outbox } from '../shared/notify/outbox.ts'
import type { RunInfo } from '../shared/pipeline/plan-flush.ts'
import { readRunRecord, timeSpentNow } from '../shared/runs/records.ts'
import type { KeyedLocks } from '../shared/store/keyed-lock.ts'
import type { Store } from '../shared/store/store.ts'

export function buildLiveView(
  { config, store, now }: Pick<Services, 'config' | 'store' | 'now'>,
  parts: {
    locks: KeyedLocks
    outbox: Outbox
    directory: Pick<Directory, 'project' | 'agentByPlaneUser' | 'agentById'>
    chatId: string | null
  }
): LiveView {
  return createLiveView({
    ...parts,
    store,
    mode: config.TELEGRAM_LIVE,
    locale: config.LOCALE,
    planeBaseUrl: config.PLANE_BASE_URL,
    workspaceSlug: config.PLANE_WORKSPACE_SLUG,
    figures: runInfoOf(store, now),
    now,
  })
}

/**
 * What the run record says of a task: time spent (a running timer counted to now), confidence, summary, deliverables
 * for its completion message; time and cost for its live message.
 */
export function runInfoOf(
  store: Store,
  now: () => number
): (taskId: string) => Promise<(RunInfo & RunFigures) | null> {
  return async (taskId) => {
    const record = await readRunRecord(store, taskId)
    return record
      ? {
          timeSpentSeconds: timeSpentNow(record, now()),
          confidence: record.confidence,
          summary: record.summary,
          deliverables: record.deliverables.map((d) => ({ name: d.name, url: d.url })),
          waitsFor: record.waitsFor ?? null,
          cost: record.cost,
        }
      : null
  }
}
