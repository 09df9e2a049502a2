/**
 * @module The web app's account and workspace calls (`app/views/user/base.py`, `app/views/workspace/base.py`,
 * `workspace/invite.py`, `workspace/member.py`; the same at v1.2.2 and v1.3.1): who is signed in, the profile, the
 * workspace's creation (slug rules, time zone), its members and roles, invitations sent and accepted. The
 * simulator holds one workspace: the one it was made for, which a fresh instance has not created yet.
 */

import { PlaneHttpError, permissionDenied, viewSetDoesNotExist } from '../http-errors.ts'
import { readObjectBody } from '../request-body.ts'
import type { SimApp } from '../routes/context.ts'
import type { PlaneStore, UserRecord } from '../store.ts'
import { EMAIL_PATTERN } from './forms.ts'
import { acceptInvitations, invitationsFor } from './invitation-ops.ts'
import { requireSession, type SessionDeps } from './sessions.ts'
import { profileOf } from './state.ts'

// utils/constants.py RESTRICTED_WORKSPACE_SLUGS (the first of them; the rest are product names).
const RESTRICTED_SLUGS = new Set([
  '404',
  'accounts',
  'api',
  'create-workspace',
  'god-mode',
  'installations',
  'invitations',
  'onboarding',
  'profile',
  'spaces',
  'workspace-invitations',
  'password',
  'sign-in',
  'sign-up',
  'signin',
  'signup',
  'config',
  'live',
  'admin',
])
const NO_ROLE = { error: "You don't have the required permissions." }

export function registerWorkspaceRoutes(app: SimApp, deps: SessionDeps & { stamp: () => string }) {
  const { store, state } = deps
  const signedIn = requireSession(deps)
  const roleOf = (user: UserRecord, slug: string | undefined) =>
    slug === store.workspace.slug && store.workspace.exists
      ? (store.workspaceMembers.find((row) => row.member === user.id && row.is_active)?.role ?? 0)
      : 0

  app.get('/api/users/me/', signedIn, function me(c) {
    const user = c.get('user')
    return c.json({ ...user, is_active: true, is_password_autoset: false })
  })

  app.get('/api/users/me/profile/', signedIn, (c) => c.json(profileOf(state, c.get('user').id)))
  app.patch('/api/users/me/profile/', signedIn, async function patchProfile(c) {
    const profile = profileOf(state, c.get('user').id)
    const data = await readObjectBody(c)
    if ('language' in data) profile.language = String(data.language)
    if ('is_onboarded' in data) profile.is_onboarded = Boolean(data.is_onboarded)
    return c.json(profile)
  })

  app.get('/api/users/me/workspaces/', signedIn, function myWorkspaces(c) {
    const role = roleOf(c.get('user'), store.workspace.slug)
    return c.json(role > 0 ? [{ ...workspaceView(store), role }] : [])
  })

  app.get('/api/workspace-slug-check/', signedIn, function slugCheck(c) {
    const slug = c.req.query('slug')
    if (!slug) return c.json({ error: 'Workspace Slug is required' }, 400)
    const taken =
      (store.workspace.exists && store.workspace.slug === slug) || RESTRICTED_SLUGS.has(slug)
    return c.json({ status: !taken })
  })

  app.post('/api/workspaces/', signedIn, async function createWorkspace(c) {
    if (state.instance.disableWorkspaceCreation)
      return c.json({ error: 'Workspace creation is not allowed' }, 403)
    const data = await readObjectBody(c)
    const slug = typeof data.slug === 'string' ? data.slug : ''
    const name = typeof data.name === 'string' ? data.name : ''
    if (!name || !slug) return c.json({ error: 'Both name and slug are required' }, 400)
    if (name.length > 80 || slug.length > 48)
      return c.json({ error: 'The maximum length for name is 80 and for slug is 48' }, 400)
    const errors = _workspaceErrors(store, slug, data.timezone)
    if (Object.keys(errors).length > 0) throw new PlaneHttpError(400, errors)
    if (slug !== store.workspace.slug)
      throw new Error(`the simulator holds one workspace, "${store.workspace.slug}", not "${slug}"`)
    const user = c.get('user')
    Object.assign(store.workspace, {
      exists: true,
      name,
      owner: user.id,
      timezone: typeof data.timezone === 'string' ? data.timezone : 'UTC',
      organization_size: typeof data.organization_size === 'string' ? data.organization_size : null,
    })
    store.workspaceMembers.push({
      id: crypto.randomUUID(),
      member: user.id,
      role: 20,
      is_active: true,
    })
    return c.json({ ...workspaceView(store), total_members: 1, role: 20 }, 201)
  })

  app.get('/api/workspaces/:slug/members/', signedIn, function listMembers(c) {
    const role = roleOf(c.get('user'), c.req.param('slug'))
    if (role === 0) return c.json(NO_ROLE, 403)
    // No is_active filter: members removed from the workspace are listed too, marked inactive.
    return c.json(store.workspaceMembers.flatMap((row) => memberView(store, row, role > 5)))
  })

  app.patch('/api/workspaces/:slug/members/:pk/', signedIn, async function patchMember(c) {
    const user = c.get('user')
    if (roleOf(user, c.req.param('slug')) !== 20) return c.json(NO_ROLE, 403)
    const row = store.workspaceMembers.find((r) => r.id === c.req.param('pk') && r.is_active)
    if (!row || store.users.get(row.member)?.is_bot) throw viewSetDoesNotExist()
    if (row.member === user.id) return c.json({ error: 'You cannot update your own role' }, 400)
    const data = await readObjectBody(c)
    if ('role' in data) {
      if (![5, 15, 20].includes(Number(data.role)))
        throw new PlaneHttpError(400, { role: [`"${String(data.role)}" is not a valid choice.`] })
      row.role = Number(data.role) as 5 | 15 | 20
    }
    return c.json(memberView(store, row, true)[0])
  })

  app.get('/api/workspaces/:slug/invitations/', signedIn, function listInvitations(c) {
    if (roleOf(c.get('user'), c.req.param('slug')) < 15) throw permissionDenied()
    return c.json([...store.invitations.values()].filter((row) => row.deleted_at === null))
  })

  app.post('/api/workspaces/:slug/invitations/', signedIn, async function invite(c) {
    const user = c.get('user')
    const role = roleOf(user, c.req.param('slug'))
    if (role < 15) throw permissionDenied()
    const data = await readObjectBody(c)
    const emails = Array.isArray(data.emails) ? (data.emails as Array<Record<string, unknown>>) : []
    if (emails.length === 0) return c.json({ error: 'Emails are required' }, 400)
    if (emails.some((e) => Number(e.role ?? 5) > role))
      return c.json({ error: 'You cannot invite a user with higher role' }, 400)
    const wanted = emails.map((e) => String(e.email ?? ''))
    const already = store.workspaceMembers.filter(
      (row) => row.is_active && wanted.includes(store.users.get(row.member)?.email ?? '')
    )
    if (already.length > 0)
      return c.json(
        {
          error: 'Some users are already member of workspace',
          workspace_users: already.flatMap((row) => memberView(store, row, false)),
        },
        400
      )
    const bad = emails.find((e) => !EMAIL_PATTERN.test(String(e.email ?? '')))
    if (bad)
      return c.json(
        {
          error: `Invalid email - ${JSON.stringify(bad)} provided a valid email address is required to send the invite`,
        },
        400
      )
    for (const entry of emails) {
      const email = String(entry.email).trim().toLowerCase()
      // bulk_create(ignore_conflicts=True): a second invitation for the same e-mail is dropped without a word.
      if (invitationsFor(store, email).length > 0) continue
      const at = deps.stamp()
      const id = crypto.randomUUID()
      store.invitations.set(id, {
        id,
        created_at: at,
        updated_at: at,
        deleted_at: null,
        email,
        accepted: false,
        token: crypto.randomUUID().replaceAll('-', ''),
        message: null,
        responded_at: null,
        role: Number(entry.role ?? 5) as 5 | 15 | 20,
        created_by: user.id,
        updated_by: null,
        workspace: store.workspace.id,
      })
    }
    return c.json({ message: 'Emails sent successfully' })
  })

  app.get('/api/users/me/workspaces/invitations/', signedIn, function myInvitations(c) {
    return c.json(
      invitationsFor(store, c.get('user').email).map((row) => ({
        ...row,
        workspace: {
          id: store.workspace.id,
          name: store.workspace.name,
          slug: store.workspace.slug,
        },
      }))
    )
  })

  app.post('/api/users/me/workspaces/invitations/', signedIn, async function accept(c) {
    const data = await readObjectBody(c)
    const ids = Array.isArray(data.invitations) ? data.invitations : []
    acceptInvitations(deps, c.get('user'), ids)
    return c.body(null, 204)
  })
}

// --- Internal helpers ---

function workspaceView(store: PlaneStore) {
  const { exists: _exists, ...row } = store.workspace
  return row
}

/** `WorkspaceMemberAdminSerializer` (an Admin or Member asks: e-mails shown) or `WorkSpaceMemberSerializer`. */
function memberView(
  store: PlaneStore,
  row: PlaneStore['workspaceMembers'][number],
  withEmail: boolean
) {
  const user = store.users.get(row.member)
  if (!user) return []
  const { user_timezone: _tz, email, ...lite } = user
  return [
    {
      id: row.id,
      member: withEmail ? { ...lite, email } : lite,
      role: row.role,
      is_active: row.is_active,
      workspace: store.workspace.id,
    },
  ]
}

function _workspaceErrors(
  store: PlaneStore,
  slug: string,
  timezone: unknown
): Record<string, string[]> {
  const errors: Record<string, string[]> = {}
  if (RESTRICTED_SLUGS.has(slug)) errors.slug = ['Slug is not valid']
  else if (!/^[a-zA-Z0-9_-]+$/.test(slug))
    errors.slug = ['Slug can only contain letters, numbers, hyphens (-), and underscores (_)']
  else if (store.workspace.exists && store.workspace.slug === slug)
    errors.slug = ['workspace with this slug already exists.']
  if (timezone !== undefined && !_isTimeZone(timezone))
    errors.timezone = [`"${String(timezone)}" is not a valid choice.`]
  return errors
}

/** pytz.common_timezones, as far as the runtime knows IANA names. */
function _isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string') return false
  try {
    new Intl.DateTimeFormat('en', { timeZone: value })
    return true
  } catch {
    return false
  }
}
