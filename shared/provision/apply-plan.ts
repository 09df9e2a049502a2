/** @module Applies a provision plan to Plane, one write per action; each outcome becomes a report item. */
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { BLOCKED_STATE, ROLE_ADMIN } from './plan.ts'
import type { ProvisionAction, ProvisionItem } from './types.ts'

/** Marks what the job created, and makes a replayed create answer 409 with the existing id (createOrResolve). */
const EXTERNAL_SOURCE = 'plane-bridge'
const AGENT_LABEL_COLOR = '#6e56cf'

/**
 * Refusals (403, 400) become items naming what a human must do; anything else (Plane down, rate limited
 * beyond the client's retries) stops the run: it is idempotent, so running it again resumes.
 */
export async function applyProvisionPlan(
  plane: PlaneClient,
  actions: readonly ProvisionAction[]
): Promise<ProvisionItem[]> {
  const items: ProvisionItem[] = []
  for (const action of actions) {
    try {
      items.push(await _apply(plane, action))
    } catch (error) {
      if (!(error instanceof PlaneApiError) || !_isRefusal(error)) throw error
      items.push(_refused(action, error))
    }
  }
  return items
}

// --- Internal helpers ---

async function _apply(plane: PlaneClient, action: ProvisionAction): Promise<ProvisionItem> {
  switch (action.kind) {
    case 'invite':
      await plane.invitations.create({ email: action.email, role: action.role })
      return {
        subject: `agent ${action.agentId}`,
        status: 'blocked',
        changed: true,
        detail: `${action.email} was not a workspace member: invited now as Member. Accept the invitation, then run provision again.`,
      }
    case 'add-member':
      // Plane silently drops assignees who are not project members with role ≥ 15 (makeplane/plane#9517).
      await plane.projectMembers.add(action.project.id, {
        member: action.userId,
        role: action.role,
      })
      return {
        subject: `member ${action.project.identifier} ${action.agentId}`,
        status: 'ok',
        changed: true,
        detail: `added as ${action.role === ROLE_ADMIN ? 'Admin (AUTH-01: the Concierge)' : 'Member'}`,
      }
    case 'create-label':
      await plane.labels.create(action.project.id, {
        name: action.name,
        color: AGENT_LABEL_COLOR,
        external_source: EXTERNAL_SOURCE,
        external_id: `agent-label:${action.agentId}`,
      })
      return {
        subject: `label ${action.project.identifier} ${action.name}`,
        status: 'ok',
        changed: true,
        detail: 'created',
      }
    case 'create-state':
      await plane.states.create(action.project.id, {
        name: action.name,
        group: BLOCKED_STATE.group,
        color: BLOCKED_STATE.color,
        external_source: EXTERNAL_SOURCE,
        external_id: 'blocked-state',
      })
      return {
        subject: `state ${action.project.identifier} ${action.name}`,
        status: 'ok',
        changed: true,
        detail: 'created (group started)',
      }
  }
}

function _isRefusal(error: PlaneApiError): boolean {
  return error.kind === 'forbidden' || error.kind === 'validation' || error.kind === 'conflict'
}

function _refused(action: ProvisionAction, error: PlaneApiError): ProvisionItem {
  const plane = `Plane answered ${error.status}`
  switch (action.kind) {
    case 'invite':
      return {
        subject: `agent ${action.agentId}`,
        status: 'blocked',
        changed: false,
        detail: `${action.email} is not a workspace member and the invitation failed (${error.message}): invite it as Member in Workspace settings → Members, accept, then run provision again.`,
      }
    case 'add-member': {
      const project = `"${action.project.name}" (${action.project.identifier})`
      const role = action.role === ROLE_ADMIN ? 'Admin' : 'Member'
      const fix =
        error.status === 403
          ? `the bridge's user is not Admin of project ${project}: make it Admin there (Project settings → Members), or add ${action.agentId} as ${role} yourself, then run provision again.`
          : `adding ${action.agentId} to project ${project} failed (${error.message}): add it as ${role} in Project settings → Members, then run provision again.`
      return {
        subject: `member ${action.project.identifier} ${action.agentId}`,
        status: 'blocked',
        changed: false,
        detail: `${plane}: ${fix}`,
      }
    }
    case 'create-label':
      return {
        subject: `label ${action.project.identifier} ${action.name}`,
        status: 'human',
        changed: false,
        detail: `${plane} (${error.message}): create the label ${action.name} in Project settings → Labels (OPENCLAW-10).`,
      }
    case 'create-state':
      return {
        subject: `state ${action.project.identifier} ${action.name}`,
        status: 'human',
        changed: false,
        detail: `${plane} (${error.message}): create a state "${action.name}" (group In progress) in Project settings → States; until then a blocked task gets only a comment (OPENCLAW-14).`,
      }
  }
}
