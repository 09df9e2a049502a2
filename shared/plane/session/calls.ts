/**
 * @module The session API's calls `bootstrap` makes, named and typed (plane-session-api.md; the views are the same at
 * v1.2.2 and v1.3.1): the instance, sign-in and sign-up, the workspace and its members, invitations, API tokens, the
 * profile's language; the webhooks' in webhooks.ts. A 2xx is read; a 401 or an unexpected 4xx becomes a
 * `PlaneSessionError`.
 */
import { type JsonAnswer, type PlaneSession, PlaneSessionError } from './client.ts'

export type WorkspaceRole = 5 | 15 | 20
export type InstanceFacts = { setUp: boolean; release: string | null }
export type MemberRow = { id: string; userId: string; email: string; role: number; active: boolean }
export type InvitationRow = {
  id: string
  email: string
  role: number
  workspaceSlug: string | null
}
export type ApiTokenRow = { id: string; label: string }

/** `GET /api/instances/` (anonymous): set up or not, and the release (`v1.3.1` → `1.3.1`). */
export async function readInstance(s: PlaneSession): Promise<InstanceFacts> {
  const body = ok(
    await s.json<{ instance?: Record<string, unknown> }>('GET', '/api/instances/'),
    'read the instance'
  )
  const version = body.instance?.current_version
  return {
    setUp: body.instance?.is_setup_done === true,
    release: typeof version === 'string' ? version.replace(/^v/, '') : null,
  }
}

export const adminSignUp = (
  s: PlaneSession,
  p: { email: string; password: string; firstName: string; companyName: string }
) =>
  s.form('/api/instances/admins/sign-up/', {
    email: p.email,
    password: p.password,
    first_name: p.firstName,
    last_name: '',
    company_name: p.companyName,
    is_telemetry_enabled: 'False',
  })

/** Signed in, the session signs in again by itself if Plane ends it mid-run. */
export async function signIn(s: PlaneSession, email: string, password: string) {
  const outcome = await s.form('/auth/sign-in/', { email, password })
  if (outcome.ok)
    s.onSignedOut(async () => (await s.form('/auth/sign-in/', { email, password })).ok)
  return outcome
}

export async function signUp(s: PlaneSession, email: string, password: string) {
  const outcome = await s.form('/auth/sign-up/', { email, password })
  if (outcome.ok)
    s.onSignedOut(async () => (await s.form('/auth/sign-in/', { email, password })).ok)
  return outcome
}

/** The workspaces the signed-in user is an active member of, with its role there. */
export async function myWorkspaces(
  s: PlaneSession
): Promise<Array<{ slug: string; role: number }>> {
  const rows = ok(
    await s.json<Array<Record<string, unknown>>>('GET', '/api/users/me/workspaces/'),
    'list your workspaces'
  )
  return rows.map((w) => ({ slug: String(w.slug), role: Number(w.role ?? 0) }))
}

export async function slugAvailable(s: PlaneSession, slug: string): Promise<boolean> {
  const path = `/api/workspace-slug-check/?slug=${encodeURIComponent(slug)}`
  return ok(await s.json<{ status?: unknown }>('GET', path), 'check the slug').status === true
}

/** `POST /api/workspaces/` as the web app's "Create workspace" sends it; the answer as it came (201, 400, 403). */
export const createWorkspace = (
  s: PlaneSession,
  p: { name: string; slug: string; timezone: string }
) =>
  s.json<Record<string, unknown>>('POST', '/api/workspaces/', {
    name: p.name,
    slug: p.slug,
    organization_size: '2-10',
    timezone: p.timezone,
  })

export async function listMembers(s: PlaneSession, slug: string): Promise<MemberRow[]> {
  const rows = ok(
    await s.json<Array<Record<string, unknown>>>('GET', `/api/workspaces/${slug}/members/`),
    `list the members of ${slug}`
  )
  return rows.map((row) => {
    const member = (row.member ?? {}) as Record<string, unknown>
    return {
      id: String(row.id),
      userId: String(member.id ?? ''),
      email: String(member.email ?? '').toLowerCase(),
      role: Number(row.role ?? 0),
      active: row.is_active !== false,
    }
  })
}

export async function listInvitations(s: PlaneSession, slug: string): Promise<InvitationRow[]> {
  const rows = ok(
    await s.json<Array<Record<string, unknown>>>('GET', `/api/workspaces/${slug}/invitations/`),
    `list the invitations of ${slug}`
  )
  return rows.map((row) => _invitation(row, slug))
}

export const invite = (s: PlaneSession, slug: string, email: string, role: WorkspaceRole) =>
  s.json<Record<string, unknown>>('POST', `/api/workspaces/${slug}/invitations/`, {
    emails: [{ email, role }],
  })

export const setMemberRole = (
  s: PlaneSession,
  slug: string,
  memberId: string,
  role: WorkspaceRole
) =>
  s.json<Record<string, unknown>>('PATCH', `/api/workspaces/${slug}/members/${memberId}/`, { role })

/** The signed-in user's pending invitations. */
export async function myInvitations(s: PlaneSession): Promise<InvitationRow[]> {
  const rows = ok(
    await s.json<Array<Record<string, unknown>>>('GET', '/api/users/me/workspaces/invitations/'),
    'list your invitations'
  )
  return rows.map((row) => _invitation(row, null))
}

export async function acceptInvitations(s: PlaneSession, ids: readonly string[]): Promise<void> {
  ok(
    await s.json('POST', '/api/users/me/workspaces/invitations/', { invitations: ids }),
    'accept the invitation'
  )
}

export async function listApiTokens(s: PlaneSession): Promise<ApiTokenRow[]> {
  const rows = ok(
    await s.json<Array<Record<string, unknown>>>('GET', '/api/users/api-tokens/'),
    'list your API tokens'
  )
  return rows.map((row) => ({ id: String(row.id), label: String(row.label ?? '') }))
}

/** A new API token: Plane shows its value in this answer only. */
export async function createApiToken(
  s: PlaneSession,
  label: string,
  description: string
): Promise<{ id: string; token: string }> {
  const body = ok(
    await s.json<Record<string, unknown>>('POST', '/api/users/api-tokens/', { label, description }),
    'create an API token'
  )
  if (typeof body.token !== 'string' || typeof body.id !== 'string')
    throw new PlaneSessionError('Plane made an API token but did not show it', 201)
  return { id: body.id, token: body.token }
}

export async function deleteApiToken(s: PlaneSession, id: string): Promise<void> {
  const answer = await s.json('DELETE', `/api/users/api-tokens/${id}/`)
  if (answer.status === 404) return
  ok(answer, 'delete an API token')
}

export async function readProfile(
  s: PlaneSession
): Promise<{ language: string; onboarded: boolean }> {
  const body = ok(
    await s.json<Record<string, unknown>>('GET', '/api/users/me/profile/'),
    'read your profile'
  )
  return { language: String(body.language ?? 'en'), onboarded: body.is_onboarded === true }
}

export async function setLanguage(s: PlaneSession, language: string): Promise<void> {
  ok(await s.json('PATCH', '/api/users/me/profile/', { language }), 'set your language')
}

/** A 2xx answer's body; a 401 or other 4xx thrown, with what Plane said (never a request's body). */
export function ok<T>(answer: JsonAnswer<T>, what: string): T {
  if (answer.status >= 200 && answer.status < 300) return answer.body
  if (answer.status === 401)
    throw new PlaneSessionError(
      `Plane ended the session (401) when asked to ${what}`,
      401,
      'signed-out'
    )
  throw new PlaneSessionError(
    `Plane refused to ${what} (${answer.status}: ${planeMessage(answer.body)})`,
    answer.status,
    'refused'
  )
}

/** What a Plane error body says, in one short line: `error`, `detail`, or a field's messages. */
export function planeMessage(body: unknown): string {
  if (body === null || typeof body !== 'object') return String(body ?? 'no body')
  const record = body as Record<string, unknown>
  const text =
    typeof record.error === 'string'
      ? record.error
      : typeof record.detail === 'string'
        ? record.detail
        : Object.entries(record)
            .map(
              ([key, value]) => `${key}: ${Array.isArray(value) ? value.join(' ') : String(value)}`
            )
            .join('; ')
  return text.length > 300 ? `${text.slice(0, 299)}…` : text
}

function _invitation(row: Record<string, unknown>, slug: string | null): InvitationRow {
  const workspace = row.workspace
  const workspaceSlug =
    slug ??
    (workspace && typeof workspace === 'object'
      ? String((workspace as { slug?: unknown }).slug)
      : null)
  return {
    id: String(row.id),
    email: String(row.email ?? '').toLowerCase(),
    role: Number(row.role ?? 5),
    workspaceSlug,
  }
}
