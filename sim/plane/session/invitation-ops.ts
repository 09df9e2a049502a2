/**
 * @module Joining a workspace from an invitation (`app/views/workspace/invite.py` UserWorkspaceInvitationsViewSet,
 * `authentication/utils/workspace_project_join.py`): the member row takes the invitation's role, an inactive one is
 * made active again, and the invitation goes. Signing in or up joins only invitations already *accepted* (by the
 * e-mail link); one merely sent waits for the user to accept it.
 */

import type { PlaneStore, UserRecord } from '../store.ts'
import type { Invitation } from '../types.ts'

type Deps = { store: PlaneStore; now: () => number }

/** The live invitations for an e-mail. */
export function invitationsFor(store: PlaneStore, email: string): Invitation[] {
  return [...store.invitations.values()].filter(
    (row) => row.deleted_at === null && row.email === email.toLowerCase()
  )
}

/** `process_workspace_project_invitations`, at every sign-in and sign-up. */
export function acceptedInvitationsJoin(deps: Deps, user: UserRecord): void {
  const accepted = invitationsFor(deps.store, user.email).filter((row) => row.accepted)
  for (const invitation of accepted) {
    // bulk_create(ignore_conflicts=True): a row already there, active or not, is kept as it is.
    if (!deps.store.workspaceMembers.some((row) => row.member === user.id))
      _addMember(deps.store, user, invitation)
    _remove(deps, invitation)
  }
}

/** `POST users/me/workspaces/invitations/ {"invitations": [ids]}`: the user's own, others ignored. */
export function acceptInvitations(deps: Deps, user: UserRecord, ids: readonly unknown[]): void {
  const chosen = invitationsFor(deps.store, user.email).filter((row) => ids.includes(row.id))
  for (const invitation of chosen) {
    const existing = deps.store.workspaceMembers.find((row) => row.member === user.id)
    if (existing) {
      existing.is_active = true
      existing.role = invitation.role
    } else _addMember(deps.store, user, invitation)
    _remove(deps, invitation)
  }
}

// --- Internal helpers ---

function _addMember(store: PlaneStore, user: UserRecord, invitation: Invitation): void {
  store.workspaceMembers.push({
    id: crypto.randomUUID(),
    member: user.id,
    role: invitation.role,
    is_active: true,
  })
}

function _remove(deps: Deps, invitation: Invitation): void {
  invitation.deleted_at = new Date(deps.now()).toISOString()
}
