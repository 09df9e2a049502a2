/** @module Workflow states (plane-api.md §3.2): POST answers 200, Triage is hidden and uncreatable. */

import { slugify } from '../factories.ts'
import {
  checkBoolean,
  checkChar,
  checkChoice,
  checkFloat,
  type FieldErrors,
  REQUIRED,
} from '../field-checks.ts'
import { doesNotExist, errorBody, nonFieldError, PlaneHttpError } from '../http-errors.ts'
import { paginate } from '../pagination.ts'
import { projectStates } from '../queries.ts'
import { type RequestData, readObjectBody } from '../request-body.ts'
import type { PlaneStore } from '../store.ts'
import type { State } from '../types.ts'
import { noContent, PROJECT, type RouteDeps, requireProject, type SimApp } from './context.ts'

const GROUPS = ['backlog', 'unstarted', 'started', 'completed', 'cancelled', 'triage'] as const

export function registerStateRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard } = deps
  const visible = (projectId: string) =>
    projectStates(store, projectId).filter((state) => state.group !== 'triage' && !state.is_triage)
  const find = (projectId: string, stateId: string) => {
    const state = visible(projectId).find((row) => row.id === stateId)
    if (!state) throw doesNotExist()
    return state
  }

  app.get(`${PROJECT}/states/`, guard('project-entity'), function listStates(c) {
    const project = requireProject(deps, c)
    const rows = project.archived_at ? [] : visible(project.id)
    return c.json(paginate(c, rows, (page) => page))
  })

  app.post(`${PROJECT}/states/`, guard('project-entity'), async function createState(c) {
    const project = requireProject(deps, c)
    const data = await readObjectBody(c)
    const input = validateStateInput(data, { partial: false })
    conflictOnExternalId(store, project.id, data)
    const existing = visible(project.id).find((row) => row.name === input.name)
    if (existing) {
      throw errorBody(409, 'State with the same name already exists in the project', {
        id: existing.id,
      })
    }
    const at = clock.stamp()
    const sequences = visible(project.id).map((row) => row.sequence)
    if (input.default) for (const row of projectStates(store, project.id)) row.default = false
    const state: State = {
      id: crypto.randomUUID(),
      created_at: at,
      updated_at: at,
      deleted_at: null,
      name: String(input.name),
      description: String(input.description ?? ''),
      color: String(input.color),
      slug: slugify(String(input.name)),
      sequence: sequences.length ? Math.max(...sequences) + 15000 : 65535,
      group: (input.group as State['group']) ?? 'backlog',
      is_triage: false,
      default: Boolean(input.default ?? false),
      external_source: (input.external_source as string | undefined) ?? null,
      external_id: (input.external_id as string | undefined) ?? null,
      created_by: c.get('user').id,
      updated_by: null,
      project: project.id,
      workspace: store.workspace.id,
    }
    store.states.set(state.id, state)
    // §3.2: 200, not 201.
    return c.json(state, 200)
  })

  app.get(`${PROJECT}/states/:state_id/`, guard('project-entity'), function getState(c) {
    return c.json(find(requireProject(deps, c).id, c.req.param('state_id')))
  })

  app.patch(`${PROJECT}/states/:state_id/`, guard('project-entity'), async function patchState(c) {
    const state = find(requireProject(deps, c).id, c.req.param('state_id'))
    const data = await readObjectBody(c)
    const input = validateStateInput(data, { partial: true })
    if (data.external_id && data.external_id !== state.external_id) {
      conflictOnExternalId(store, state.project, data)
    }
    if (input.default) for (const row of projectStates(store, state.project)) row.default = false
    Object.assign(state, input, { updated_at: clock.stamp(), updated_by: c.get('user').id })
    return c.json(state)
  })

  app.delete(`${PROJECT}/states/:state_id/`, guard('project-entity'), function deleteState(c) {
    const state = find(requireProject(deps, c).id, c.req.param('state_id'))
    if (state.default) throw errorBody(400, 'Default state cannot be deleted')
    const used = [...store.issues.values()].some(
      (row) => row.state === state.id && row.deleted_at === null
    )
    if (used) throw errorBody(400, 'The state is not empty, only empty states can be deleted')
    state.deleted_at = clock.stamp()
    return noContent(c)
  })
}

function conflictOnExternalId(store: PlaneStore, projectId: string, data: RequestData) {
  if (!data.external_id || !data.external_source) return
  const clash = [...store.states.values()].find(
    (row) =>
      row.project === projectId &&
      row.deleted_at === null &&
      row.external_id === data.external_id &&
      row.external_source === data.external_source
  )
  if (clash) {
    throw errorBody(409, 'State with the same external id and external source already exists', {
      id: clash.id,
    })
  }
}

function validateStateInput(data: RequestData, { partial }: { partial: boolean }) {
  const errors: FieldErrors = {}
  const out: Record<string, unknown> = {}
  const field = (
    key: string,
    check: (value: unknown) => { value?: unknown; error?: string },
    required = false
  ) => {
    if (!(key in data)) {
      if (required && !partial) errors[key] = [REQUIRED]
      return
    }
    const checked = check(data[key])
    if (checked.error) errors[key] = [checked.error]
    else out[key] = checked.value
  }
  field('name', (v) => checkChar(v), true)
  field('color', (v) => checkChar(v), true)
  field('description', (v) => checkChar(v, { allowBlank: true, maxLength: 100_000 }))
  field('group', (v) => checkChoice(v, GROUPS))
  field('default', checkBoolean)
  field('sequence', checkFloat)
  field('external_id', (v) => checkChar(v, { allowBlank: true, allowNull: true }))
  field('external_source', (v) => checkChar(v, { allowBlank: true, allowNull: true }))
  if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)
  if (out.group === 'triage') throw nonFieldError('Cannot create triage state')
  if (typeof out.name === 'string') out.slug = slugify(out.name)
  return out
}
