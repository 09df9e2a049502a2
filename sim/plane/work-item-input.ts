/** @module `IssueSerializer` input validation for v1 POST/PATCH (plane-api.md §3.1 "Write semantics"). */

import {
  checkBoolean,
  checkChar,
  checkChoice,
  checkDate,
  checkDateTime,
  checkFloat,
  checkInteger,
  checkPk,
  checkPkList,
  type FieldErrors,
  REQUIRED,
} from './field-checks.ts'
import { normalizeDescriptionHtml } from './html.ts'
import { nonFieldError, PlaneHttpError } from './http-errors.ts'
import { findProjectMember, liveIssue, liveState } from './queries.ts'
import type { RequestData } from './request-body.ts'
import type { PlaneStore } from './store.ts'
import type { Priority, Uuid } from './types.ts'

export const PRIORITIES: readonly Priority[] = ['urgent', 'high', 'medium', 'low', 'none']

/** Validated, normalized changes; only keys present in the request appear. */
export type WorkItemChanges = {
  name?: string
  description_html?: string
  description_binary?: string | null
  priority?: Priority
  state?: Uuid | null
  parent?: Uuid | null
  estimate_point?: Uuid | null
  type?: Uuid | null
  start_date?: string | null
  target_date?: string | null
  assignees?: Uuid[]
  labels?: Uuid[]
  external_id?: string | null
  external_source?: string | null
  is_draft?: boolean
  point?: number | null
  sort_order?: number
  archived_at?: string | null
  created_at?: string
  created_by?: Uuid
}

type Checked = { value?: unknown; error?: unknown }

/**
 * Field errors are collected together (one 400 listing every bad field); `validate()` then runs its
 * checks in source order and stops at the first. Unknown keys — `state_id`, `description`, `cycle` —
 * are ignored, which is how a client that sends web-UI keys silently changes nothing.
 */
export function validateWorkItemInput(
  store: PlaneStore,
  projectId: Uuid,
  data: RequestData,
  { partial }: { partial: boolean }
): WorkItemChanges {
  const errors: FieldErrors = {}
  const out: Record<string, unknown> = {}
  const field = (key: string, check: (value: unknown) => Checked) => {
    if (!(key in data)) return
    const checked = check(data[key])
    if (checked.error !== undefined) {
      errors[key] =
        Array.isArray(checked.error) || typeof checked.error === 'object'
          ? checked.error
          : [checked.error]
    } else out[key] = checked.value
  }
  if (!partial && !('name' in data)) errors.name = [REQUIRED]
  field('name', (v) => checkChar(v))
  field('description_html', (v) =>
    v === null
      ? { error: 'This field may not be null.' }
      : typeof v === 'string'
        ? { value: v }
        : { error: 'Not a valid string.' }
  )
  field('description_binary', (v) =>
    v === null || typeof v === 'string' ? { value: v } : { error: 'Not a valid string.' }
  )
  field('priority', (v) => checkChoice(v, PRIORITIES))
  field('state', (v) => checkPk(v, (id) => liveState(store, id) !== undefined))
  field('parent', (v) => checkPk(v, (id) => liveIssue(store, id) !== undefined))
  // No estimates or issue types exist in the simulated CE workspace: any id is unknown.
  field('estimate_point', (v) => checkPk(v, () => false))
  field('type_id', (v) => checkPk(v, () => false))
  field('start_date', checkDate)
  field('target_date', checkDate)
  field('assignees', (v) => checkPkList(v, (id) => store.users.has(id)))
  field('labels', (v) => checkPkList(v, (id) => store.labels.get(id)?.deleted_at === null))
  field('external_id', (v) => checkChar(v, { allowBlank: true, allowNull: true }))
  field('external_source', (v) => checkChar(v, { allowBlank: true, allowNull: true }))
  field('is_draft', checkBoolean)
  field('point', (v) => checkInteger(v, 0, 12))
  field('sort_order', checkFloat)
  field('archived_at', checkDate)
  field('created_at', checkDateTime)
  field('created_by', (v) => checkPk(v, (id) => store.users.has(id)))
  if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)

  if ('type_id' in out) {
    out.type = out.type_id
    delete out.type_id
  }
  const changes = out as WorkItemChanges
  runObjectValidation(store, projectId, changes)
  return changes
}

/** `IssueSerializer.validate()`, in source order. */
function runObjectValidation(store: PlaneStore, projectId: Uuid, changes: WorkItemChanges) {
  const { start_date: start, target_date: target } = changes
  if (start && target && start > target) throw nonFieldError('Start date cannot exceed target date')
  if (changes.description_html !== undefined) {
    changes.description_html = normalizeDescriptionHtml(changes.description_html)
  }
  // Silently dropped, not rejected: only active project members with role >= 15 stay (§3.1).
  if (changes.assignees?.length) {
    changes.assignees = unique(changes.assignees).filter(
      (id) => findProjectMember(store, projectId, id, 15) !== undefined
    )
  }
  if (changes.labels?.length) {
    changes.labels = unique(changes.labels).filter(
      (id) => store.labels.get(id)?.project === projectId
    )
  }
  if (changes.state && store.states.get(changes.state)?.project !== projectId) {
    throw nonFieldError('State is not valid please pass a valid state_id')
  }
  if (changes.parent && store.issues.get(changes.parent)?.project !== projectId) {
    throw nonFieldError('Parent is not valid issue_id please pass a valid issue_id')
  }
}

function unique(ids: Uuid[]): Uuid[] {
  return [...new Set(ids)]
}
