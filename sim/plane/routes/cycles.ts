/** @module Cycles (plane-api.md §2): `cycle_view=current` is a plain list; v1 POST/PATCH fire `cycle`. */

import { cycleBucket, insertCycle, serializeCycle } from '../cycle-module-ops.ts'
import { checkChar, checkDateTime, checkPk, type FieldErrors, REQUIRED } from '../field-checks.ts'
import { doesNotExist, errorBody, PlaneHttpError } from '../http-errors.ts'
import { paginate } from '../pagination.ts'
import { type RequestData, readObjectBody } from '../request-body.ts'
import type { CycleRecord, PlaneStore } from '../store.ts'
import { noContent, PROJECT, type RouteDeps, requireProject, type SimApp } from './context.ts'

export function registerCycleRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard, activity } = deps
  const ctx = { store, clock }
  const projectCycles = (projectId: string) =>
    [...store.cycles.values()]
      .filter((row) => row.project === projectId && row.deleted_at === null)
      .reverse()
  const find = (projectId: string, id: string) => {
    const cycle = projectCycles(projectId).find((row) => row.id === id)
    if (!cycle) throw doesNotExist()
    return cycle
  }

  app.get(`${PROJECT}/cycles/`, guard('project-entity'), function listCycles(c) {
    const project = requireProject(deps, c)
    const now = clock.nowMs()
    const view = c.req.query('cycle_view') ?? 'all'
    const rows = projectCycles(project.id).filter((row) => row.archived_at === null)
    const serialize = (page: CycleRecord[]) => page.map((row) => serializeCycle(store, row))
    // `current` is the one unpaginated branch.
    if (view === 'current')
      return c.json(serialize(rows.filter((row) => cycleBucket(row, now) === 'current')))
    const filters: Record<string, (row: CycleRecord) => boolean> = {
      upcoming: (row) => row.start_date !== null && Date.parse(row.start_date) > now,
      completed: (row) => row.end_date !== null && Date.parse(row.end_date) < now,
      draft: (row) => row.start_date === null && row.end_date === null,
      incomplete: (row) => row.end_date === null || Date.parse(row.end_date) >= now,
    }
    const filter = filters[view]
    return c.json(paginate(c, filter ? rows.filter(filter) : rows, serialize))
  })

  app.post(`${PROJECT}/cycles/`, guard('project-entity'), async function createCycle(c) {
    const project = requireProject(deps, c)
    const data = await readObjectBody(c)
    // Both dates or neither (§3.3 "Cycle").
    if ((data.start_date == null) !== (data.end_date == null)) {
      throw errorBody(400, 'Both start date and end date are either required or are to be null')
    }
    const input = validateCycleInput(store, data, { partial: false })
    conflict(store, project.id, data)
    const user = c.get('user')
    const cycle = insertCycle(ctx, project.id, { ...input, name: String(input.name) }, user.id)
    activity.created('cycle', cycle.id, user.id)
    // Cycle.objects.get without annotations: the count keys are absent from this response.
    return c.json(cycle, 201)
  })

  app.get(`${PROJECT}/cycles/:pk/`, guard('project-entity'), function getCycle(c) {
    return c.json(serializeCycle(store, find(requireProject(deps, c).id, c.req.param('pk'))))
  })

  app.patch(`${PROJECT}/cycles/:pk/`, guard('project-entity'), async function patchCycle(c) {
    const cycle = find(requireProject(deps, c).id, c.req.param('pk'))
    if (cycle.archived_at) throw errorBody(400, 'Archived cycle cannot be edited')
    const data = await readObjectBody(c)
    const previous = { ...cycle } as Record<string, unknown>
    const input = validateCycleInput(store, data, { partial: true })
    if (data.external_id && data.external_id !== cycle.external_id)
      conflict(store, cycle.project, data)
    Object.assign(cycle, input, { updated_at: clock.stamp(), updated_by: c.get('user').id })
    activity.updated('cycle', cycle.id, c.get('user').id, data, previous)
    return c.json(cycle)
  })

  app.delete(`${PROJECT}/cycles/:pk/`, guard('project-entity'), function deleteCycle(c) {
    const cycle = find(requireProject(deps, c).id, c.req.param('pk'))
    cycle.deleted_at = clock.stamp()
    return noContent(c)
  })
}

function conflict(store: PlaneStore, projectId: string, data: RequestData) {
  if (!data.external_id || !data.external_source) return
  const clash = [...store.cycles.values()].find(
    (row) =>
      row.project === projectId &&
      row.deleted_at === null &&
      row.external_id === data.external_id &&
      row.external_source === data.external_source
  )
  if (clash)
    throw errorBody(409, 'Cycle with the same external id and external source already exists', {
      id: clash.id,
    })
}

function validateCycleInput(
  store: PlaneStore,
  data: RequestData,
  { partial }: { partial: boolean }
) {
  const errors: FieldErrors = {}
  const out: Partial<CycleRecord> = {}
  if (!partial && !('name' in data)) errors.name = [REQUIRED]
  const checks: Record<string, (value: unknown) => { value?: unknown; error?: string }> = {
    name: (v) => checkChar(v),
    description: (v) => checkChar(v, { allowBlank: true, maxLength: 100_000 }),
    start_date: checkDateTime,
    end_date: checkDateTime,
    owned_by: (v) => checkPk(v, (id) => store.users.has(id)),
    external_id: (v) => checkChar(v, { allowBlank: true, allowNull: true }),
    external_source: (v) => checkChar(v, { allowBlank: true, allowNull: true }),
    timezone: (v) => checkChar(v),
  }
  for (const [key, check] of Object.entries(checks)) {
    if (!(key in data)) continue
    const checked = check(data[key])
    if (checked.error) errors[key] = [checked.error]
    else (out as Record<string, unknown>)[key] = checked.value
  }
  if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)
  if (out.start_date && out.end_date && out.start_date > out.end_date) {
    throw new PlaneHttpError(400, { non_field_errors: ['Start date cannot exceed end date'] })
  }
  return out
}
