/** @module `users/me`, workspace members and project members (plane-api.md §2, §3.3 "Roles"). */

import { addProjectMember } from '../factories.ts'
import { errorBody, PlaneHttpError } from '../http-errors.ts'
import { readObjectBody } from '../request-body.ts'
import { userLite } from '../serialize.ts'
import { PROJECT, type RouteDeps, type SimApp, V1, WS } from './context.ts'

export function registerMemberRoutes(app: SimApp, deps: RouteDeps) {
  const { store, guard } = deps

  app.get(`${V1}/users/me/`, guard('authenticated'), function getMe(c) {
    return c.json(userLite(c.get('user')))
  })

  // A plain list, not paginated; inactive members are listed too (no is_active filter).
  app.get(`${WS}/members/`, guard('workspace-writer'), function listWorkspaceMembers(c) {
    const rows = store.workspaceMembers.flatMap((row) => {
      const user = store.users.get(row.member)
      return user ? [{ ...userLite(user), role: row.role }] : []
    })
    return c.json(rows)
  })

  // UserLite only, no role; the project is not checked against the caller's memberships beyond
  // "member of some project" (ProjectMemberPermission), and inactive members stay listed.
  for (const path of [`${PROJECT}/members/`, `${PROJECT}/project-members/`]) {
    app.get(path, guard('project-member'), function listProjectMembers(c) {
      const projectId = c.req.param('project_id')
      const ids = new Set(
        store.projectMembers.filter((row) => row.project === projectId).map((row) => row.member)
      )
      return c.json([...store.users.values()].filter((user) => ids.has(user.id)).map(userLite))
    })
  }

  const addMember = guard('project-admin')
  for (const path of [`${PROJECT}/members/`, `${PROJECT}/project-members/`]) {
    app.post(path, addMember, async function addProjectMemberRoute(c) {
      const data = await readObjectBody(c)
      const memberId = data.member
      const errors: Record<string, string[]> = {}
      if (memberId === undefined) errors.member = ['This field is required.']
      else if (typeof memberId !== 'string' || !store.users.has(memberId)) {
        errors.member = [`Invalid pk "${String(memberId)}" - object does not exist.`]
      } else if (!store.workspaceMembers.some((row) => row.member === memberId)) {
        errors.member = ['Member not found in workspace']
      }
      const role = data.role ?? 5
      if (![5, 15, 20].includes(role as number)) {
        errors.role = [`"${String(role)}" is not a valid choice.`]
      }
      if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)
      const projectId = c.req.param('project_id') ?? ''
      const exists = store.projectMembers.some(
        (row) => row.project === projectId && row.member === memberId
      )
      // The unique (project, member) constraint surfaces as an IntegrityError.
      if (exists) throw errorBody(400, 'The payload is not valid')
      const row = addProjectMember(store, projectId, memberId as string, role as 5 | 15 | 20)
      return c.json({ id: row.id, member: row.member, role: row.role }, 201)
    })
  }
}
