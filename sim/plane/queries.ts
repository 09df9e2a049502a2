/** @module Read helpers over the store that mirror Plane's managers and permission queries. */

import type {
  IssueRecord,
  PlaneStore,
  ProjectMemberRecord,
  WorkspaceMemberRecord,
} from './store.ts'
import type { Role, State, Uuid } from './types.ts'

export function findWorkspaceMember(
  store: PlaneStore,
  userId: Uuid,
  slug: string
): WorkspaceMemberRecord | undefined {
  if (slug !== store.workspace.slug) return undefined
  return store.workspaceMembers.find((row) => row.member === userId && row.is_active)
}

/** Active membership row (`ProjectMember.objects.filter(is_active=True)`), optionally role-gated. */
export function findProjectMember(
  store: PlaneStore,
  projectId: Uuid,
  userId: Uuid,
  minRole: Role = 5
): ProjectMemberRecord | undefined {
  return store.projectMembers.find(
    (row) =>
      row.project === projectId && row.member === userId && row.is_active && row.role >= minRole
  )
}

export function liveProject(store: PlaneStore, projectId: Uuid) {
  const project = store.projects.get(projectId)
  return project && project.deleted_at === null ? project : undefined
}

/** `State.objects`: soft-deleted and triage states are invisible (§3.2). */
export function liveState(store: PlaneStore, stateId: Uuid): State | undefined {
  const state = store.states.get(stateId)
  return state && state.deleted_at === null && state.group !== 'triage' ? state : undefined
}

/** `Issue.objects`: only soft-deleted rows are hidden (used by PATCH, DELETE, external-id lookups). */
export function liveIssue(store: PlaneStore, issueId: Uuid): IssueRecord | undefined {
  const issue = store.issues.get(issueId)
  return issue && issue.deleted_at === null ? issue : undefined
}

/**
 * `Issue.issue_objects` (§3.1): also hides triage-state, archived, draft issues and issues of archived
 * projects. Every v1 list and GET goes through it.
 */
export function isListedIssue(store: PlaneStore, issue: IssueRecord): boolean {
  if (issue.deleted_at !== null || issue.archived_at !== null || issue.is_draft) return false
  const state = issue.state ? store.states.get(issue.state) : undefined
  if (state?.group === 'triage') return false
  const project = store.projects.get(issue.project)
  return project !== undefined && project.archived_at === null
}

export function listedIssues(store: PlaneStore, projectId: Uuid): IssueRecord[] {
  return [...store.issues.values()].filter(
    (issue) => issue.project === projectId && isListedIssue(store, issue)
  )
}

export function defaultState(store: PlaneStore, projectId: Uuid): State | undefined {
  const states = [...store.states.values()].filter(
    (state) => state.project === projectId && state.deleted_at === null && state.group !== 'triage'
  )
  return states.find((state) => state.default) ?? states[0]
}

export function projectStates(store: PlaneStore, projectId: Uuid): State[] {
  return [...store.states.values()]
    .filter((state) => state.project === projectId && state.deleted_at === null)
    .sort((a, b) => a.sequence - b.sequence)
}
