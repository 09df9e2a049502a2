/** @module v1 response serializers: `IssueSerializer` with `fields=`/`expand=`, and the lite shapes (§3). */

import { doesNotExist } from './http-errors.ts'
import type { IssueRecord, PlaneStore, UserRecord } from './store.ts'
import type { Label, UserLite, Uuid, WorkItem } from './types.ts'

export type ShapeOptions = { fields?: string[]; expand?: string[] }

/** `?fields=a,b` / `?expand=a,b`: empty entries dropped, absent → undefined. */
export function readListParam(raw: string | undefined): string[] | undefined {
  const items = (raw ?? '').split(',').filter(Boolean)
  return items.length ? items : undefined
}

export function userLite(user: UserRecord): UserLite {
  return {
    id: user.id,
    first_name: user.first_name,
    last_name: user.last_name,
    email: user.email,
    avatar: user.avatar,
    avatar_url: user.avatar_url,
    display_name: user.display_name,
  }
}

export function userLiteById(store: PlaneStore, id: Uuid | null): UserLite | null {
  const user = id ? store.users.get(id) : undefined
  return user ? userLite(user) : null
}

export function stateLite(store: PlaneStore, id: Uuid | null) {
  const state = id ? store.states.get(id) : undefined
  return state ? { id: state.id, name: state.name, color: state.color, group: state.group } : null
}

export function projectLite(store: PlaneStore, id: Uuid) {
  const project = store.projects.get(id)
  if (!project) return null
  return {
    id: project.id,
    identifier: project.identifier,
    name: project.name,
    cover_image: project.cover_image,
    icon_prop: project.icon_prop,
    emoji: project.emoji,
    description: project.description,
    cover_image_url: project.cover_image,
  }
}

/** The `IssueSerializer` keys, in response order (§3.1). */
export function workItemView(issue: IssueRecord): WorkItem {
  return {
    id: issue.id,
    type_id: issue.type,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    deleted_at: issue.deleted_at,
    point: issue.point,
    name: issue.name,
    description_html: issue.description_html,
    description_binary: issue.description_binary,
    priority: issue.priority,
    start_date: issue.start_date,
    target_date: issue.target_date,
    sequence_id: issue.sequence_id,
    sort_order: issue.sort_order,
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
    state: issue.state,
    estimate_point: issue.estimate_point,
    type: issue.type,
    assignees: [...issue.assignees],
    labels: [...issue.labels],
  }
}

/**
 * `BaseSerializer` + `IssueSerializer.to_representation`: `fields` keeps only the named keys (unknown
 * names ignored); `expand` replaces ids by objects for the keys still present. Expanding a key with
 * no expansion serializer yields its raw `<key>_id` attribute, i.e. null for most.
 */
export function serializeWorkItem(
  store: PlaneStore,
  issue: IssueRecord,
  { fields, expand = [] }: ShapeOptions = {}
): Record<string, unknown> {
  const full = workItemView(issue) as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(full)) {
    if (!fields || fields.includes(key)) out[key] = value
  }
  for (const key of expand) {
    if (!(key in out)) continue
    out[key] = expandWorkItemKey(store, issue, key)
  }
  return out
}

function expandWorkItemKey(store: PlaneStore, issue: IssueRecord, key: string): unknown {
  switch (key) {
    case 'assignees':
      return issue.assignees.flatMap((id) => userLiteById(store, id) ?? [])
    case 'labels':
      return issue.labels.flatMap((id) => store.labels.get(id) ?? [])
    case 'state':
      return stateLite(store, issue.state)
    case 'project':
      return projectLite(store, issue.project)
    case 'created_by':
    case 'updated_by':
      return userLiteById(store, issue[key])
    case 'workspace':
      return { name: store.workspace.name, slug: store.workspace.slug, id: store.workspace.id }
    case 'parent': {
      const parent = issue.parent ? store.issues.get(issue.parent) : undefined
      return parent
        ? { id: parent.id, sequence_id: parent.sequence_id, project_id: parent.project }
        : null
    }
    case 'estimate_point':
      return null
    case 'type':
      return issue.type
    default:
      return null
  }
}

export function findLabel(store: PlaneStore, projectId: Uuid, id: Uuid): Label {
  const label = store.labels.get(id)
  if (!label || label.project !== projectId || label.deleted_at !== null) throw doesNotExist()
  return label
}
