/** @module Per-route guard in DRF order: URL match → authentication → permission → throttle (§1, §3.3, §5). */

import type { Context, MiddlewareHandler } from 'hono'
import {
  invalidToken,
  notAuthenticated,
  pageNotFound,
  permissionDenied,
  throttled,
} from './http-errors.ts'
import { findProjectMember, findWorkspaceMember } from './queries.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { PlaneStore, UserRecord } from './store.ts'

export type SimEnv = { Variables: { user: UserRecord; apiKey: string } }

/**
 * The permission classes of the v1 views (`plane/app/permissions/*.py`):
 * - `authenticated`: `IsAuthenticated` only (users/me, attachments).
 * - `project-base`: `ProjectBasePermission` (projects): GET any workspace member, POST workspace
 *   Admin/Member, PATCH/DELETE project Admin (or project member who is workspace Admin).
 * - `workspace-writer`: `WorkSpaceAdminPermission` (workspace members): workspace Admin/Member.
 * - `workspace-owner`: `WorkspaceOwnerPermission` (invitations): workspace Admin.
 * - `project-entity`: `ProjectEntityPermission`: reads by any active project member, writes by
 *   Admin/Member; by-identifier reads check the project with that identifier.
 * - `project-member`: `ProjectMemberPermission` (labels, member list): GET by a member of *any*
 *   project of the workspace, POST by workspace Admin/Member, other writes by project Admin/Member.
 * - `project-admin`: `ProjectAdminPermission` (adding project members).
 * - `project-lite`: `ProjectLitePermission` (comments): any active project member, any method.
 */
export type AccessRule =
  | 'authenticated'
  | 'project-base'
  | 'workspace-writer'
  | 'workspace-owner'
  | 'project-entity'
  | 'project-member'
  | 'project-admin'
  | 'project-lite'

export type GuardDeps = {
  store: PlaneStore
  limiter: RateLimiter
  now: () => number
}

export type GuardOptions = { throttle?: boolean }

// Django's `<uuid:…>` converter only matches lowercase hex; anything else is "no URL matched".
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const UUID_PARAMS = new Set([
  'pk',
  'project_id',
  'issue_id',
  'state_id',
  'cycle_id',
  'module_id',
  'asset_id',
])
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function createGuard(deps: GuardDeps) {
  return function guard(rule: AccessRule, { throttle = true }: GuardOptions = {}) {
    const middleware: MiddlewareHandler<SimEnv> = async function planeGuard(c, next) {
      for (const [name, value] of Object.entries(c.req.param() as Record<string, string>)) {
        if (UUID_PARAMS.has(name) && !UUID_PATTERN.test(value)) throw pageNotFound()
        if (name === 'identifier' && !splitIdentifier(value)) throw pageNotFound()
      }
      const apiKey = c.req.header('x-api-key')
      const user = authenticate(deps, apiKey)
      if (!hasPermission(deps.store, rule, c, user)) throw permissionDenied()
      c.set('user', user)
      c.set('apiKey', apiKey ?? '')
      if (!throttle) return next()
      const decision = deps.limiter.check(`api_key:${apiKey}`)
      if (!decision.allowed) throw throttled(decision.retryAfterS)
      await next()
      // finalize_response copies these onto every response that passed the throttle.
      c.res.headers.set('X-RateLimit-Remaining', String(decision.remaining))
      c.res.headers.set('X-RateLimit-Reset', String(decision.resetS))
    }
    return middleware
  }
}

function authenticate(deps: GuardDeps, apiKey: string | undefined): UserRecord {
  if (!apiKey) throw notAuthenticated()
  const token = deps.store.tokens.get(apiKey)
  const live =
    token?.is_active === true && (token.expired_at === null || token.expired_at > deps.now())
  const user = live ? deps.store.users.get(token.user) : undefined
  if (!user) throw invalidToken()
  return user
}

function hasPermission(
  store: PlaneStore,
  rule: AccessRule,
  c: Context<SimEnv>,
  user: UserRecord
): boolean {
  const slug = c.req.param('slug') ?? ''
  const projectId = c.req.param('project_id') ?? c.req.param('pk') ?? ''
  const safe = SAFE_METHODS.has(c.req.method)
  const workspaceRole = findWorkspaceMember(store, user.id, slug)?.role ?? 0
  const inWorkspace = slug === store.workspace.slug
  const memberOf = (minRole: 5 | 15 | 20) =>
    inWorkspace && findProjectMember(store, projectId, user.id, minRole) !== undefined
  switch (rule) {
    case 'authenticated':
      return true
    case 'workspace-writer':
      return workspaceRole >= 15
    case 'workspace-owner':
      return workspaceRole === 20
    case 'project-base':
      if (safe) return workspaceRole > 0
      if (c.req.method === 'POST') return workspaceRole >= 15
      return memberOf(20) || (memberOf(5) && workspaceRole === 20)
    case 'project-entity': {
      const identifier = c.req.param('identifier')
      if (identifier !== undefined)
        return safe && identifierMember(store, user.id, slug, identifier)
      return memberOf(safe ? 5 : 15)
    }
    case 'project-member':
      if (safe)
        return (
          inWorkspace && store.projectMembers.some((row) => row.member === user.id && row.is_active)
        )
      if (c.req.method === 'POST') return workspaceRole >= 15
      return memberOf(15)
    case 'project-admin':
      return memberOf(20)
    case 'project-lite':
      return memberOf(5)
  }
}

/**
 * `<str:project_identifier>-<str:issue_identifier>`: the greedy first group splits at the *last*
 * dash, so `MY-APP-7` is project `MY-APP`, issue `7`. No dash means no URL matched.
 */
export function splitIdentifier(value: string): { project: string; sequence: string } | undefined {
  const match = /^(.+)-(.+)$/.exec(value)
  if (!match) return undefined
  const [, project = '', sequence = ''] = match
  return { project, sequence }
}

function identifierMember(store: PlaneStore, userId: string, slug: string, identifier: string) {
  const projectIdentifier = splitIdentifier(identifier)?.project
  if (slug !== store.workspace.slug) return false
  return [...store.projects.values()].some(
    (project) =>
      project.identifier === projectIdentifier &&
      project.deleted_at === null &&
      findProjectMember(store, project.id, userId) !== undefined
  )
}
