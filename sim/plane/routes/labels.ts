/** @module Labels (plane-api.md §3.3 "Label"): POST 201, a duplicate name is 409 with the existing id. */

import { newLabel } from '../factories.ts'
import { checkChar, checkFloat, checkPk, type FieldErrors, REQUIRED } from '../field-checks.ts'
import { doesNotExist, errorBody, PlaneHttpError } from '../http-errors.ts'
import { paginate } from '../pagination.ts'
import { findProjectMember } from '../queries.ts'
import { type RequestData, readObjectBody } from '../request-body.ts'
import { findLabel } from '../serialize.ts'
import type { PlaneStore } from '../store.ts'
import { noContent, PROJECT, type RouteDeps, type SimApp } from './context.ts'

export function registerLabelRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard } = deps
  const projectLabels = (projectId: string) =>
    [...store.labels.values()].filter((row) => row.project === projectId && row.deleted_at === null)

  // ProjectMemberPermission lets a member of *another* project in; the queryset then filters on the
  // caller's membership of this one, so they get an empty page rather than a 403.
  app.get(`${PROJECT}/labels/`, guard('project-member'), function listLabels(c) {
    const projectId = c.req.param('project_id')
    const member = findProjectMember(store, projectId, c.get('user').id) !== undefined
    return c.json(paginate(c, member ? projectLabels(projectId) : [], (page) => page))
  })

  app.post(`${PROJECT}/labels/`, guard('project-member'), async function createLabel(c) {
    const projectId = c.req.param('project_id')
    const data = await readObjectBody(c)
    const input = validateLabelInput(store, data, { partial: false })
    if (data.external_id && data.external_source) {
      const clash = projectLabels(projectId).find(
        (row) =>
          row.external_id === data.external_id && row.external_source === data.external_source
      )
      if (clash) {
        throw errorBody(409, 'Label with the same external id and external source already exists', {
          id: clash.id,
        })
      }
    }
    const existing = projectLabels(projectId).find((row) => row.name === input.name)
    if (existing) {
      throw errorBody(409, 'Label with the same name already exists in the project', {
        id: existing.id,
      })
    }
    const label = newLabel(
      store,
      clock,
      projectId,
      { ...input, name: String(input.name) },
      c.get('user').id
    )
    store.labels.set(label.id, label)
    return c.json(label, 201)
  })

  // The detail view inherits the list's queryset: a caller who is not a member of this project is told the label
  // does not exist (404), even one it has just made there.
  app.get(`${PROJECT}/labels/:pk/`, guard('project-member'), function getLabel(c) {
    const projectId = c.req.param('project_id')
    const label = findLabel(store, projectId, c.req.param('pk'))
    if (findProjectMember(store, projectId, c.get('user').id) === undefined) throw doesNotExist()
    return c.json(label)
  })

  app.patch(`${PROJECT}/labels/:pk/`, guard('project-member'), async function patchLabel(c) {
    const label = findLabel(store, c.req.param('project_id'), c.req.param('pk'))
    const input = validateLabelInput(store, await readObjectBody(c), { partial: true })
    const clash = projectLabels(label.project).find(
      (row) => row.name === input.name && row.id !== label.id
    )
    if (clash)
      throw errorBody(409, 'Label with the same name already exists in the project', {
        id: clash.id,
      })
    Object.assign(label, input, { updated_at: clock.stamp(), updated_by: c.get('user').id })
    return c.json(label)
  })

  app.delete(`${PROJECT}/labels/:pk/`, guard('project-member'), function deleteLabel(c) {
    const label = findLabel(store, c.req.param('project_id'), c.req.param('pk'))
    label.deleted_at = clock.stamp()
    for (const issue of store.issues.values())
      issue.labels = issue.labels.filter((id) => id !== label.id)
    return noContent(c)
  })
}

function validateLabelInput(
  store: PlaneStore,
  data: RequestData,
  { partial }: { partial: boolean }
) {
  const errors: FieldErrors = {}
  const out: Record<string, unknown> = {}
  if (!partial && !('name' in data)) errors.name = [REQUIRED]
  const checks: Record<string, (value: unknown) => { value?: unknown; error?: string }> = {
    name: (v) => checkChar(v),
    color: (v) => checkChar(v, { allowBlank: true }),
    description: (v) => checkChar(v, { allowBlank: true, maxLength: 100_000 }),
    sort_order: checkFloat,
    parent: (v) => checkPk(v, (id) => store.labels.get(id)?.deleted_at === null),
    external_id: (v) => checkChar(v, { allowBlank: true, allowNull: true }),
    external_source: (v) => checkChar(v, { allowBlank: true, allowNull: true }),
  }
  for (const [key, check] of Object.entries(checks)) {
    if (!(key in data)) continue
    const checked = check(data[key])
    if (checked.error) errors[key] = [checked.error]
    else out[key] = checked.value
  }
  if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)
  return out
}
