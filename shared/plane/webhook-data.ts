/**
 * @module Tolerant zod schemas for webhook `data`, each transforming into the normalised shape. Plane CE
 * nests state/labels/assignees as objects (plane-api.md §7.3); v2 payloads may carry ids (`state_id`,
 * `label_ids`, `assignee_ids`); both become the same objects here.
 */

import * as z from 'zod'
import { planeUserLiteSchema } from './schemas.ts'
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
/** A foreign key as a UUID or as a nested object with an id. */
const idRef = z.union([z.string(), z.looseObject({ id: z.string() })]).nullish()

const stateRefSchema = z.looseObject({ id: z.string(), name: text, color: text, group: text })
const labelRefSchema = z.looseObject({ id: z.string(), name: text, color: text })

export const webhookIssueSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    sequence_id: num,
    project: idRef,
    project_id: text,
    workspace: idRef,
    workspace_id: text,
    state: z.union([z.string(), stateRefSchema]).nullish(),
    state_id: text,
    priority: text,
    labels: z.array(z.union([z.string(), labelRefSchema])).nullish(),
    label_ids: z.array(z.string()).nullish(),
    assignees: z.array(z.union([z.string(), planeUserLiteSchema])).nullish(),
    assignee_ids: z.array(z.string()).nullish(),
    description_json: z.unknown().optional(),
    description: z.unknown().optional(),
    description_html: text,
    description_stripped: text,
    start_date: text,
    target_date: text,
    completed_at: text,
    archived_at: text,
    is_draft: z.boolean().nullish(),
    parent: idRef,
    parent_id: text,
    external_id: text,
    external_source: text,
    created_at: text,
    updated_at: text,
    created_by: idRef,
    updated_by: idRef,
  })
  .transform(
    (d): WithoutRaw<PlaneWebhookIssue> => ({
      id: d.id,
      name: d.name,
      sequence_id: d.sequence_id ?? null,
      project: _idOf(d.project) ?? d.project_id ?? null,
      workspace: _idOf(d.workspace) ?? d.workspace_id ?? null,
      state: _state(d.state, d.state_id),
      priority: d.priority ?? null,
      labels: _labels(d.labels, d.label_ids),
      assignees: (d.assignees ?? d.assignee_ids ?? []).map((a) =>
        typeof a === 'string' ? { id: a } : a
      ),
      // v1.2.0/1.2.1 call it `description`; from v1.2.2 `description` is a copy of `description_json`.
      description_json:
        d.description_json ?? (typeof d.description === 'string' ? null : d.description) ?? null,
      description_html: d.description_html ?? null,
      description_stripped: d.description_stripped ?? null,
      start_date: d.start_date ?? null,
      target_date: d.target_date ?? null,
      completed_at: d.completed_at ?? null,
      archived_at: d.archived_at ?? null,
      is_draft: d.is_draft ?? null,
      parent: _idOf(d.parent) ?? d.parent_id ?? null,
      external_id: d.external_id ?? null,
      external_source: d.external_source ?? null,
      created_at: d.created_at ?? null,
      updated_at: d.updated_at ?? null,
      created_by: _idOf(d.created_by) ?? null,
      updated_by: _idOf(d.updated_by) ?? null,
    })
  )

export const webhookCommentSchema = z
  .object({
    id: z.string(),
    issue: idRef,
    issue_id: text,
    project: idRef,
    project_id: text,
    workspace: idRef,
    workspace_id: text,
    comment_html: text,
    comment_stripped: text,
    access: text,
    actor: z.union([z.string(), planeUserLiteSchema]).nullish(),
    actor_detail: planeUserLiteSchema.nullish(),
    external_id: text,
    external_source: text,
    created_at: text,
    updated_at: text,
  })
  .transform(
    (d): WithoutRaw<PlaneWebhookComment> => ({
      id: d.id,
      issue: _idOf(d.issue) ?? d.issue_id ?? null,
      project: _idOf(d.project) ?? d.project_id ?? null,
      workspace: _idOf(d.workspace) ?? d.workspace_id ?? null,
      comment_html: d.comment_html ?? null,
      comment_stripped: d.comment_stripped ?? null,
      access: d.access ?? null,
      actor: _idOf(d.actor) ?? d.actor_detail?.id ?? null,
      actor_detail: d.actor_detail ?? (typeof d.actor === 'object' ? d.actor : null) ?? null,
      external_id: d.external_id ?? null,
      external_source: d.external_source ?? null,
      created_at: d.created_at ?? null,
      updated_at: d.updated_at ?? null,
    })
  )

export const webhookProjectSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    identifier: text,
    description: text,
    network: num,
    archived_at: text,
    workspace: idRef,
    created_at: text,
    updated_at: text,
  })
  .transform(
    (d): WithoutRaw<PlaneWebhookProject> => ({
      id: d.id,
      name: d.name,
      identifier: d.identifier ?? null,
      description: d.description ?? null,
      network: d.network ?? null,
      archived_at: d.archived_at ?? null,
      workspace: _idOf(d.workspace) ?? null,
      created_at: d.created_at ?? null,
      updated_at: d.updated_at ?? null,
    })
  )

export const webhookCycleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    project: idRef,
    project_id: text,
    start_date: text,
    end_date: text,
    archived_at: text,
  })
  .transform(
    (d): WithoutRaw<PlaneWebhookCycle> => ({
      id: d.id,
      name: d.name,
      project: _idOf(d.project) ?? d.project_id ?? null,
      start_date: d.start_date ?? null,
      end_date: d.end_date ?? null,
      archived_at: d.archived_at ?? null,
    })
  )

export const webhookModuleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    project: idRef,
    project_id: text,
    status: text,
    start_date: text,
    target_date: text,
    archived_at: text,
  })
  .transform(
    (d): WithoutRaw<PlaneWebhookModule> => ({
      id: d.id,
      name: d.name,
      project: _idOf(d.project) ?? d.project_id ?? null,
      status: d.status ?? null,
      start_date: d.start_date ?? null,
      target_date: d.target_date ?? null,
      archived_at: d.archived_at ?? null,
    })
  )

export const webhookDeletedSchema = z
  .looseObject({ id: z.string() })
  .transform((d) => ({ id: d.id }))

// --- Internal helpers ---

function _idOf(ref: string | { id: string } | null | undefined): string | undefined {
  if (ref === null || ref === undefined) return undefined
  return typeof ref === 'string' ? ref : ref.id
}

function _state(
  state: string | z.infer<typeof stateRefSchema> | null | undefined,
  stateId: string | null | undefined
): PlaneWebhookStateRef | null {
  if (state && typeof state === 'object') {
    return {
      id: state.id,
      name: state.name ?? null,
      color: state.color ?? null,
      group: state.group ?? null,
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
      : { id: l.id, name: l.name ?? null, color: l.color ?? null }
  )
}
