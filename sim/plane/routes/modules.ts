/** @module Modules (plane-api.md §2, §3.3 "Module"): v1 POST/PATCH fire `module`. */

import { insertModule, MODULE_STATUSES, serializeModule } from '../cycle-module-ops.ts'
import {
  checkChar,
  checkChoice,
  checkDate,
  checkPk,
  checkPkList,
  type FieldErrors,
  REQUIRED,
} from '../field-checks.ts'
import { doesNotExist, errorBody, PlaneHttpError } from '../http-errors.ts'
import { paginate } from '../pagination.ts'
import { type RequestData, readObjectBody } from '../request-body.ts'
import type { ModuleRecord, PlaneStore } from '../store.ts'
import { noContent, PROJECT, type RouteDeps, requireProject, type SimApp } from './context.ts'

export function registerModuleRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard, activity } = deps
  const ctx = { store, clock }
  const projectModules = (projectId: string) =>
    [...store.modules.values()]
      .filter((row) => row.project === projectId && row.deleted_at === null)
      .reverse()
  const find = (projectId: string, id: string) => {
    const module = projectModules(projectId).find((row) => row.id === id)
    if (!module) throw doesNotExist()
    return module
  }

  app.get(`${PROJECT}/modules/`, guard('project-entity'), function listModules(c) {
    const rows = projectModules(requireProject(deps, c).id).filter(
      (row) => row.archived_at === null
    )
    return c.json(paginate(c, rows, (page) => page.map((row) => serializeModule(store, row))))
  })

  app.post(`${PROJECT}/modules/`, guard('project-entity'), async function createModule(c) {
    const project = requireProject(deps, c)
    const data = await readObjectBody(c)
    const input = validateModuleInput(store, data, { partial: false })
    if (data.external_id && data.external_source) {
      const clash = projectModules(project.id).find(
        (row) =>
          row.external_id === data.external_id && row.external_source === data.external_source
      )
      if (clash)
        throw errorBody(
          409,
          'Module with the same external id and external source already exists',
          { id: clash.id }
        )
    }
    // The (name, project) unique constraint surfaces as an IntegrityError (§6).
    if (projectModules(project.id).some((row) => row.name === input.name)) {
      throw errorBody(400, 'The payload is not valid')
    }
    const user = c.get('user')
    const module = insertModule(ctx, project.id, { ...input, name: String(input.name) }, user.id)
    activity.created('module', module.id, user.id)
    return c.json(serializeModule(store, module), 201)
  })

  app.get(`${PROJECT}/modules/:pk/`, guard('project-entity'), function getModule(c) {
    return c.json(serializeModule(store, find(requireProject(deps, c).id, c.req.param('pk'))))
  })

  app.patch(`${PROJECT}/modules/:pk/`, guard('project-entity'), async function patchModule(c) {
    const module = find(requireProject(deps, c).id, c.req.param('pk'))
    if (module.archived_at) throw errorBody(400, 'Archived module cannot be edited')
    const data = await readObjectBody(c)
    const previous = serializeModule(store, module) as unknown as Record<string, unknown>
    const input = validateModuleInput(store, data, { partial: true })
    Object.assign(module, input, { updated_at: clock.stamp(), updated_by: c.get('user').id })
    activity.updated('module', module.id, c.get('user').id, data, previous)
    return c.json(serializeModule(store, module))
  })

  app.delete(`${PROJECT}/modules/:pk/`, guard('project-entity'), function deleteModule(c) {
    const module = find(requireProject(deps, c).id, c.req.param('pk'))
    module.deleted_at = clock.stamp()
    return noContent(c)
  })
}

function validateModuleInput(
  store: PlaneStore,
  data: RequestData,
  { partial }: { partial: boolean }
) {
  const errors: FieldErrors = {}
  const out: Partial<ModuleRecord> = {}
  if (!partial && !('name' in data)) errors.name = [REQUIRED]
  const checks: Record<string, (value: unknown) => { value?: unknown; error?: unknown }> = {
    name: (v) => checkChar(v),
    description: (v) => checkChar(v, { allowBlank: true, maxLength: 100_000 }),
    start_date: checkDate,
    target_date: checkDate,
    status: (v) => checkChoice(v, MODULE_STATUSES),
    lead: (v) => checkPk(v, (id) => store.users.has(id)),
    members: (v) => checkPkList(v, (id) => store.users.has(id)),
    external_id: (v) => checkChar(v, { allowBlank: true, allowNull: true }),
    external_source: (v) => checkChar(v, { allowBlank: true, allowNull: true }),
  }
  for (const [key, check] of Object.entries(checks)) {
    if (!(key in data)) continue
    const checked = check(data[key])
    if (checked.error !== undefined)
      errors[key] = typeof checked.error === 'string' ? [checked.error] : checked.error
    else (out as Record<string, unknown>)[key] = checked.value
  }
  if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)
  if (out.start_date && out.target_date && out.start_date > out.target_date) {
    throw new PlaneHttpError(400, { non_field_errors: ['Start date cannot exceed target date'] })
  }
  return out
}
