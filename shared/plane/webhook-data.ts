/**
 * @module Webhook `data` read into the normalised shape, one reader per entity (webhook-read.ts: faults gathered,
 * never thrown). Plane CE nests state/labels/assignees as objects (plane-api.md §7.3); v2 payloads may carry ids
 * (`state_id`, `label_ids`, `assignee_ids`); both become the same objects here.
 *
 * Bounded (principle 10): every id must be a Plane id (a UUID) or the delivery is refused (an id becomes a
 * store key and a Plane URL segment: `NaN` or a 200 KB string must reach neither); names and other short text are
 * cut to Plane's own 255 characters (Plane never sends more: only a forged or broken delivery does, and a cut name
 * loses nothing the bridge decides on); a list of labels or assignees longer than `LIST_MAX_ITEMS` is refused (a
 * cut list would read as people taken off the task); descriptions and comments are cut to the settings' lengths.
 */

import { capText } from '../text/cap.ts'
import { PLANE_NAME_MAX_CHARS, type TextLimits } from './limits.ts'
import {
  type Faults,
  isPlainObject,
  noteFault,
  type PlainObject,
  readBoolean,
  readId,
  readIdRef,
  readList,
  readNestedId,
  readNestedShort,
  readNestedText,
  readNumber,
  readObject,
  readOptionalId,
  readRequiredText,
  readShort,
  readText,
  readUser,
  readUserRef,
} from './webhook-read.ts'
import type {
  PlaneWebhookComment,
  PlaneWebhookCycle,
  PlaneWebhookIssue,
  PlaneWebhookLabelRef,
  PlaneWebhookModule,
  PlaneWebhookProject,
  PlaneWebhookStateRef,
} from './webhook-types.ts'

/** Reads one entity's `data`; its faults are noted in `faults` (paths inside `data`). */
export type WebhookDataReader<T> = (data: unknown, faults: Faults, limits: TextLimits) => T

export const readWebhookIssue: WebhookDataReader<PlaneWebhookIssue> = function readWebhookIssue(
  data,
  faults,
  limits
) {
  const d = readObject(data, faults, '')
  // Both spellings are read (a junk id in either refuses the delivery); the nested one wins.
  const assignees = readList(d.assignees, faults, 'assignees', readUserRef)
  const assigneeIds = readList(d.assignee_ids, faults, 'assignee_ids', readId)
  return {
    id: readId(d.id, faults, 'id'),
    name: _name(d.name, faults),
    sequence_id: readNumber(d.sequence_id, faults, 'sequence_id'),
    project: _either(d, 'project', faults),
    workspace: _either(d, 'workspace', faults),
    state: _state(d, faults),
    priority: readShort(d.priority, faults, 'priority'),
    labels: _labels(d, faults),
    assignees: (assignees ?? assigneeIds ?? []).map((a) => (typeof a === 'string' ? { id: a } : a)),
    // v1.2.0/1.2.1 call it `description`; from v1.2.2 `description` is a copy of `description_json`.
    description_json:
      d.description_json ?? (typeof d.description === 'string' ? null : d.description) ?? null,
    description_html: _long(
      d.description_html,
      faults,
      'description_html',
      limits.descriptionMaxChars
    ),
    description_stripped: _long(
      d.description_stripped,
      faults,
      'description_stripped',
      limits.descriptionMaxChars
    ),
    start_date: readShort(d.start_date, faults, 'start_date'),
    target_date: readShort(d.target_date, faults, 'target_date'),
    completed_at: readShort(d.completed_at, faults, 'completed_at'),
    archived_at: readShort(d.archived_at, faults, 'archived_at'),
    is_draft: readBoolean(d.is_draft, faults, 'is_draft'),
    parent: _either(d, 'parent', faults),
    external_id: readShort(d.external_id, faults, 'external_id'),
    external_source: readShort(d.external_source, faults, 'external_source'),
    created_at: readShort(d.created_at, faults, 'created_at'),
    updated_at: readShort(d.updated_at, faults, 'updated_at'),
    created_by: readIdRef(d.created_by, faults, 'created_by'),
    updated_by: readIdRef(d.updated_by, faults, 'updated_by'),
  }
}

export const readWebhookComment: WebhookDataReader<PlaneWebhookComment> =
  function readWebhookComment(data, faults, limits) {
    const d = readObject(data, faults, '')
    const actor =
      d.actor === null || d.actor === undefined ? null : readUserRef(d.actor, faults, 'actor')
    const detail =
      d.actor_detail === null || d.actor_detail === undefined
        ? null
        : readUser(d.actor_detail, faults, 'actor_detail')
    return {
      id: readId(d.id, faults, 'id'),
      issue: _either(d, 'issue', faults),
      project: _either(d, 'project', faults),
      workspace: _either(d, 'workspace', faults),
      comment_html: _long(d.comment_html, faults, 'comment_html', limits.commentMaxChars),
      comment_stripped: _long(
        d.comment_stripped,
        faults,
        'comment_stripped',
        limits.commentMaxChars
      ),
      access: readShort(d.access, faults, 'access'),
      actor: (typeof actor === 'string' ? actor : actor?.id) ?? detail?.id ?? null,
      actor_detail: detail ?? (typeof actor === 'object' ? actor : null),
      external_id: readShort(d.external_id, faults, 'external_id'),
      external_source: readShort(d.external_source, faults, 'external_source'),
      created_at: readShort(d.created_at, faults, 'created_at'),
      updated_at: readShort(d.updated_at, faults, 'updated_at'),
    }
  }

export const readWebhookProject: WebhookDataReader<PlaneWebhookProject> =
  function readWebhookProject(data, faults, limits) {
    const d = readObject(data, faults, '')
    return {
      id: readId(d.id, faults, 'id'),
      name: _name(d.name, faults),
      identifier: readShort(d.identifier, faults, 'identifier'),
      description: _long(d.description, faults, 'description', limits.descriptionMaxChars),
      network: readNumber(d.network, faults, 'network'),
      archived_at: readShort(d.archived_at, faults, 'archived_at'),
      workspace: readIdRef(d.workspace, faults, 'workspace'),
      created_at: readShort(d.created_at, faults, 'created_at'),
      updated_at: readShort(d.updated_at, faults, 'updated_at'),
    }
  }

export const readWebhookCycle: WebhookDataReader<PlaneWebhookCycle> = function readWebhookCycle(
  data,
  faults
) {
  const d = readObject(data, faults, '')
  return {
    id: readId(d.id, faults, 'id'),
    name: _name(d.name, faults),
    project: _either(d, 'project', faults),
    start_date: readShort(d.start_date, faults, 'start_date'),
    end_date: readShort(d.end_date, faults, 'end_date'),
    archived_at: readShort(d.archived_at, faults, 'archived_at'),
  }
}

export const readWebhookModule: WebhookDataReader<PlaneWebhookModule> = function readWebhookModule(
  data,
  faults
) {
  const d = readObject(data, faults, '')
  return {
    id: readId(d.id, faults, 'id'),
    name: _name(d.name, faults),
    project: _either(d, 'project', faults),
    status: readShort(d.status, faults, 'status'),
    start_date: readShort(d.start_date, faults, 'start_date'),
    target_date: readShort(d.target_date, faults, 'target_date'),
    archived_at: readShort(d.archived_at, faults, 'archived_at'),
  }
}

/** A delete carries only the id (plane-api.md §7.3). */
export const readWebhookDeleted: WebhookDataReader<{ id: string }> = function readWebhookDeleted(
  data,
  faults
) {
  return { id: readId(readObject(data, faults, '').id, faults, 'id') }
}

// --- Internal helpers ---

/** A name: there, and cut to Plane's own 255 characters. */
function _name(value: unknown, faults: Faults): string {
  return capText(readRequiredText(value, faults, 'name'), PLANE_NAME_MAX_CHARS)
}

/** A description or a comment: cut to the settings' length (shown and excerpted, never decided on). */
function _long(value: unknown, faults: Faults, path: string, maxChars: number): string | null {
  const text = readText(value, faults, path)
  return text === null ? null : capText(text, maxChars)
}

/**
 * A foreign key Plane sends as `key` (an id or an object with one) or `key_id` (an id): both read, a junk id in
 * either refuses the delivery; `key` wins.
 */
function _either(
  d: PlainObject,
  key: 'project' | 'workspace' | 'parent' | 'issue',
  faults: Faults
) {
  const nested = readIdRef(d[key], faults, key)
  const id = readOptionalId(d[`${key}_id`], faults, `${key}_id`)
  return nested ?? id
}

/** `state` as an id or an object (`{ id, name, color, group }`), else `state_id`; both read. */
function _state(d: PlainObject, faults: Faults): PlaneWebhookStateRef | null {
  const state = d.state
  const stateId = readOptionalId(d.state_id, faults, 'state_id')
  if (isPlainObject(state) && typeof state.id === 'string') {
    return {
      id: readNestedId(state, faults, 'state', undefined),
      name: _refName(state, faults, 'state', undefined),
      color: readNestedShort(state, 'color', faults, 'state', undefined),
      group: readNestedShort(state, 'group', faults, 'state', undefined),
    }
  }
  if (state === null || state === undefined)
    return stateId ? { id: stateId, name: null, color: null, group: null } : null
  if (typeof state !== 'string') {
    noteFault(faults, 'state', 'expected a Plane id or an object with one')
    return null
  }
  return { id: readId(state, faults, 'state'), name: null, color: null, group: null }
}

/** `labels` as ids or objects (`{ id, name, color }`), else `label_ids`. */
function _labels(d: PlainObject, faults: Faults): PlaneWebhookLabelRef[] {
  const labels = readList(d.labels, faults, 'labels', _label)
  const labelIds = readList(d.label_ids, faults, 'label_ids', _labelOfId)
  return labels ?? labelIds ?? []
}

function _label(
  value: unknown,
  faults: Faults,
  path: string,
  index: number
): PlaneWebhookLabelRef | null {
  if (typeof value === 'string') return _labelOfId(value, faults, path, index)
  if (!isPlainObject(value) || typeof value.id !== 'string') {
    noteFault(faults, path, 'expected a Plane id or an object with one', index)
    return null
  }
  return {
    id: readNestedId(value, faults, path, index),
    name: _refName(value, faults, path, index),
    color: readNestedShort(value, 'color', faults, path, index),
  }
}

function _labelOfId(
  value: unknown,
  faults: Faults,
  path: string,
  index: number
): PlaneWebhookLabelRef {
  return { id: readId(value, faults, path, index), name: null, color: null }
}

/** A state's or a label's name: cut to Plane's own 255 characters, or nothing. */
function _refName(
  ref: PlainObject,
  faults: Faults,
  path: string,
  key: string | number | undefined
): string | null {
  const name = readNestedText(ref, 'name', faults, path, key)
  return name === null ? null : capText(name, PLANE_NAME_MAX_CHARS)
}
