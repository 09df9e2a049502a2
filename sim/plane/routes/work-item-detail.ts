/** @module Work-item get/patch/delete, lookup by `PROJ-42`, and search (§2, §3.1, §7.2). */

import { splitIdentifier } from '../access.ts'
import { doesNotExist, errorBody, PlaneHttpError, serverError } from '../http-errors.ts'
import { findProjectMember, isListedIssue, liveIssue } from '../queries.ts'
import { readObjectBody } from '../request-body.ts'
import { serializeWorkItem, workItemView } from '../serialize.ts'
import { validateWorkItemInput } from '../work-item-input.ts'
import { softDeleteWorkItem, updateWorkItem } from '../work-item-ops.ts'
import { noContent, PROJECT, type RouteDeps, requireProject, type SimApp, WS } from './context.ts'
import { findByExternalId, shapeOptions, WORK_ITEM_PREFIXES } from './work-items.ts'

export function registerWorkItemDetailRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard, activity } = deps
  const ctx = { store, clock }

  for (const prefix of WORK_ITEM_PREFIXES) {
    const path = `${PROJECT}/${prefix}/:pk/`

    app.get(path, guard('project-entity'), function getWorkItem(c) {
      const project = requireProject(deps, c)
      const issue = store.issues.get(c.req.param('pk') ?? '')
      if (!issue || issue.project !== project.id || !isListedIssue(store, issue))
        throw doesNotExist()
      return c.json(serializeWorkItem(store, issue, shapeOptions(c)))
    })

    // PATCH uses Issue.objects (not issue_objects): drafts, triage and archived items are editable.
    app.patch(path, guard('project-entity'), async function patchWorkItem(c) {
      const project = requireProject(deps, c)
      const issue = liveIssue(store, c.req.param('pk') ?? '')
      if (!issue || issue.project !== project.id) throw doesNotExist()
      const data = await readObjectBody(c)
      const previous = workItemView(issue)
      const changes = validateWorkItemInput(store, project.id, data, { partial: true })
      if (data.external_id && issue.external_id !== String(data.external_id)) {
        const source = data.external_source ?? issue.external_source
        if (findByExternalId(store, project.id, data.external_id, source)) {
          // Plane answers with the id of the item being patched, not of the one it clashes with.
          throw errorBody(
            409,
            'Issue with the same external id and external source already exists',
            {
              id: issue.id,
            }
          )
        }
      }
      const user = c.get('user')
      updateWorkItem(ctx, issue, changes, user.id)
      // makeplane/plane#6746: v1 PATCH calls no model_activity before v1.3.0 (PR #8792).
      if (deps.version === '1.3') activity.updated('issue', issue.id, user.id, data, previous)
      return c.json(workItemView(issue))
    })

    // makeplane/plane#8054: issue deletes never fire a webhook, in any version.
    app.delete(path, guard('project-entity'), function deleteWorkItem(c) {
      const project = requireProject(deps, c)
      const issue = liveIssue(store, c.req.param('pk') ?? '')
      if (!issue || issue.project !== project.id) throw doesNotExist()
      const user = c.get('user')
      const admin = findProjectMember(store, project.id, user.id, 20) !== undefined
      if (issue.created_by !== user.id && !admin) {
        throw errorBody(403, 'Only admin or creator can delete the work item')
      }
      softDeleteWorkItem(ctx, issue.id, user.id)
      return noContent(c)
    })
  }

  // Registered before the identifier route: `search` has no dash, so it never matches `PROJ-42`.
  for (const prefix of WORK_ITEM_PREFIXES) {
    app.get(`${WS}/${prefix}/search/`, guard('authenticated'), function searchWorkItems(c) {
      const query = c.req.query('search') ?? ''
      if (!query) return c.json({ issues: [] })
      const limit = Number.parseInt(c.req.query('limit') ?? '10', 10)
      if (Number.isNaN(limit)) throw serverError()
      const projectFilter =
        c.req.query('workspace_search') === 'false' || !c.req.query('workspace_search')
      const projectId = c.req.query('project_id')
      const sequences = (query.match(/\b\d+\b/g) ?? []).map(Number)
      const needle = query.toLowerCase()
      const userId = c.get('user').id
      const hits = [...store.issues.values()].filter((issue) => {
        const project = store.projects.get(issue.project)
        if (
          !project ||
          !isListedIssue(store, issue) ||
          !findProjectMember(store, project.id, userId)
        )
          return false
        if (projectFilter && projectId && issue.project !== projectId) return false
        return (
          issue.name.toLowerCase().includes(needle) ||
          sequences.includes(issue.sequence_id) ||
          project.identifier.toLowerCase().includes(needle)
        )
      })
      const issues = hits.slice(0, limit).map((issue) => ({
        name: issue.name,
        id: issue.id,
        sequence_id: issue.sequence_id,
        project__identifier: store.projects.get(issue.project)?.identifier,
        project_id: issue.project,
        workspace__slug: store.workspace.slug,
      }))
      return c.json({ issues })
    })

    app.get(`${WS}/${prefix}/:identifier/`, guard('project-entity'), function getByIdentifier(c) {
      const parts = splitIdentifier(c.req.param('identifier'))
      if (!parts) throw new PlaneHttpError(404, { error: 'Page not found.' })
      // `sequence_id="abc"` is a ValueError in the ORM, which Plane turns into a 500.
      if (!/^\s*[+-]?\d+\s*$/.test(parts.sequence)) throw serverError()
      const sequence = Number(parts.sequence)
      const issue = [...store.issues.values()].find((row) => {
        const project = store.projects.get(row.project)
        return (
          project?.identifier === parts.project &&
          row.sequence_id === sequence &&
          isListedIssue(store, row)
        )
      })
      if (!issue) throw doesNotExist()
      return c.json(serializeWorkItem(store, issue, shapeOptions(c)))
    })
  }
}
