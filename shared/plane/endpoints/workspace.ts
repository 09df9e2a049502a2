/** @module Workspace-level endpoints: me, members, invitations, projects and project members. */

import { planeIdSegment, planePath } from '../paths.ts'
import { planeListSchema } from '../schema-fields.ts'
import {
  type PlaneInvitation,
  type PlaneMember,
  type PlaneProject,
  type PlaneProjectMembership,
  type PlaneUserLite,
  planeInvitationSchema,
  planeMemberSchema,
  planeProjectMembershipSchema,
  planeProjectSchema,
  planeUserLiteSchema,
} from '../schemas.ts'
import type { PlaneEndpointContext } from './context.ts'

/** Plane roles (plane-api.md §3.3). */
export const PLANE_ROLE = { admin: 20, member: 15, guest: 5 } as const
export type PlaneRole = (typeof PLANE_ROLE)[keyof typeof PLANE_ROLE]

export type ProjectCreateInput = {
  name: string
  /** Up to 12 characters; becomes the work item prefix (`ONB-12`). */
  identifier: string
  description?: string
  network?: 0 | 2
  project_lead?: string
  default_assignee?: string
  timezone?: string
  external_id?: string
  external_source?: string
}

export type ProjectMemberAddInput = { member: string; role: PlaneRole }
export type InvitationCreateInput = { email: string; role: PlaneRole }

export function createWorkspaceEndpoints(context: PlaneEndpointContext) {
  const { transport, paginator, workspaceSlug: slug } = context
  const projectsPath = planePath('workspaces', slug, 'projects')
  const projectPath = (id: string) => planePath('workspaces', slug, 'projects', planeIdSegment(id))
  const membersPath = (projectId: string) =>
    planePath('workspaces', slug, 'projects', planeIdSegment(projectId), 'members')

  const users = {
    /** The key's own user; also the cheapest authenticated readiness check (plane-api.md §8). */
    me: async function getMe(): Promise<PlaneUserLite> {
      return transport.request('GET', planePath('users', 'me'), planeUserLiteSchema)
    },
  }

  const members = {
    /** Workspace members with their role; a plain list, Guests get 403. */
    list: async function listWorkspaceMembers(): Promise<PlaneMember[]> {
      const path = planePath('workspaces', slug, 'members')
      return transport.request('GET', path, planeListSchema(planeMemberSchema))
    },
  }

  const invitations = {
    list: async function listInvitations(): Promise<PlaneInvitation[]> {
      const path = planePath('workspaces', slug, 'invitations')
      return transport.request('GET', path, planeListSchema(planeInvitationSchema))
    },
    /** Needs the workspace Admin role. */
    create: async function createInvitation(
      input: InvitationCreateInput
    ): Promise<PlaneInvitation> {
      const path = planePath('workspaces', slug, 'invitations')
      return transport.request('POST', path, planeInvitationSchema, { body: input })
    },
  }

  const projects = {
    list: async function listProjects(): Promise<PlaneProject[]> {
      return (await paginator.listAll(projectsPath, {}, planeProjectSchema)).results
    },
    get: async function getProject(projectId: string): Promise<PlaneProject> {
      return transport.request('GET', projectPath(projectId), planeProjectSchema)
    },
    /** A taken name or identifier answers 409 without an id (plane-api.md §3.3), so this is never replayed. */
    create: async function createProject(input: ProjectCreateInput): Promise<PlaneProject> {
      return transport.request('POST', projectsPath, planeProjectSchema, {
        body: input,
        replaySafe: false,
      })
    },
  }

  const projectMembers = {
    /** UserLite of every member (inactive ones included: Plane does not filter them). */
    list: async function listProjectMembers(projectId: string): Promise<PlaneUserLite[]> {
      return transport.request('GET', membersPath(projectId), planeListSchema(planeUserLiteSchema))
    },
    /** Project admin only; the user must already be a workspace member. Returns the membership row. */
    add: async function addProjectMember(
      projectId: string,
      input: ProjectMemberAddInput
    ): Promise<PlaneProjectMembership> {
      return transport.request('POST', membersPath(projectId), planeProjectMembershipSchema, {
        body: input,
      })
    },
  }

  return { users, members, invitations, projects, projectMembers }
}
