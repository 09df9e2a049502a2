/** @module The provision job's reads: the bridge's key and role, members, invitations, and each project's set-up. */

import type { AgentConfig } from '../agents/registry.ts'
import { isEmail } from '../agents/registry.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { failedItem } from './apply-plan.ts'
import { BRIDGE_KEY_VARIABLE, keyUser, newKeyHint, ProvisionError } from './errors.ts'
import { ROLE_ADMIN, ROLE_MEMBER, resolveAgents } from './plan.ts'
import type { ProgressStep } from './progress.ts'
import type { PlaneFacts, ProjectFacts, ProvisionItem } from './types.ts'

/** A project as Plane lists or shows it: what the reads need of it. */
type ListedProject = {
  id: string
  name: string
  identifier: string
  is_member?: boolean | null
  archived_at?: string | null
}

export type ReadPlaneOptions = {
  /** Only these projects (a project seen for the first time); all non-archived ones otherwise. */
  projectIds?: readonly string[]
  /**
   * The projects as the caller has just read them (create_project, its project read back): not listed again. A
   * listing is one request of the key's window, and a set-up made within a tool call counts every one.
   */
  projects?: readonly ListedProject[]
  progress?: ProgressStep
  /** The variable of the key `plane` uses, for the messages (default: the bridge's, PLANE_API_KEY). */
  keyVariable?: string
}

/** What was read, and the projects Plane failed to answer about (the run goes on without them). */
export type PlaneFactsRead = PlaneFacts & { failed: ProvisionItem[] }

/**
 * Read what the planner needs: 3 requests (2 when the caller gives the projects), one more when an agent must be
 * invited, then 3 per project (members, labels, states; only `projectIds` when given), in the key's window.
 * Throws `ProvisionError` when the bridge's own key cannot provision at all; a project whose reads fail
 * (5xx, no answer) becomes a `failed` item and the others are read all the same.
 */
export async function readPlaneFacts(
  plane: PlaneClient,
  agents: readonly AgentConfig[],
  {
    projectIds,
    projects: known,
    progress,
    keyVariable = BRIDGE_KEY_VARIABLE,
  }: ReadPlaneOptions = {}
): Promise<PlaneFactsRead> {
  const me = await plane.users.me().catch((error: unknown) => {
    throw _isKind(error, 'auth')
      ? new ProvisionError(
          `Plane refuses ${keyVariable} (${(error as Error).message}): ${newKeyHint(keyVariable)}.`
        )
      : error
  })
  const who = me.email ?? me.display_name ?? me.id
  // The members list answers 403 to workspace Guests (plane-api.md §2): that is the role check itself.
  const members = await plane.members.list().catch((error: unknown) => {
    throw _isKind(error, 'forbidden')
      ? _roleError(keyVariable, who, plane.workspaceSlug, 'a Guest (or not a member)')
      : error
  })
  const workspace = members.map((m) => ({ id: m.id, email: m.email ?? null, role: m.role ?? 0 }))
  const self = workspace.find((m) => m.id === me.id)
  const role = self?.role ?? 0
  if (role < ROLE_MEMBER)
    throw _roleError(keyVariable, who, plane.workspaceSlug, self ? 'a Guest' : 'not a member')

  const toInvite = resolveAgents(agents, workspace).filter(
    (r) => r.userId === null && isEmail(r.agent.planeUser)
  )
  // Invitations need the workspace Admin role; read them only when someone may need one.
  const invitedEmails =
    role === ROLE_ADMIN && toInvite.length > 0
      ? (await plane.invitations.list()).map((i) => i.email)
      : null

  const projects: ProjectFacts[] = []
  const failed: ProvisionItem[] = []
  const wanted = (known ?? (await plane.projects.list())).filter(
    (p) => !p.archived_at && (!projectIds || projectIds.includes(p.id))
  )
  for (const [index, project] of wanted.entries()) {
    progress?.('projects', index, wanted.length)
    try {
      projects.push(await _readProject(plane, project))
    } catch (error) {
      if (_isKind(error, 'auth')) throw error
      failed.push(failedItem(`project ${project.identifier}`, error))
    }
  }
  return {
    bridge: { id: me.id, email: me.email ?? null, role },
    members: workspace,
    invitedEmails,
    projects,
    failed,
  }
}

// --- Internal helpers ---

async function _readProject(plane: PlaneClient, project: ListedProject): Promise<ProjectFacts> {
  const base = { id: project.id, name: project.name, identifier: project.identifier }
  // A public project the bridge is not in is listed, but its states answer 403: nothing to read there.
  if (project.is_member === false) {
    return { ...base, bridgeIsMember: false, memberIds: [], labelNames: [], stateNames: [] }
  }
  const memberIds = (await plane.projectMembers.list(project.id)).map((u) => u.id)
  const labelNames = (await plane.labels.list(project.id)).map((l) => l.name)
  const stateNames = (await plane.states.list(project.id)).map((s) => s.name)
  return { ...base, bridgeIsMember: true, memberIds, labelNames, stateNames }
}

function _isKind(error: unknown, kind: PlaneApiError['kind']): boolean {
  return error instanceof PlaneApiError && error.kind === kind
}

function _roleError(keyVariable: string, who: string, slug: string, what: string): ProvisionError {
  return new ProvisionError(
    `${keyUser(keyVariable)} ${who} is ${what} in workspace "${slug}": provisioning needs a workspace Member, or Admin to invite agents. Change its role in Workspace settings → Members.`
  )
}
