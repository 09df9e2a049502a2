/** @module Projects: list, get, create, patch, delete (plane-api.md §2, §3.3 "Project", §7.2). */

import type { NewProjectInput } from '../factories.ts'
import { checkBoolean, checkChar, type FieldErrors, REQUIRED } from '../field-checks.ts'
import { doesNotExist, errorBody, nonFieldError, PlaneHttpError } from '../http-errors.ts'
import { paginate } from '../pagination.ts'
import {
  insertProject,
  projectModelData,
  serializeProject,
  visibleProjects,
} from '../project-ops.ts'
import { type RequestData, readObjectBody } from '../request-body.ts'
import type { PlaneStore, ProjectRecord } from '../store.ts'
import { noContent, type RouteDeps, type SimApp, WS } from './context.ts'

// Project.FORBIDDEN_IDENTIFIER_CHARS_PATTERN, applied to names and identifiers alike.
const FORBIDDEN_CHARS = /[&+,:;$^}{*=?@#|'<>.()%!-]/
const BOOLEAN_KEYS = ['module_view', 'cycle_view', 'issue_views_view', 'page_view', 'intake_view']

export function registerProjectRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard, activity } = deps
  const findVisible = (viewerId: string, id: string) => {
    const project = visibleProjects(store, viewerId).find((row) => row.id === id)
    if (!project) throw doesNotExist()
    return project
  }

  // Default order is the caller's per-project sort_order (newest membership first).
  app.get(`${WS}/projects/`, guard('project-base'), function listProjects(c) {
    const viewer = c.get('user').id
    const rows = visibleProjects(store, viewer)
      .map((project) => serializeProject(store, project, viewer, { withSortOrder: true }))
      .sort(
        (a, b) =>
          (a.sort_order ?? Number.POSITIVE_INFINITY) - (b.sort_order ?? Number.POSITIVE_INFINITY)
      )
    return c.json(paginate(c, rows, (page) => page))
  })

  app.get(`${WS}/projects/:pk/`, guard('project-base'), function getProject(c) {
    const viewer = c.get('user').id
    return c.json(serializeProject(store, findVisible(viewer, c.req.param('pk')), viewer))
  })

  app.post(`${WS}/projects/`, guard('project-base'), async function createProject(c) {
    const data = await readObjectBody(c)
    const input = validateProjectInput(store, data, { partial: false })
    const identifier = String(input.identifier).trim().toUpperCase()
    const live = [...store.projects.values()].filter((row) => row.deleted_at === null)
    // The identifier check raises ValidationError first; a taken name is an IntegrityError later.
    if (live.some((row) => row.identifier === identifier)) {
      throw new PlaneHttpError(409, { identifier: 'The project identifier is already taken' })
    }
    if (live.some((row) => row.name === input.name)) {
      throw new PlaneHttpError(409, { name: 'The project name is already taken' })
    }
    const user = c.get('user')
    const project = insertProject(
      store,
      clock,
      { ...input, name: String(input.name), identifier } as NewProjectInput,
      user.id
    )
    activity.created('project', project.id, user.id)
    return c.json(serializeProject(store, project, user.id), 201)
  })

  app.patch(`${WS}/projects/:pk/`, guard('project-base'), async function patchProject(c) {
    const project = store.projects.get(c.req.param('pk'))
    if (!project || project.deleted_at !== null) throw doesNotExist()
    if (project.archived_at) throw errorBody(400, 'Archived project cannot be updated')
    const data = await readObjectBody(c)
    const previous = projectModelData(project)
    const changes = validateProjectInput(store, data, { partial: true })
    const others = [...store.projects.values()].filter(
      (row) => row.deleted_at === null && row.id !== project.id
    )
    if (changes.name !== undefined && others.some((row) => row.name === changes.name)) {
      throw new PlaneHttpError(409, { name: 'The project name is already taken' })
    }
    if (changes.identifier !== undefined) {
      changes.identifier = String(changes.identifier).toUpperCase()
      if (others.some((row) => row.identifier === changes.identifier)) {
        throw new PlaneHttpError(409, { identifier: 'The project identifier is already taken' })
      }
    }
    Object.assign(project, changes, { updated_at: clock.stamp(), updated_by: c.get('user').id })
    activity.updated('project', project.id, c.get('user').id, data, previous)
    return c.json(serializeProject(store, project, c.get('user').id))
  })

  app.delete(`${WS}/projects/:pk/`, guard('project-base'), function deleteProject(c) {
    const project = store.projects.get(c.req.param('pk'))
    if (!project || project.deleted_at !== null) throw doesNotExist()
    project.deleted_at = clock.stamp()
    activity.deleted('project', project.id, c.get('user').id)
    return noContent(c)
  })

  app.post(`${WS}/projects/:project_id/archive/`, guard('project-base'), function archive(c) {
    const project = requireLive(store, c.req.param('project_id'))
    project.archived_at = clock.stamp()
    return noContent(c)
  })
  app.delete(`${WS}/projects/:project_id/archive/`, guard('project-base'), function unarchive(c) {
    const project = requireLive(store, c.req.param('project_id'))
    project.archived_at = null
    return noContent(c)
  })
}

function requireLive(store: PlaneStore, id: string): ProjectRecord {
  const project = store.projects.get(id)
  if (!project || project.deleted_at !== null) throw doesNotExist()
  return project
}

type ProjectInput = Partial<Record<keyof ProjectRecord, unknown>>

/** `ProjectCreateSerializer` / `ProjectUpdateSerializer` field checks and `validate()`. */
function validateProjectInput(
  store: PlaneStore,
  data: RequestData,
  { partial }: { partial: boolean }
) {
  const errors: FieldErrors = {}
  const out: ProjectInput = {}
  const text = (
    key: 'name' | 'identifier' | 'description',
    maxLength: number,
    allowBlank = false
  ) => {
    if (!(key in data)) {
      if (!partial && key !== 'description') errors[key] = [REQUIRED]
      return
    }
    const checked = checkChar(data[key], { maxLength, allowBlank })
    if (checked.error) errors[key] = [checked.error]
    else out[key] = checked.value
  }
  text('name', 255)
  text('identifier', 12)
  text('description', 100_000, true)
  for (const key of BOOLEAN_KEYS) {
    if (!(key in data)) continue
    const checked = checkBoolean(data[key])
    if (checked.error) errors[key] = [checked.error]
    else out[key as keyof ProjectRecord] = checked.value
  }
  for (const key of [
    'project_lead',
    'default_assignee',
    'external_id',
    'external_source',
  ] as const) {
    if (key in data) out[key] = data[key]
  }
  if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)
  if (typeof out.name === 'string' && FORBIDDEN_CHARS.test(out.name)) {
    throw nonFieldError('Project name cannot contain special characters.')
  }
  if (typeof out.identifier === 'string' && FORBIDDEN_CHARS.test(out.identifier)) {
    throw nonFieldError('Project identifier cannot contain special characters.')
  }
  const inWorkspace = (id: unknown) => store.workspaceMembers.some((row) => row.member === id)
  if (out.project_lead != null && !inWorkspace(out.project_lead)) {
    throw nonFieldError('Project lead should be a user in the workspace')
  }
  if (out.default_assignee != null && !inWorkspace(out.default_assignee)) {
    throw nonFieldError('Default assignee should be a user in the workspace')
  }
  return out as ProjectInput & { name?: string; identifier?: string }
}
