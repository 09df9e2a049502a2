/** @module Webhook `data` per event, read when the job runs (plane-api.md §7.3, `get_model_data`). */

import { projectModelData } from '../project-ops.ts'
import { pyFloat } from '../py-json.ts'
import { stateLite, userLite } from '../serialize.ts'
import type { PlaneStore } from '../store.ts'
import type { UserLite, Uuid } from '../types.ts'
import type { WebhookEventName } from './model-activity.ts'

/**
 * `SERIALIZER_MAPPER[event](Model.objects.get(pk))`. Returns undefined when the row is gone
 * (soft-deleted before the job ran): Plane swallows that `ObjectDoesNotExist` and sends nothing.
 */
export function buildEventData(
  store: PlaneStore,
  event: WebhookEventName,
  id: Uuid
): Record<string, unknown> | undefined {
  switch (event) {
    case 'issue':
      return issueData(store, id)
    case 'project': {
      const project = store.projects.get(id)
      return project && project.deleted_at === null ? projectModelData(project) : undefined
    }
    case 'issue_comment': {
      const comment = store.comments.get(id)
      if (!comment || comment.deleted_at !== null) return undefined
      const { comment_json: _json, comment_stripped: _stripped, ...data } = comment
      return data
    }
    case 'cycle': {
      const cycle = store.cycles.get(id)
      return cycle && cycle.deleted_at === null
        ? { ...cycle, sort_order: pyFloat(cycle.sort_order) }
        : undefined
    }
    case 'module': {
      const module = store.modules.get(id)
      if (!module || module.deleted_at !== null) return undefined
      return { ...module, sort_order: pyFloat(module.sort_order) }
    }
  }
}

/**
 * `IssueExpandSerializer(fields="__all__")` with labels and assignees expanded: `state` nested,
 * `description` a copy of `description_json`, `sort_order` a float, and no `cycle`/`module` keys
 * (their reverse-FK sources are skipped, §7.3). Key order follows DRF: declared fields first.
 */
function issueData(store: PlaneStore, id: Uuid): Record<string, unknown> | undefined {
  const issue = store.issues.get(id)
  if (!issue || issue.deleted_at !== null) return undefined
  return {
    id: issue.id,
    labels: issue.labels.flatMap((labelId) => {
      const label = store.labels.get(labelId)
      return label ? [{ id: label.id, name: label.name, color: label.color }] : []
    }),
    assignees: issue.assignees.flatMap((userId) => {
      const user = store.users.get(userId)
      return user ? [userLite(user)] : []
    }),
    state: stateLite(store, issue.state),
    description: issue.description_json,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    deleted_at: issue.deleted_at,
    point: issue.point,
    name: issue.name,
    description_json: issue.description_json,
    description_html: issue.description_html,
    description_stripped: issue.description_stripped,
    description_binary: issue.description_binary,
    priority: issue.priority,
    start_date: issue.start_date,
    target_date: issue.target_date,
    sequence_id: issue.sequence_id,
    sort_order: pyFloat(issue.sort_order),
    completed_at: issue.completed_at,
    archived_at: issue.archived_at,
    is_draft: issue.is_draft,
    external_source: issue.external_source,
    external_id: issue.external_id,
    created_by: issue.created_by,
    updated_by: issue.updated_by,
    project: issue.project,
    workspace: issue.workspace,
    parent: issue.parent,
    estimate_point: issue.estimate_point,
    type: issue.type,
  }
}

export function actorData(store: PlaneStore, id: Uuid): UserLite | null {
  const user = store.users.get(id)
  return user ? userLite(user) : null
}

// Keys whose previous serialized value is a Python float, so `old_value` prints as `65535.0`.
const FLOAT_KEYS = new Set(['sort_order', 'sequence'])

export function activityValue(field: string | null, value: unknown): unknown {
  return field && FLOAT_KEYS.has(field) && typeof value === 'number' ? pyFloat(value) : value
}
