/** @module Work-item links and activities (plane-api.md §3.3 "Link", "Activity"); neither fires webhooks. */

import { addChildActivity } from '../activity-log.ts'
import { checkChar, type FieldErrors, REQUIRED } from '../field-checks.ts'
import { doesNotExist, errorBody, PlaneHttpError } from '../http-errors.ts'
import { paginate } from '../pagination.ts'
import { type RequestData, readObjectBody } from '../request-body.ts'
import type { Link } from '../types.ts'
import {
  findWorkItemChild,
  noContent,
  PROJECT,
  type RouteDeps,
  type SimApp,
  type SimContext,
  workItemChildren,
} from './context.ts'
import { WORK_ITEM_PREFIXES } from './work-items.ts'

// Activities on these fields belong to other feeds and are excluded from the list (§3.3).
const HIDDEN_ACTIVITY_FIELDS = new Set(['comment', 'vote', 'reaction', 'draft'])

export function registerLinkRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard } = deps
  const scoped = (c: SimContext) => workItemChildren(c, store.links.values())
  const find = (c: SimContext): Link => findWorkItemChild(c, store.links.values())

  for (const prefix of WORK_ITEM_PREFIXES) {
    const list = `${PROJECT}/${prefix}/:issue_id/links/`
    const detail = `${list}:pk/`

    app.get(list, guard('project-entity'), function listLinks(c) {
      return c.json(paginate(c, scoped(c), (page) => page))
    })

    app.post(list, guard('project-entity'), async function createLink(c) {
      const projectId = c.req.param('project_id') ?? ''
      const issueId = c.req.param('issue_id') ?? ''
      const input = validateLinkInput(await readObjectBody(c), { partial: false })
      if (scoped(c).some((row) => row.url === input.url)) {
        throw errorBody(400, 'URL already exists for this Issue')
      }
      if (store.issues.get(issueId)?.project !== projectId)
        throw errorBody(400, 'The payload is not valid')
      const at = clock.stamp()
      const user = c.get('user')
      const link: Link = {
        id: crypto.randomUUID(),
        created_at: at,
        updated_at: at,
        deleted_at: null,
        // The title is crawled asynchronously (`crawl_work_item_link_title`); the sim never fills it.
        title: input.title ?? null,
        url: String(input.url),
        metadata: {},
        created_by: user.id,
        updated_by: null,
        project: projectId,
        workspace: store.workspace.id,
        issue: issueId,
      }
      store.links.set(link.id, link)
      addChildActivity(store, clock, user.id, {
        verb: 'created',
        field: 'link',
        issue: issueId,
        project: projectId,
        new_value: link.url,
        comment: 'created a link',
      })
      return c.json(link, 201)
    })

    app.get(detail, guard('project-entity'), function getLink(c) {
      return c.json(find(c))
    })

    app.patch(detail, guard('project-entity'), async function patchLink(c) {
      const link = find(c)
      const input = validateLinkInput(await readObjectBody(c), { partial: true })
      if (input.url && scoped(c).some((row) => row.url === input.url && row.id !== link.id)) {
        throw errorBody(400, 'URL already exists for this Issue')
      }
      Object.assign(link, input, { updated_at: clock.stamp(), updated_by: c.get('user').id })
      return c.json(link)
    })

    app.delete(detail, guard('project-entity'), function deleteLink(c) {
      find(c).deleted_at = clock.stamp()
      return noContent(c)
    })

    app.get(
      `${PROJECT}/${prefix}/:issue_id/activities/`,
      guard('project-entity'),
      function listActivities(c) {
        const rows = store.activities.filter(
          (row) =>
            row.issue === c.req.param('issue_id') &&
            row.project === c.req.param('project_id') &&
            !HIDDEN_ACTIVITY_FIELDS.has(row.field ?? '')
        )
        return c.json(paginate(c, rows, (page) => page))
      }
    )

    app.get(
      `${PROJECT}/${prefix}/:issue_id/activities/:pk/`,
      guard('project-entity'),
      function getActivity(c) {
        const row = store.activities.find(
          (item) => item.id === c.req.param('pk') && item.issue === c.req.param('issue_id')
        )
        if (!row) throw doesNotExist()
        return c.json(row)
      }
    )
  }
}

function validateLinkInput(data: RequestData, { partial }: { partial: boolean }) {
  const errors: FieldErrors = {}
  const out: { url?: string; title?: string | null } = {}
  if (!('url' in data)) {
    if (!partial) errors.url = [REQUIRED]
  } else {
    const checked = checkChar(data.url, { maxLength: 100_000 })
    if (checked.error) errors.url = [checked.error]
    else if (!/^https?:\/\/[^\s/$.?#][^\s]*$/i.test(String(checked.value)))
      errors.url = ['Enter a valid URL.']
    else out.url = String(checked.value)
  }
  if ('title' in data) {
    const checked = checkChar(data.title, { allowBlank: true, allowNull: true })
    if (checked.error) errors.title = [checked.error]
    else out.title = checked.value ?? null
  }
  if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)
  return out
}
