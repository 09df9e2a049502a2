/** @module zod schemas for work items and what hangs off them (plane-api.md §3.1, §3.3, §3.4); as tolerant as `schemas.ts`. */

import * as z from 'zod'
import { flag, num, ref, text } from './schema-fields.ts'
import { planeLabelSchema, planeStateLiteSchema, planeUserLiteSchema } from './schemas.ts'

const parentLiteSchema = z.looseObject({ id: z.string(), sequence_id: num, project_id: text })
const projectLiteSchema = z.looseObject({ id: z.string(), name: text, identifier: text })
const workspaceLiteSchema = z.looseObject({ id: z.string(), name: text, slug: text })

export const planeWorkItemSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  sequence_id: num,
  project: ref(projectLiteSchema),
  workspace: ref(workspaceLiteSchema),
  state: ref(planeStateLiteSchema),
  priority: text,
  assignees: z.array(z.union([z.string(), planeUserLiteSchema])).nullish(),
  labels: z.array(z.union([z.string(), planeLabelSchema])).nullish(),
  parent: ref(parentLiteSchema),
  description_html: text,
  description_binary: text,
  start_date: text,
  target_date: text,
  completed_at: text,
  archived_at: text,
  deleted_at: text,
  is_draft: flag,
  sort_order: num,
  point: num,
  estimate_point: z.unknown().optional(),
  type_id: text,
  external_id: text,
  external_source: text,
  created_at: text,
  updated_at: text,
  created_by: ref(planeUserLiteSchema),
  updated_by: ref(planeUserLiteSchema),
})

/** What `fields=` gives back: only the asked keys (we always ask for `id`). */
export const planeWorkItemPartialSchema = planeWorkItemSchema.partial().extend({ id: z.string() })

/** `GET workspaces/{slug}/work-items/search/` (not paginated). */
export const planeWorkItemSearchSchema = z.looseObject({
  issues: z.array(
    z.looseObject({
      id: z.string(),
      name: text,
      sequence_id: num,
      project_id: text,
      project__identifier: text,
      workspace__slug: text,
    })
  ),
})

export const planeCommentSchema = z.looseObject({
  id: z.string(),
  comment_html: text,
  comment_stripped: text,
  access: text,
  actor: ref(planeUserLiteSchema),
  issue: text,
  project: text,
  workspace: text,
  parent: text,
  external_id: text,
  external_source: text,
  edited_at: text,
  created_at: text,
  updated_at: text,
  created_by: text,
})

export const planeLinkSchema = z.looseObject({
  id: z.string(),
  url: z.string(),
  title: text,
  metadata: z.unknown().optional(),
  issue: text,
  project: text,
  workspace: text,
  created_at: text,
  created_by: text,
})

export const planeActivitySchema = z.looseObject({
  id: z.string(),
  verb: text,
  field: text,
  old_value: text,
  new_value: text,
  old_identifier: text,
  new_identifier: text,
  comment: text,
  epoch: num,
  actor: ref(planeUserLiteSchema),
  issue: text,
  issue_comment: text,
  project: text,
  workspace: text,
  created_at: text,
})

export const planeAttachmentSchema = z.looseObject({
  id: z.string(),
  attributes: z.looseObject({ name: text, size: num, type: text }).nullish(),
  asset: text,
  asset_url: text,
  is_uploaded: flag,
  issue: text,
  project: text,
  workspace: text,
  external_id: text,
  external_source: text,
  created_at: text,
})

/** Step 1 of the upload (plane-api.md §3.4): where and how to POST the bytes. */
export const planeAttachmentUploadSchema = z.looseObject({
  upload_data: z.looseObject({
    url: z.string(),
    fields: z.record(z.string(), z.string()),
  }),
  asset_id: z.string(),
  attachment: planeAttachmentSchema.nullish(),
  asset_url: text,
})

/** v1.3.0+ `GET …/relations/`: a dict keyed by relation type (blocking, blocked_by, relates_to, …). */
export const planeRelationsSchema = z.record(
  z.string(),
  z.array(
    z.union([
      z.string(),
      z.looseObject({ id: text, issue_id: text, project_id: text, sequence_id: num }),
    ])
  )
)

export type PlaneWorkItem = z.infer<typeof planeWorkItemSchema>
export type PlaneWorkItemPartial = z.infer<typeof planeWorkItemPartialSchema>
export type PlaneWorkItemSearch = z.infer<typeof planeWorkItemSearchSchema>
export type PlaneComment = z.infer<typeof planeCommentSchema>
export type PlaneLink = z.infer<typeof planeLinkSchema>
export type PlaneActivity = z.infer<typeof planeActivitySchema>
export type PlaneAttachment = z.infer<typeof planeAttachmentSchema>
export type PlaneAttachmentUpload = z.infer<typeof planeAttachmentUploadSchema>
export type PlaneRelations = z.infer<typeof planeRelationsSchema>
