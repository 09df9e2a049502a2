/** @module `order_by` on the work-item list (plane-api.md §4, `IssueListCreateAPIEndpoint.get`). */

import { parseMicros } from './clock.ts'
import { serverError } from './http-errors.ts'
import type { IssueRecord, PlaneStore } from './store.ts'

const PRIORITY_ORDER = ['urgent', 'high', 'medium', 'low', 'none']
const STATE_GROUP_ORDER = ['backlog', 'unstarted', 'started', 'completed', 'cancelled']
const DATETIME_FIELDS = new Set(['created_at', 'updated_at', 'deleted_at', 'completed_at'])

type SortKey = string | number | null

/**
 * Order issues as Postgres would for `order_by`: ascending puts NULLs last, descending puts them
 * first. Ties are unspecified in Postgres; we break them by id so runs are reproducible but not
 * in creation order, so a client cannot rely on an accidental secondary order. An unknown field is a
 * Django `FieldError`, a 500.
 */
export function orderIssues(
  store: PlaneStore,
  issues: IssueRecord[],
  orderBy = '-created_at'
): IssueRecord[] {
  const descending = orderBy.startsWith('-')
  const field = descending ? orderBy.slice(1) : orderBy
  const keyOf = sortKeyFor(store, field, orderBy)
  // Priority and state orders are already direction-adjusted lists sorted ascending.
  const special = field === 'priority' || field === 'state__name' || field === 'state__group'
  const direction = descending && !special ? -1 : 1
  const keyed = issues.map((issue) => ({ issue, key: keyOf(issue) }))
  keyed.sort((a, b) => compareKeys(a.key, b.key, direction) || a.issue.id.localeCompare(b.issue.id))
  return keyed.map((row) => row.issue)
}

function sortKeyFor(
  store: PlaneStore,
  field: string,
  orderBy: string
): (issue: IssueRecord) => SortKey {
  const descending = orderBy.startsWith('-')
  if (field === 'priority') {
    const order = descending ? [...PRIORITY_ORDER].reverse() : PRIORITY_ORDER
    return (issue) => order.indexOf(issue.priority)
  }
  if (field === 'state__name' || field === 'state__group') {
    // Plane orders both by state *group*, whatever the name says.
    const order = descending ? [...STATE_GROUP_ORDER].reverse() : STATE_GROUP_ORDER
    return (issue) => {
      const group = issue.state ? store.states.get(issue.state)?.group : undefined
      const index = group ? order.indexOf(group) : -1
      return index === -1 ? order.length : index
    }
  }
  if (field === 'labels__name') {
    return (issue) => maxOf(issue.labels.map((id) => store.labels.get(id)?.name ?? null))
  }
  if (field === 'assignees__first_name') {
    return (issue) => maxOf(issue.assignees.map((id) => store.users.get(id)?.first_name ?? null))
  }
  if (field.startsWith('state__')) {
    const stateField = field.slice('state__'.length)
    return (issue) => {
      const state = issue.state ? store.states.get(issue.state) : undefined
      const value = state ? (state as Record<string, unknown>)[stateField] : null
      if (state && !(stateField in state)) throw serverError()
      return toSortKey(value)
    }
  }
  if (field === '' || !(field in EMPTY_ISSUE_FIELDS)) throw serverError()
  if (DATETIME_FIELDS.has(field)) {
    return (issue) => {
      const value = issue[field as keyof IssueRecord]
      return typeof value === 'string' ? parseMicros(value) : null
    }
  }
  return (issue) => toSortKey(issue[field as keyof IssueRecord])
}

function toSortKey(value: unknown): SortKey {
  if (value === null || value === undefined) return null
  if (typeof value === 'number' || typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  return String(value)
}

function maxOf(values: Array<string | null>): string | null {
  const present = values.filter((value): value is string => value !== null).sort()
  return present.at(-1) ?? null
}

function compareKeys(a: SortKey, b: SortKey, direction: 1 | -1): number {
  if (a === b) return 0
  // Postgres: NULLS LAST ascending, NULLS FIRST descending, i.e. NULL sorts as the largest value.
  if (a === null) return direction
  if (b === null) return -direction
  return (a < b ? -1 : 1) * direction
}

// Model columns `order_by` accepts (the IssueRecord keys); M2M names are handled above.
const EMPTY_ISSUE_FIELDS: Record<string, true> = Object.fromEntries(
  [
    'id',
    'created_at',
    'updated_at',
    'deleted_at',
    'point',
    'name',
    'description_html',
    'description_stripped',
    'priority',
    'start_date',
    'target_date',
    'sequence_id',
    'sort_order',
    'completed_at',
    'archived_at',
    'is_draft',
    'external_source',
    'external_id',
    'created_by',
    'updated_by',
    'project',
    'workspace',
    'parent',
    'state',
    'estimate_point',
    'type',
  ].map((field) => [field, true])
)
