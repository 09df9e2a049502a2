/** @module Comment rows (`IssueComment`, plane-api.md §3.3 "Comment"). */

import { normalizeDescriptionHtml, stripTags } from './html.ts'
import type { CommentRecord } from './store.ts'
import type { Comment, Uuid } from './types.ts'
import type { WriteContext } from './work-item-ops.ts'

export type CommentInput = {
  comment_html: string
  access?: 'INTERNAL' | 'EXTERNAL'
  external_id?: string | null
  external_source?: string | null
}

/** The actor is always the token's user; `comment_html` goes through the same lxml round-trip. */
export function insertComment(
  ctx: WriteContext,
  projectId: Uuid,
  issueId: Uuid,
  input: CommentInput,
  actorId: Uuid
): CommentRecord {
  const at = ctx.clock.stamp()
  const html = normalizeDescriptionHtml(input.comment_html)
  const comment: CommentRecord = {
    id: crypto.randomUUID(),
    created_at: at,
    updated_at: at,
    deleted_at: null,
    comment_html: html,
    attachments: [],
    access: input.access ?? 'INTERNAL',
    external_source: input.external_source ?? null,
    external_id: input.external_id ?? null,
    edited_at: null,
    created_by: actorId,
    updated_by: null,
    project: projectId,
    workspace: ctx.store.workspace.id,
    description: null,
    issue: issueId,
    actor: actorId,
    parent: null,
    comment_json: {},
    comment_stripped: stripTags(html),
  }
  ctx.store.comments.set(comment.id, comment)
  return comment
}

/** `IssueCommentSerializer`; `is_member` (declared right after `id`) only where the view annotates it. */
export function serializeComment(comment: CommentRecord, isMember?: boolean): Comment {
  const { comment_json: _json, comment_stripped: _stripped, id, ...rest } = comment
  return isMember === undefined ? { id, ...rest } : { id, is_member: isMember, ...rest }
}
