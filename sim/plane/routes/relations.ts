/** @module Work-item relations: v1 endpoint only from v1.3.0 (PR #8763); "no URL matched" in 1.2.x (§2). */

import { checkChoice, checkPkList, type FieldErrors, REQUIRED } from '../field-checks.ts'
import { PlaneHttpError } from '../http-errors.ts'
import { liveIssue } from '../queries.ts'
import { readObjectBody } from '../request-body.ts'
import type { RelationRecord } from '../store.ts'
import type { RelationType } from '../types.ts'
import { PROJECT, type RouteDeps, type SimApp } from './context.ts'

const RELATION_TYPES: readonly RelationType[] = [
  'blocking',
  'blocked_by',
  'duplicate',
  'relates_to',
  'start_before',
  'start_after',
  'finish_before',
  'finish_after',
]
/** `get_actual_relation`: the reverse kinds are stored as their forward twin with issues swapped. */
const STORED_AS: Partial<Record<RelationType, RelationType>> = {
  blocking: 'blocked_by',
  start_after: 'start_before',
  finish_after: 'finish_before',
}

export function registerRelationRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard, version } = deps
  const path = `${PROJECT}/work-items/:issue_id/relations/`

  // In 1.2.x no URL pattern exists, so the app's 404 handler answers `Page not found.`.
  if (version !== '1.3') return

  app.get(path, guard('project-entity'), function listRelations(c) {
    const issueId = c.req.param('issue_id')
    const live = store.relations.filter((row) => row.deleted_at === null)
    const forward = (type: RelationType) =>
      live
        .filter((r) => r.relation_type === type && r.issue === issueId)
        .map((r) => r.related_issue)
    const backward = (type: RelationType) =>
      live
        .filter((r) => r.relation_type === type && r.related_issue === issueId)
        .map((r) => r.issue)
    const both = (type: RelationType) => [...new Set([...forward(type), ...backward(type)])]
    return c.json({
      blocking: backward('blocked_by'),
      blocked_by: forward('blocked_by'),
      duplicate: both('duplicate'),
      relates_to: both('relates_to'),
      start_after: backward('start_before'),
      start_before: forward('start_before'),
      finish_after: backward('finish_before'),
      finish_before: forward('finish_before'),
    })
  })

  app.post(path, guard('project-entity'), async function createRelations(c) {
    const data = await readObjectBody(c)
    const errors: FieldErrors = {}
    const type =
      'relation_type' in data
        ? checkChoice(data.relation_type, RELATION_TYPES)
        : { error: REQUIRED }
    if (type.error) errors.relation_type = [type.error]
    const issues =
      'issues' in data
        ? checkPkList(data.issues, (id) => liveIssue(store, id) !== undefined)
        : { error: [REQUIRED] }
    if (issues.error) errors.issues = issues.error
    if (Object.keys(errors).length) throw new PlaneHttpError(400, errors)
    const relationType = type.value as RelationType
    const stored = STORED_AS[relationType] ?? relationType
    const reverse = stored !== relationType
    const issueId = c.req.param('issue_id') ?? ''
    const rows: RelationRecord[] = []
    for (const other of issues.value ?? []) {
      const issue = reverse ? other : issueId
      const related = reverse ? issueId : other
      const existing = store.relations.find(
        (r) =>
          r.deleted_at === null &&
          r.issue === issue &&
          r.related_issue === related &&
          r.relation_type === stored
      )
      const row = existing ?? {
        id: crypto.randomUUID(),
        project: c.req.param('project_id') ?? '',
        issue,
        related_issue: related,
        relation_type: stored,
        deleted_at: null,
      }
      if (!existing) store.relations.push(row)
      rows.push(row)
    }
    const at = clock.stamp()
    return c.json(
      rows.map((row) => {
        const other = store.issues.get(reverse ? row.issue : row.related_issue)
        return {
          id: other?.id,
          name: other?.name,
          sequence_id: other?.sequence_id,
          project_id: other?.project,
          relation_type: reverse ? relationType : stored,
          state_id: other?.state,
          priority: other?.priority,
          created_at: at,
          updated_at: at,
          created_by: c.get('user').id,
          updated_by: c.get('user').id,
        }
      }),
      201
    )
  })
}
