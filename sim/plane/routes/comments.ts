/** @module Work-item comments (plane-api.md §3.3 "Comment"): v1 POST/PATCH fire `issue_comment` (§7.2). */

import { addChildActivity, recordCommentActivity } from '../activity-log.ts'
import { insertComment, serializeComment } from '../comment-ops.ts'
import { checkChar, checkChoice, type FieldErrors } from '../field-checks.ts'
import { normalizeDescriptionHtml, stripTags } from '../html.ts'
import { errorBody, PlaneHttpError } from '../http-errors.ts'
import { paginate } from '../pagination.ts'
import { findProjectMember } from '../queries.ts'
import { type RequestData, readObjectBody } from '../request-body.ts'
import type { CommentRecord, PlaneStore } from '../store.ts'
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

const CONFLICT = 'Work item comment with the same external id and external source already exists'

export function registerCommentRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard, activity } = deps
  const ctx = { store, clock }
  const scoped = (c: SimContext) => workItemChildren(c, store.comments.values())
  const find = (c: SimContext): CommentRecord => findWorkItemChild(c, store.comments.values())

  for (const prefix of WORK_ITEM_PREFIXES) {
    const list = `${PROJECT}/${prefix}/:issue_id/comments/`
    const detail = `${list}:pk/`

    app.get(list, guard('project-lite'), function listComments(c) {
      const isMember = isCallerMember(store, c)
      return c.json(
        paginate(c, scoped(c), (page) => page.map((row) => serializeComment(row, isMember)))
      )
    })

    app.post(list, guard('project-lite'), async function createComment(c) {
      const projectId = c.req.param('project_id') ?? ''
      const issueId = c.req.param('issue_id') ?? ''
      const data = await readObjectBody(c)
      if (data.external_id && data.external_source) {
        const clash = externalClash(store, projectId, data.external_id, data.external_source)
        if (clash) throw errorBody(409, CONFLICT, { id: clash.id })
      }
      const input = validateCommentInput(data)
      if (store.issues.get(issueId)?.project !== projectId)
        throw errorBody(400, 'The payload is not valid')
      const user = c.get('user')
      const comment = insertComment(
        ctx,
        projectId,
        issueId,
        { comment_html: '<p></p>', ...input },
        user.id
      )
      addChildActivity(store, clock, user.id, {
        verb: 'created',
        field: 'comment',
        issue: issueId,
        project: projectId,
        issue_comment: comment.id,
        comment: 'created a comment',
      })
      activity.created('issue_comment', comment.id, user.id)
      return c.json(serializeComment(comment), 201)
    })

    app.get(detail, guard('project-lite'), function getComment(c) {
      return c.json(serializeComment(find(c), isCallerMember(store, c)))
    })

    app.patch(detail, guard('project-lite'), async function patchComment(c) {
      const comment = find(c)
      const data = await readObjectBody(c)
      const previous = serializeComment(comment) as Record<string, unknown>
      if (data.external_id && comment.external_id !== String(data.external_id)) {
        const source = data.external_source ?? comment.external_source
        if (externalClash(store, comment.project, data.external_id, source)) {
          throw errorBody(409, CONFLICT, { id: comment.id })
        }
      }
      const input = validateCommentInput(data)
      const at = clock.stamp()
      Object.assign(comment, input, { updated_at: at, updated_by: c.get('user').id })
      if (input.comment_html !== undefined) {
        comment.edited_at = at
        comment.comment_stripped = stripTags(comment.comment_html)
      }
      // `issue_activity(type="comment.activity.updated")`: a row only when the HTML changed, the task touched anyway.
      recordCommentActivity(store, clock, c.get('user').id, comment, 'updated', {
        changed: previous.comment_html !== comment.comment_html,
      })
      activity.updated('issue_comment', comment.id, c.get('user').id, data, previous)
      return c.json(serializeComment(comment))
    })

    // §7.2: comment deletes never fire a webhook; `issue_activity` still touches the task.
    app.delete(detail, guard('project-lite'), function deleteComment(c) {
      const comment = find(c)
      comment.deleted_at = clock.stamp()
      recordCommentActivity(store, clock, c.get('user').id, comment, 'deleted')
      return noContent(c)
    })
  }
}

function isCallerMember(store: PlaneStore, c: SimContext): boolean {
  return findProjectMember(store, c.req.param('project_id') ?? '', c.get('user').id) !== undefined
}

function externalClash(store: PlaneStore, projectId: string, externalId: unknown, source: unknown) {
  return [...store.comments.values()].find(
    (row) =>
      row.project === projectId &&
      row.deleted_at === null &&
      row.external_id === String(externalId) &&
      row.external_source === String(source)
  )
}

function validateCommentInput(data: RequestData) {
  const errors: FieldErrors = {}
  const out: {
    comment_html?: string
    access?: 'INTERNAL' | 'EXTERNAL'
    external_id?: string | null
    external_source?: string | null
  } = {}
  if ('comment_html' in data) {
    if (typeof data.comment_html !== 'string') errors.comment_html = ['Not a valid string.']
    else out.comment_html = data.comment_html
  }
  if ('access' in data) {
    const checked = checkChoice(data.access, ['INTERNAL', 'EXTERNAL'])
    if (checked.error) errors.access = [checked.error]
    else out.access = checked.value as 'INTERNAL' | 'EXTERNAL'
  }
  for (const key of ['external_id', 'external_source'] as const) {
    if (!(key in data)) continue
    const checked = checkChar(data[key], { allowBlank: true, allowNull: true })
    if (checked.error) errors[key] = [checked.error]
    else out[key] = checked.value ?? null
  }
  if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)
  // Same lxml round-trip as descriptions; "" is "Invalid HTML passed".
  if (out.comment_html !== undefined) out.comment_html = normalizeDescriptionHtml(out.comment_html)
  return out
}
