/** @module Work-item children, webhooks and invitations as the v1 API returns them (plane-api.md §3.3, §3.4, §7.1). */

import type { IsoDateTime, Role, Uuid } from './types-scalars.ts'

/** `IssueCommentSerializer` (§3.3); `is_member` only on GET. */
export type Comment = {
  id: Uuid
  is_member?: boolean
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  comment_html: string
  attachments: string[]
  access: 'INTERNAL' | 'EXTERNAL'
  external_source: string | null
  external_id: string | null
  edited_at: IsoDateTime | null
  created_by: Uuid | null
  updated_by: Uuid | null
  project: Uuid
  workspace: Uuid
  description: Uuid | null
  issue: Uuid
  actor: Uuid | null
  parent: Uuid | null
}

export type Link = {
  id: Uuid
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  title: string | null
  url: string
  metadata: Record<string, unknown>
  created_by: Uuid | null
  updated_by: Uuid | null
  project: Uuid
  workspace: Uuid
  issue: Uuid
}

export type Activity = {
  id: Uuid
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  verb: 'created' | 'updated' | 'deleted' | 'removed'
  field: string | null
  old_value: string | null
  new_value: string | null
  comment: string
  attachments: string[]
  old_identifier: Uuid | null
  new_identifier: Uuid | null
  epoch: number
  project: Uuid
  workspace: Uuid
  issue: Uuid | null
  issue_comment: Uuid | null
  actor: Uuid | null
}

/** `Webhook` model as the session API's create response shows it (§7.1), secret included. */
export type Webhook = {
  id: Uuid
  url: string
  is_active: boolean
  secret_key: string
  project: boolean
  issue: boolean
  module: boolean
  cycle: boolean
  issue_comment: boolean
  is_internal: boolean
  version: 'v1'
  created_at: IsoDateTime
  updated_at: IsoDateTime
  workspace: Uuid
}

export type Invitation = {
  id: Uuid
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  email: string
  accepted: boolean
  token: string
  message: string | null
  responded_at: IsoDateTime | null
  role: Role
  created_by: Uuid | null
  updated_by: Uuid | null
  workspace: Uuid
}

/** `FileAsset` as the attachment endpoints return it (§3.4). */
export type Attachment = {
  id: Uuid
  created_at: IsoDateTime
  updated_at: IsoDateTime
  deleted_at: IsoDateTime | null
  attributes: { name: string; type: string; size: number }
  asset: string
  entity_type: 'ISSUE_ATTACHMENT'
  is_deleted: boolean
  is_archived: boolean
  external_id: string | null
  external_source: string | null
  size: number
  is_uploaded: boolean
  storage_metadata: Record<string, unknown> | null
  created_by: Uuid | null
  updated_by: Uuid | null
  workspace: Uuid
  project: Uuid
  issue: Uuid
}

/** v1.3 relation kinds (PR #8763). */
export type RelationType =
  | 'blocking'
  | 'blocked_by'
  | 'duplicate'
  | 'relates_to'
  | 'start_before'
  | 'start_after'
  | 'finish_before'
  | 'finish_after'
