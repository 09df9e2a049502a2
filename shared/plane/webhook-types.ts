/** @module The normalised Plane webhook event: one discriminated union for v1 (CE) and v2 (Cloud) payloads. */

import type { PlaneUserLite } from './schemas.ts'

export const PLANE_WEBHOOK_ENTITIES = [
  'issue',
  'issue_comment',
  'project',
  'cycle',
  'module',
] as const
export type PlaneWebhookEntity = (typeof PLANE_WEBHOOK_ENTITIES)[number]

export const PLANE_WEBHOOK_ACTIONS = ['created', 'updated', 'deleted'] as const
export type PlaneWebhookAction = (typeof PLANE_WEBHOOK_ACTIONS)[number]

/**
 * v1 `activity`: which top-level key changed (one delivery per key, makeplane/plane#7249) and who did it. Values are
 * kept as the diff reads them (a cut string, a list of Plane ids, else null), identifiers only when Plane ids.
 */
export type PlaneWebhookActivity = {
  field: string | null
  oldValue: unknown
  newValue: unknown
  actor: PlaneUserLite | null
  /** For `state`: the state UUIDs (the values are state names). */
  oldIdentifier: string | null
  newIdentifier: string | null
}

type Envelope = {
  format: 'v1' | 'v2'
  /** v1: the webhook *configuration* id, the same on every delivery (not a dedupe key). */
  webhookId: string | null
  workspaceId: string | null
  /** `X-Plane-Delivery` (v1: new on every retry) or v2 `delivery_id`. */
  deliveryId: string | null
  /** v2 only: stable across retries, the natural dedupe key. */
  eventId: string | null
  activity: PlaneWebhookActivity | null
  /** v2 only: the changed keys' values before the change. */
  previousAttributes: Record<string, unknown> | null
}

export type PlaneWebhookStateRef = {
  id: string
  name: string | null
  color: string | null
  group: string | null
}

export type PlaneWebhookLabelRef = { id: string; name: string | null; color: string | null }

/** Issue `data`, with nested state, labels and assignees normalised whether Plane sent ids or objects. */
export type PlaneWebhookIssue = {
  id: string
  name: string
  sequence_id: number | null
  project: string | null
  workspace: string | null
  state: PlaneWebhookStateRef | null
  priority: string | null
  labels: PlaneWebhookLabelRef[]
  assignees: PlaneUserLite[]
  /** Rich-text JSON: `description` in v1.2.0/1.2.1, `description_json` from v1.2.2 (PR #8230). */
  description_json: unknown
  description_html: string | null
  description_stripped: string | null
  start_date: string | null
  target_date: string | null
  completed_at: string | null
  archived_at: string | null
  is_draft: boolean | null
  parent: string | null
  external_id: string | null
  external_source: string | null
  created_at: string | null
  updated_at: string | null
  created_by: string | null
  updated_by: string | null
}

export type PlaneWebhookComment = {
  id: string
  issue: string | null
  project: string | null
  workspace: string | null
  comment_html: string | null
  comment_stripped: string | null
  access: string | null
  /** The author's id (`actor`), and their UserLite when the payload carries it (`actor_detail`). */
  actor: string | null
  actor_detail: PlaneUserLite | null
  external_id: string | null
  external_source: string | null
  created_at: string | null
  updated_at: string | null
}

export type PlaneWebhookProject = {
  id: string
  name: string
  identifier: string | null
  description: string | null
  network: number | null
  archived_at: string | null
  workspace: string | null
  created_at: string | null
  updated_at: string | null
}

export type PlaneWebhookCycle = {
  id: string
  name: string
  project: string | null
  start_date: string | null
  end_date: string | null
  archived_at: string | null
}

export type PlaneWebhookModule = {
  id: string
  name: string
  project: string | null
  status: string | null
  start_date: string | null
  target_date: string | null
  archived_at: string | null
}

type Live<E extends PlaneWebhookEntity, D> = Envelope & {
  type: `${E}.created` | `${E}.updated`
  entity: E
  action: 'created' | 'updated'
  data: D
}

/** Deletes carry only the id (plane-api.md §7.3). */
type Deleted<E extends PlaneWebhookEntity> = Envelope & {
  type: `${E}.deleted`
  entity: E
  action: 'deleted'
  data: { id: string }
}

export type PlaneWebhookEvent =
  | Live<'issue', PlaneWebhookIssue>
  | Deleted<'issue'>
  | Live<'issue_comment', PlaneWebhookComment>
  | Deleted<'issue_comment'>
  | Live<'project', PlaneWebhookProject>
  | Deleted<'project'>
  | Live<'cycle', PlaneWebhookCycle>
  | Deleted<'cycle'>
  | Live<'module', PlaneWebhookModule>
  | Deleted<'module'>

export type PlaneWebhookParseErrorReason = 'invalid_json' | 'unknown_event' | 'invalid_payload'

/** A signed body that is not a Plane webhook we understand: kept apart as unreadable, never processed. */
export class PlaneWebhookParseError extends Error {
  override readonly name = 'PlaneWebhookParseError'
  constructor(
    readonly reason: PlaneWebhookParseErrorReason,
    message: string,
    readonly issues: readonly string[] = []
  ) {
    super(message)
  }
}
