/** @module Project creation and `ProjectSerializer` output (plane-api.md §3.3 "Project"). */

import type { SimClock } from './clock.ts'
import {
  addProjectMember,
  createDefaultStates,
  type NewProjectInput,
  newProjectRecord,
} from './factories.ts'
import type { PlaneStore, ProjectRecord } from './store.ts'
import type { Project, Uuid } from './types.ts'

/**
 * `ProjectListCreateAPIEndpoint.post`: the row, the creator as Admin, the project lead as a second
 * Admin, and `DEFAULT_STATES` including Triage.
 */
export function insertProject(
  store: PlaneStore,
  clock: SimClock,
  input: NewProjectInput,
  creatorId: Uuid | null
): ProjectRecord {
  const project = newProjectRecord(
    store,
    clock,
    { ...input, identifier: input.identifier.trim().toUpperCase() },
    creatorId
  )
  store.projects.set(project.id, project)
  if (creatorId) addProjectMember(store, project.id, creatorId, 20)
  if (project.project_lead && project.project_lead !== creatorId) {
    addProjectMember(store, project.id, project.project_lead, 20)
  }
  createDefaultStates(store, clock, project.id, creatorId)
  return project
}

/** The model columns only: what webhooks carry (annotations are skipped, §7.3). */
export function projectModelData(project: ProjectRecord): Record<string, unknown> {
  const { id, ...rest } = project
  return { id, cover_image_url: null, ...rest }
}

/** `ProjectSerializer` over the annotated queryset, from the caller's point of view. */
export function serializeProject(
  store: PlaneStore,
  project: ProjectRecord,
  viewerId: Uuid,
  { withSortOrder = false }: { withSortOrder?: boolean } = {}
): Project {
  const membership = store.projectMembers.find(
    (row) => row.project === project.id && row.member === viewerId && row.is_active
  )
  const totalMembers = store.projectMembers.filter(
    (row) => row.project === project.id && row.is_active && !store.users.get(row.member)?.is_bot
  ).length
  const count = <T extends { project: Uuid; deleted_at: string | null }>(rows: Iterable<T>) =>
    [...rows].filter((row) => row.project === project.id && row.deleted_at === null).length
  const { id, ...columns } = project
  return {
    id,
    total_members: totalMembers,
    total_cycles: count(store.cycles.values()),
    total_modules: count(store.modules.values()),
    is_member: membership !== undefined,
    ...(withSortOrder ? { sort_order: membership?.sort_order ?? null } : {}),
    member_role: membership?.role ?? null,
    is_deployed: false,
    cover_image_url: null,
    ...columns,
  }
}

/** Projects the caller may see: active member, or a public (`network=2`) project (§2 Projects). */
export function visibleProjects(store: PlaneStore, viewerId: Uuid): ProjectRecord[] {
  return [...store.projects.values()].filter(
    (project) =>
      project.deleted_at === null &&
      (project.network === 2 ||
        store.projectMembers.some(
          (row) => row.project === project.id && row.member === viewerId && row.is_active
        ))
  )
}
