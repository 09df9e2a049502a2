/** @module Work-item list, create and upsert under `work-items/` and the deprecated `issues/` (§2, §3.1, §4). */

import { doesNotExist, errorBody } from '../http-errors.ts'
import { orderIssues } from '../ordering.ts'
import { paginate } from '../pagination.ts'
import { listedIssues } from '../queries.ts'
import { readObjectBody } from '../request-body.ts'
import { readListParam, serializeWorkItem, workItemView } from '../serialize.ts'
import type { IssueRecord, PlaneStore } from '../store.ts'
import { validateWorkItemInput } from '../work-item-input.ts'
import { insertWorkItem, updateWorkItem } from '../work-item-ops.ts'
import { PROJECT, type RouteDeps, requireProject, type SimApp, type SimContext } from './context.ts'

/** Both prefixes map to the same views (`# Deprecated url patterns`). */
export const WORK_ITEM_PREFIXES = ['work-items', 'issues'] as const

export function shapeOptions(c: SimContext) {
  return {
    fields: readListParam(c.req.query('fields')),
    expand: readListParam(c.req.query('expand')),
  }
}

/** `Issue.objects.get(external_id=…, external_source=…)`: soft-deleted rows hidden, drafts/triage not. */
export function findByExternalId(
  store: PlaneStore,
  projectId: string,
  externalId: unknown,
  externalSource: unknown
): IssueRecord | undefined {
  return [...store.issues.values()].find(
    (row) =>
      row.project === projectId &&
      row.deleted_at === null &&
      row.external_id === String(externalId) &&
      row.external_source === String(externalSource)
  )
}

export function registerWorkItemRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard, activity } = deps
  const ctx = { store, clock }

  for (const prefix of WORK_ITEM_PREFIXES) {
    const base = `${PROJECT}/${prefix}/`

    // No filters exist (§4): every other query parameter is ignored, except the external-id pair,
    // which returns one object (not a page) or 404.
    app.get(base, guard('project-entity'), function listWorkItems(c) {
      const project = requireProject(deps, c)
      const externalId = c.req.query('external_id')
      const externalSource = c.req.query('external_source')
      if (externalId && externalSource) {
        const issue = findByExternalId(store, project.id, externalId, externalSource)
        if (!issue) throw doesNotExist()
        return c.json(serializeWorkItem(store, issue, shapeOptions(c)))
      }
      const rows = listedIssues(store, project.id)
      const ordered = orderIssues(store, rows, c.req.query('order_by') ?? '-created_at')
      const shape = shapeOptions(c)
      return c.json(
        paginate(c, ordered, (page) => page.map((row) => serializeWorkItem(store, row, shape)))
      )
    })

    app.post(base, guard('project-entity'), async function createWorkItem(c) {
      const project = requireProject(deps, c)
      const data = await readObjectBody(c)
      const changes = validateWorkItemInput(store, project.id, data, { partial: false })
      if (data.external_id && data.external_source) {
        const clash = findByExternalId(store, project.id, data.external_id, data.external_source)
        if (clash) {
          throw errorBody(
            409,
            'Issue with the same external id and external source already exists',
            {
              id: clash.id,
            }
          )
        }
      }
      const user = c.get('user')
      const issue = insertWorkItem(ctx, project.id, changes, user.id)
      // v1 POST calls model_activity: an `issue` `created` webhook (§7.2), in every version.
      activity.created('issue', issue.id, user.id)
      return c.json(workItemView(issue), 201)
    })

    // Upsert by external id. It never calls model_activity, so no webhook in 1.2.x.
    app.put(base, guard('project-entity'), async function upsertWorkItem(c) {
      const project = requireProject(deps, c)
      const data = await readObjectBody(c)
      if (!data.external_id || !data.external_source) {
        throw errorBody(400, 'external_id and external_source are required')
      }
      const user = c.get('user')
      const existing = findByExternalId(store, project.id, data.external_id, data.external_source)
      if (existing) {
        const previous = workItemView(existing)
        const changes = validateWorkItemInput(store, project.id, data, { partial: true })
        updateWorkItem(ctx, existing, changes, user.id)
        if (deps.version === '1.3') activity.updated('issue', existing.id, user.id, data, previous)
        return c.json(workItemView(existing), 200)
      }
      const changes = validateWorkItemInput(store, project.id, data, { partial: false })
      const issue = insertWorkItem(ctx, project.id, changes, user.id)
      if (deps.version === '1.3') activity.created('issue', issue.id, user.id)
      return c.json(workItemView(issue), 201)
    })
  }
}
