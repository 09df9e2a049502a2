/** @module Row factories with Plane's model defaults (plane-api.md §3; `plane/db/models/*.py`). */

import type { SimClock } from './clock.ts'
import type { PlaneStore, ProjectMemberRecord, ProjectRecord, UserRecord } from './store.ts'
import type { Label, Role, State, StateGroup, Uuid } from './types.ts'

/** `DEFAULT_STATES` in `plane/db/models/state.py`, Triage included. */
export const DEFAULT_STATES: ReadonlyArray<{
  name: string
  color: string
  sequence: number
  group: StateGroup
  default?: boolean
}> = [
  { name: 'Backlog', color: '#60646C', sequence: 15000, group: 'backlog', default: true },
  { name: 'Todo', color: '#60646C', sequence: 25000, group: 'unstarted' },
  { name: 'In Progress', color: '#F59E0B', sequence: 35000, group: 'started' },
  { name: 'Done', color: '#46A758', sequence: 45000, group: 'completed' },
  { name: 'Cancelled', color: '#9AA4BC', sequence: 55000, group: 'cancelled' },
  { name: 'Triage', color: '#4E5355', sequence: 65000, group: 'triage' },
]

export function newApiToken(): string {
  return `plane_api_${crypto.randomUUID().replaceAll('-', '')}`
}

export function newUser(p: Partial<UserRecord> = {}): UserRecord {
  const id = p.id ?? crypto.randomUUID()
  const first = p.first_name ?? 'User'
  const display = p.display_name ?? `user${id.slice(0, 6)}`
  return {
    id,
    first_name: first,
    last_name: p.last_name ?? id.slice(0, 4),
    email: p.email ?? `${display}@example.com`,
    avatar: p.avatar ?? '',
    avatar_url: p.avatar_url ?? null,
    display_name: display,
    is_bot: p.is_bot ?? false,
    user_timezone: p.user_timezone ?? 'UTC',
  }
}

export type NewProjectInput = {
  name: string
  identifier: string
  description?: string
  network?: 0 | 2
  project_lead?: Uuid | null
  default_assignee?: Uuid | null
  external_id?: string | null
  external_source?: string | null
  [key: string]: unknown
}

export function newProjectRecord(
  store: PlaneStore,
  clock: SimClock,
  input: NewProjectInput,
  creator: Uuid | null
): ProjectRecord {
  const at = clock.stamp()
  return {
    id: crypto.randomUUID(),
    created_at: at,
    updated_at: at,
    deleted_at: null,
    name: input.name,
    description: input.description ?? '',
    description_text: null,
    description_html: null,
    network: input.network ?? 2,
    identifier: input.identifier,
    emoji: null,
    icon_prop: null,
    module_view: Boolean(input.module_view ?? false),
    cycle_view: Boolean(input.cycle_view ?? false),
    issue_views_view: Boolean(input.issue_views_view ?? false),
    page_view: Boolean(input.page_view ?? true),
    intake_view: Boolean(input.intake_view ?? false),
    is_time_tracking_enabled: false,
    is_issue_type_enabled: false,
    guest_view_all_features: false,
    cover_image: null,
    archive_in: 0,
    close_in: 0,
    logo_props: { in_use: 'icon', icon: { name: 'stack', color: '#60646C' } },
    archived_at: null,
    timezone: 'UTC',
    external_source: input.external_source ?? null,
    external_id: input.external_id ?? null,
    created_by: creator,
    updated_by: null,
    workspace: store.workspace.id,
    default_assignee: input.default_assignee ?? null,
    project_lead: input.project_lead ?? null,
    cover_image_asset: null,
    estimate: null,
    default_state: null,
  }
}

/**
 * `State.objects.bulk_create(DEFAULT_STATES)`: bulk_create skips `State.save()`, so these rows keep
 * an empty `slug` and `is_triage=false` even for Triage (it is hidden by its group instead).
 */
export function createDefaultStates(
  store: PlaneStore,
  clock: SimClock,
  projectId: Uuid,
  creator: Uuid | null
): State[] {
  return DEFAULT_STATES.map((spec) => {
    const at = clock.stamp()
    const state: State = {
      id: crypto.randomUUID(),
      created_at: at,
      updated_at: at,
      deleted_at: null,
      name: spec.name,
      description: '',
      color: spec.color,
      slug: '',
      sequence: spec.sequence,
      group: spec.group,
      is_triage: false,
      default: spec.default ?? false,
      external_source: null,
      external_id: null,
      created_by: creator,
      updated_by: null,
      project: projectId,
      workspace: store.workspace.id,
    }
    store.states.set(state.id, state)
    return state
  })
}

/** `ProjectMember.save`: the new project sorts first for that user (min sort_order − 10000). */
export function addProjectMember(
  store: PlaneStore,
  projectId: Uuid,
  userId: Uuid,
  role: Role
): ProjectMemberRecord {
  const existing = store.projectMembers.find(
    (row) => row.project === projectId && row.member === userId
  )
  if (existing) {
    existing.role = role
    existing.is_active = true
    return existing
  }
  const orders = store.projectMembers
    .filter((row) => row.member === userId)
    .map((row) => row.sort_order)
  const row: ProjectMemberRecord = {
    id: crypto.randomUUID(),
    project: projectId,
    member: userId,
    role,
    is_active: true,
    sort_order: orders.length ? Math.min(...orders) - 10000 : 65535,
  }
  store.projectMembers.push(row)
  return row
}

export function newLabel(
  store: PlaneStore,
  clock: SimClock,
  projectId: Uuid,
  p: Partial<Label> & { name: string },
  creator: Uuid | null
): Label {
  const at = clock.stamp()
  const sortOrders = [...store.labels.values()]
    .filter((label) => label.project === projectId)
    .map((label) => label.sort_order)
  return {
    id: crypto.randomUUID(),
    created_at: at,
    updated_at: at,
    deleted_at: null,
    name: p.name,
    description: p.description ?? '',
    color: p.color ?? '',
    sort_order: p.sort_order ?? (sortOrders.length ? Math.max(...sortOrders) + 10000 : 65535),
    external_source: p.external_source ?? null,
    external_id: p.external_id ?? null,
    created_by: creator,
    updated_by: null,
    workspace: store.workspace.id,
    project: projectId,
    parent: p.parent ?? null,
  }
}

/** `slugify(name)` as `State.save` does for states created through the API. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, '-')
}
