/** @module Plane and run-record objects turned into the tools' snake_case output. */
import type { z } from 'zod'
import { timeSpentNow } from '../../shared/runs/records.ts'
import type { Deliverable, RunRecord } from '../../shared/runs/types.ts'
import type { LoadedTask } from '../../shared/tasks/tasks.ts'
import type { deliverableOut, runOut } from './schemas.ts'

export function presentRun(record: RunRecord, now: number): z.input<typeof runOut> {
  return {
    run_state: record.state,
    time_spent_seconds: timeSpentNow(record, now),
    timer_running_since: record.timerStartedAt,
    confidence_score: record.confidence,
    cost_estimate: record.costEstimate,
    cost: record.cost,
    session_id: record.sessionId,
  }
}

export function presentDeliverable(d: Deliverable): z.input<typeof deliverableOut> {
  return {
    attachment_id: d.attachmentId,
    name: d.name,
    mime_type: d.mimeType,
    size_bytes: d.sizeBytes,
    url: d.url,
    description: d.description,
    at: d.at,
  }
}

export function presentProject(task: LoadedTask) {
  return {
    id: task.project.id,
    identifier: task.project.identifier,
    name: task.project.name,
  }
}
