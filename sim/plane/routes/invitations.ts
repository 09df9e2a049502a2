/** @module Workspace invitations: a `BaseViewSet` — not paginated, not rate-limited (§4, §5), own 404 body. */

import { checkChoice, type FieldErrors, REQUIRED } from '../field-checks.ts'
import { errorBody, PlaneHttpError, viewSetDoesNotExist } from '../http-errors.ts'
import { readObjectBody } from '../request-body.ts'
import type { Invitation } from '../types.ts'
import { noContent, type RouteDeps, type SimApp, WS } from './context.ts'

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function registerInvitationRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard } = deps
  // No get_throttles override: only AnonRateThrottle applies, which ignores authenticated users.
  const access = guard('workspace-owner', { throttle: false })
  const live = () => [...store.invitations.values()].filter((row) => row.deleted_at === null)
  const find = (id: string) => {
    const invitation = live().find((row) => row.id === id)
    if (!invitation) throw viewSetDoesNotExist()
    return invitation
  }

  app.get(`${WS}/invitations/`, access, function listInvitations(c) {
    return c.json(live())
  })

  app.post(`${WS}/invitations/`, access, async function createInvitation(c) {
    const data = await readObjectBody(c)
    const errors: FieldErrors = {}
    if (!('email' in data)) errors.email = [REQUIRED]
    else if (typeof data.email !== 'string' || !EMAIL.test(data.email))
      errors.email = ['Enter a valid email address.']
    const role = 'role' in data ? checkChoice(String(data.role), ['5', '15', '20']) : { value: '5' }
    if (role.error) errors.role = [`"${String(data.role)}" is not a valid choice.`]
    if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)
    if (live().some((row) => row.email === data.email))
      throw errorBody(400, 'The payload is not valid')
    const at = clock.stamp()
    const invitation: Invitation = {
      id: crypto.randomUUID(),
      created_at: at,
      updated_at: at,
      deleted_at: null,
      email: String(data.email),
      accepted: false,
      token: crypto.randomUUID().replaceAll('-', ''),
      message: null,
      responded_at: null,
      role: Number(role.value) as Invitation['role'],
      created_by: c.get('user').id,
      updated_by: null,
      workspace: store.workspace.id,
    }
    store.invitations.set(invitation.id, invitation)
    return c.json(invitation, 201)
  })

  app.get(`${WS}/invitations/:pk/`, access, function getInvitation(c) {
    return c.json(find(c.req.param('pk')))
  })

  app.patch(`${WS}/invitations/:pk/`, access, async function patchInvitation(c) {
    const invitation = find(c.req.param('pk'))
    const data = await readObjectBody(c)
    if ('email' in data && data.email !== invitation.email) {
      throw errorBody(400, 'Email cannot be updated after invite is created.', {
        code: 'EMAIL_CANNOT_BE_UPDATED',
      })
    }
    if ('role' in data) invitation.role = Number(data.role) as Invitation['role']
    invitation.updated_at = clock.stamp()
    return c.json(invitation)
  })

  app.delete(`${WS}/invitations/:pk/`, access, function deleteInvitation(c) {
    const invitation = find(c.req.param('pk'))
    if (invitation.accepted)
      throw errorBody(400, 'Invite already accepted', { code: 'INVITE_ALREADY_ACCEPTED' })
    invitation.deleted_at = clock.stamp()
    return noContent(c)
  })
}
