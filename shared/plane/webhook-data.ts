/**
 * @module Tolerant zod schemas for webhook `data`, each transforming into the normalised shape. Plane CE
 * nests state/labels/assignees as objects (plane-api.md §7.3); v2 payloads may carry ids (`state_id`,
 * `label_ids`, `assignee_ids`); both become the same objects here.
 *
 * Bounded (principle 10, issue 38): every id must be a Plane id (a UUID) or the delivery is refused (an id becomes a
 * store key and a Plane URL segment: `NaN` or a 200 KB string must reach neither); names and other short text are
 * cut to Plane's own 255 characters (Plane never sends more: only a forged or broken delivery does, and a cut name
 * loses nothing the bridge decides on); a list of labels or assignees longer than `LIST_MAX_ITEMS` is refused (a
 * cut list would read as people taken off the task). Long text (descriptions, comments) is cut by the parser, to
 * the settings' lengths.
 */

import * as z from 'zod'
import { capText } from '../text/cap.ts'
import {
  capShortOrNull,
  isPlaneId,
  LIST_MAX_ITEMS,
  PLANE_NAME_MAX_CHARS,
  planeIdSchema,
} from './limits.ts'
import type { PlaneUserLite } from './schemas.ts'
import type {
  PlaneWebhookComment,
  PlaneWebhookCycle,
  PlaneWebhookIssue,
  PlaneWebhookLabelRef,
  PlaneWebhookModule,
  PlaneWebhookProject,
  PlaneWebhookStateRef,
} from './webhook-types.ts'

/**
 * What a schema gives; the parser adds `raw`, the decoded data itself: copying every key Plane sends (a loose
 * object) for a field nothing on the hot path reads was the largest allocation of parsing an issue delivery.
 */
type WithoutRaw<T> = Omit<T, 'raw'>

const text = z.string().nullish()
const num = z.number().nullish()
const name = z.string().transform((s) => capText(s, PLANE_NAME_MAX_CHARS))
const short = z
  .string()
  .nullish()
  .transform((s) => capShortOrNull(s))

/** A Plane id, or nothing (`null`, absent, `""`): anything else refuses the delivery. */
const optionalId = z
  .string()
  .nullish()
  .transform((id, ctx) => _checkedId(id, ctx))

/** A foreign key as a UUID or as a nested object with an id; gives the id. */
const idRef = z
  .union([z.string(), z.looseObject({ id: z.string() })])
  .nullish()
  .transform((ref, ctx) => _checkedId(typeof ref === 'object' && ref ? ref.id : ref, ctx))

/** A UserLite as Plane nests it (assignees, actors), kept to the fields the bridge reads, each cut; id unchecked. */
const userObjectSchema = z
  .looseObject({
    id: z.string(),
    first_name: text,
    last_name: text,
    email: text,
    display_name: text,
  })
  .transform(
    (u): PlaneUserLite => ({
      id: u.id,
      first_name: capShortOrNull(u.first_name),
      last_name: capShortOrNull(u.last_name),
      email: capShortOrNull(u.email),
      display_name: capShortOrNull(u.display_name),
    })
  )

/** A UserLite as Plane nests it, its id checked. */
export const webhookUserSchema = userObjectSchema.transform(_checkedRef)
/** A user as an id or a UserLite (an actor, an assignee), its id checked. */
export const webhookUserRefSchema = z.union([z.string(), userObjectSchema]).transform(_checkedRef)

const stateRefSchema = z.looseObject({ id: z.string(), name: text, color: text, group: text })
const labelRefSchema = z.looseObject({ id: z.string(), name: text, color: text })
const list = <T extends z.ZodType>(item: T) =>
  z.array(item).max(LIST_MAX_ITEMS, `more than ${LIST_MAX_ITEMS} items: not a Plane work item`)

export const webhookIssueSchema = z
  .object({
    id: planeIdSchema,
    name,
    sequence_id: num,
    project: idRef,
    project_id: optionalId,
    workspace: idRef,
    workspace_id: optionalId,
    state: z.union([z.string(), stateRefSchema]).transform(_checkedRef).nullish(),
    state_id: optionalId,
    priority: short,
    labels: list(z.union([z.string(), labelRefSchema]).transform(_checkedRef)).nullish(),
    label_ids: list(planeIdSchema).nullish(),
    assignees: list(webhookUserRefSchema).nullish(),
    assignee_ids: list(planeIdSchema).nullish(),
    description_json: z.unknown().optional(),
    description: z.unknown().optional(),
    description_html: text,
    description_stripped: text,
    start_date: short,
    target_date: short,
    completed_at: short,
    archived_at: short,
    is_draft: z.boolean().nullish(),
    parent: idRef,
    parent_id: optionalId,
    external_id: short,
    external_source: short,
    created_at: short,
    updated_at: short,
    created_by: idRef,
    updated_by: idRef,
  })
  .transform(
    (d): WithoutRaw<PlaneWebhookIssue> => ({
      id: d.id,
      name: d.name,
      sequence_id: d.sequence_id ?? null,
      project: d.project ?? d.project_id,
      workspace: d.workspace ?? d.workspace_id,
      state: _state(d.state, d.state_id),
      priority: d.priority,
      labels: _labels(d.labels, d.label_ids),
      assignees: (d.assignees ?? d.assignee_ids ?? []).map((a) =>
        typeof a === 'string' ? { id: a } : a
      ),
      // v1.2.0/1.2.1 call it `description`; from v1.2.2 `description` is a copy of `description_json`.
      description_json:
        d.description_json ?? (typeof d.description === 'string' ? null : d.description) ?? null,
      description_html: d.description_html ?? null,
      description_stripped: d.description_stripped ?? null,
      start_date: d.start_date,
      target_date: d.target_date,
      completed_at: d.completed_at,
      archived_at: d.archived_at,
      is_draft: d.is_draft ?? null,
      parent: d.parent ?? d.parent_id,
      external_id: d.external_id,
      external_source: d.external_source,
      created_at: d.created_at,
      updated_at: d.updated_at,
      created_by: d.created_by,
      updated_by: d.updated_by,
    })
  )

export const webhookCommentSchema = z
  .object({
    id: planeIdSchema,
    issue: idRef,
    issue_id: optionalId,
    project: idRef,
    project_id: optionalId,
    workspace: idRef,
    workspace_id: optionalId,
    comment_html: text,
    comment_stripped: text,
    access: short,
    actor: webhookUserRefSchema.nullish(),
    actor_detail: webhookUserSchema.nullish(),
    external_id: short,
    external_source: short,
    created_at: short,
    updated_at: short,
  })
  .transform(
    (d): WithoutRaw<PlaneWebhookComment> => ({
      id: d.id,
      issue: d.issue ?? d.issue_id,
      project: d.project ?? d.project_id,
      workspace: d.workspace ?? d.workspace_id,
      comment_html: d.comment_html ?? null,
      comment_stripped: d.comment_stripped ?? null,
      access: d.access,
      actor: (typeof d.actor === 'string' ? d.actor : d.actor?.id) ?? d.actor_detail?.id ?? null,
      actor_detail: d.actor_detail ?? (typeof d.actor === 'object' ? d.actor : null) ?? null,
      external_id: d.external_id,
      external_source: d.external_source,
      created_at: d.created_at,
      updated_at: d.updated_at,
    })
  )

export const webhookProjectSchema = z
  .object({
    id: planeIdSchema,
    name,
    identifier: short,
    description: text,
    network: num,
    archived_at: short,
    workspace: idRef,
    created_at: short,
    updated_at: short,
  })
  .transform(
    (d): WithoutRaw<PlaneWebhookProject> => ({
      id: d.id,
      name: d.name,
      identifier: d.identifier,
      description: d.description ?? null,
      network: d.network ?? null,
      archived_at: d.archived_at,
      workspace: d.workspace,
      created_at: d.created_at,
      updated_at: d.updated_at,
    })
  )

export const webhookCycleSchema = z
  .object({
    id: planeIdSchema,
    name,
    project: idRef,
    project_id: optionalId,
    start_date: short,
    end_date: short,
    archived_at: short,
  })
  .transform(
    (d): WithoutRaw<PlaneWebhookCycle> => ({
      id: d.id,
      name: d.name,
      project: d.project ?? d.project_id,
      start_date: d.start_date,
      end_date: d.end_date,
      archived_at: d.archived_at,
    })
  )

export const webhookModuleSchema = z
  .object({
    id: planeIdSchema,
    name,
    project: idRef,
    project_id: optionalId,
    status: short,
    start_date: short,
    target_date: short,
    archived_at: short,
  })
  .transform(
    (d): WithoutRaw<PlaneWebhookModule> => ({
      id: d.id,
      name: d.name,
      project: d.project ?? d.project_id,
      status: d.status,
      start_date: d.start_date,
      target_date: d.target_date,
      archived_at: d.archived_at,
    })
  )

export const webhookDeletedSchema = z
  .looseObject({ id: planeIdSchema })
  .transform((d) => ({ id: d.id }))

// --- Internal helpers ---

/** A reference as an id or an object carrying one, its id checked and lower-cased; a junk id refuses the delivery. */
function _checkedRef<T extends string | { id: string }>(ref: T, ctx: z.RefinementCtx): T {
  const id = typeof ref === 'string' ? ref : ref.id
  if (!isPlaneId(id)) {
    ctx.addIssue({ code: 'custom', message: 'must be a Plane id (a UUID)' })
    return z.NEVER
  }
  return (
    typeof ref === 'string'
      ? id.toLowerCase()
      : { ...(ref as { id: string }), id: id.toLowerCase() }
  ) as T
}

/** `id` checked as a Plane id (lower-cased); null for none. A junk id is an issue on the delivery: it is refused. */
function _checkedId(id: string | null | undefined, ctx: z.RefinementCtx): string | null {
  if (id === null || id === undefined || id === '') return null
  if (isPlaneId(id)) return id.toLowerCase()
  ctx.addIssue({ code: 'custom', message: 'must be a Plane id (a UUID)' })
  return z.NEVER
}

function _state(
  state: string | z.infer<typeof stateRefSchema> | null | undefined,
  stateId: string | null
): PlaneWebhookStateRef | null {
  if (state && typeof state === 'object') {
    return {
      id: state.id,
      name:
        state.name === null || state.name === undefined
          ? null
          : capText(state.name, PLANE_NAME_MAX_CHARS),
      color: capShortOrNull(state.color),
      group: capShortOrNull(state.group),
    }
  }
  const id = state ?? stateId
  return id ? { id, name: null, color: null, group: null } : null
}

function _labels(
  labels: Array<string | z.infer<typeof labelRefSchema>> | null | undefined,
  labelIds: string[] | null | undefined
): PlaneWebhookLabelRef[] {
  return (labels ?? labelIds ?? []).map((l) =>
    typeof l === 'string'
      ? { id: l, name: null, color: null }
      : {
          id: l.id,
          name:
            l.name === null || l.name === undefined ? null : capText(l.name, PLANE_NAME_MAX_CHARS),
          color: capShortOrNull(l.color),
        }
  )
}
