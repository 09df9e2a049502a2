/**
 * @module Parse a verified Plane webhook body into a `PlaneWebhookEvent`: its envelope read (webhook-envelope.ts),
 * its event named, its data read (webhook-data.ts), its activity kept as hints. Handles the v1 envelope CE sends
 * (`{event, action, webhook_id, workspace_id, data, activity}`) and, best effort, the v2 envelope of
 * Cloud/Commercial (`{version:"v2", event:"workitem.updated", event_id, previous_attributes, …}`).
 */

import { capText } from '../text/cap.ts'
import {
  capShortOrNull,
  DEFAULT_TEXT_LIMITS,
  isPlaneId,
  LIST_MAX_ITEMS,
  PLANE_NAME_MAX_CHARS,
  type TextLimits,
} from './limits.ts'
import {
  readWebhookComment,
  readWebhookCycle,
  readWebhookDeleted,
  readWebhookIssue,
  readWebhookModule,
  readWebhookProject,
  type WebhookDataReader,
} from './webhook-data.ts'
import {
  decodeWebhookBody,
  readWebhookEnvelope,
  type WebhookActivity,
  type WebhookEnvelope,
} from './webhook-envelope.ts'
import type { Faults, PlainObject } from './webhook-read.ts'
import {
  PLANE_WEBHOOK_ACTIONS,
  type PlaneWebhookAction,
  type PlaneWebhookActivity,
  type PlaneWebhookEntity,
  type PlaneWebhookEvent,
  PlaneWebhookParseError,
} from './webhook-types.ts'

export type PlaneWebhookHeaders =
  | Headers
  | Record<string, string | readonly string[] | null | undefined>

/** Keys of v2 `previous_attributes` kept (a work item has ~30). */
const PREVIOUS_ATTRIBUTES_MAX_KEYS = 64

/** v2 entity names (and a few spellings seen across Plane versions) → the v1 names CE uses. */
const ENTITY_ALIASES: Readonly<Record<string, PlaneWebhookEntity>> = {
  issue: 'issue',
  workitem: 'issue',
  work_item: 'issue',
  'work-item': 'issue',
  issue_comment: 'issue_comment',
  comment: 'issue_comment',
  workitem_comment: 'issue_comment',
  work_item_comment: 'issue_comment',
  project: 'project',
  cycle: 'cycle',
  module: 'module',
}

/** The docs' older examples say `update`; every CE producer sends the past tense (plane-api.md §7.2). */
const ACTION_ALIASES: Readonly<Record<string, PlaneWebhookAction>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
}

const DATA_READERS: Readonly<Record<PlaneWebhookEntity, WebhookDataReader<object>>> = {
  issue: readWebhookIssue,
  issue_comment: readWebhookComment,
  project: readWebhookProject,
  cycle: readWebhookCycle,
  module: readWebhookModule,
}

/**
 * Parse and normalise a webhook body (already parsed JSON, or its raw text/bytes). Verify the signature
 * over the raw bytes first: this function trusts its input's origin, not its sizes: every id is checked, every
 * text cut (webhook-data.ts; descriptions and comments to `limits`). Throws `PlaneWebhookParseError`.
 * @example const event = parsePlaneWebhook(JSON.parse(text), c.req.raw.headers)
 */
export function parsePlaneWebhook(
  rawJson: unknown,
  headers?: PlaneWebhookHeaders,
  limits: TextLimits = DEFAULT_TEXT_LIMITS
): PlaneWebhookEvent {
  const body = readWebhookEnvelope(decodeWebhookBody(rawJson))
  const isV2 = body.version === 'v2' || (body.event ?? '').includes('.')
  const eventName = body.event ?? _header(headers, 'x-plane-event') ?? ''
  const [entityName = '', actionFromEvent] = isV2 ? _splitV2(eventName) : [eventName, undefined]
  const entity =
    _own(ENTITY_ALIASES, entityName) ?? (isV2 ? _own(ENTITY_ALIASES, body.entity_type) : undefined)
  const action = _action(actionFromEvent ?? body.action ?? '')
  if (!entity || !action) {
    throw new PlaneWebhookParseError(
      'unknown_event',
      `unknown Plane webhook event "${eventName}" / "${body.action ?? ''}"`
    )
  }

  const dataInput =
    action === 'deleted' && isV2 && body.entity_id && !_hasId(body.data)
      ? { id: body.entity_id }
      : body.data
  const faults: Faults = []
  const data =
    action === 'deleted'
      ? readWebhookDeleted(dataInput, faults, limits)
      : DATA_READERS[entity](dataInput, faults, limits)
  if (faults.length > 0) {
    throw new PlaneWebhookParseError(
      'invalid_payload',
      `Plane ${entity}.${action} webhook has unexpected data`,
      faults
    )
  }

  const event = {
    type: `${entity}.${action}`,
    entity,
    action,
    format: isV2 ? 'v2' : 'v1',
    // Envelope strings go to logs only; cut all the same.
    webhookId: capShortOrNull(body.webhook_id),
    workspaceId: capShortOrNull(body.workspace_id),
    deliveryId: capShortOrNull(body.delivery_id ?? _header(headers, 'x-plane-delivery')),
    eventId: capShortOrNull(body.event_id),
    activity: _activity(body.activity, body.actor),
    previousAttributes: _previousAttributes(body.previous_attributes),
    // The fields read, normalised: the decoded body is not kept (a delivery waiting for its write, or in
    // the worker's queue, held the whole decoded tree for a field nothing read).
    data,
  }
  // The pairing of entity, action and data shape is enforced by the reader chosen above.
  return event as PlaneWebhookEvent
}

// --- Internal helpers ---

function _splitV2(event: string): [string, string | undefined] {
  const dot = event.lastIndexOf('.')
  return dot < 0 ? [event, undefined] : [event.slice(0, dot), event.slice(dot + 1)]
}

function _action(value: string): PlaneWebhookAction | undefined {
  if ((PLANE_WEBHOOK_ACTIONS as readonly string[]).includes(value))
    return value as PlaneWebhookAction
  return _own(ACTION_ALIASES, value)
}

/** A table lookup that never reaches Object.prototype: `__proto__` or `constructor` is an unknown event. */
function _own<T>(
  table: Readonly<Record<string, T>>,
  name: string | null | undefined
): T | undefined {
  return name && Object.hasOwn(table, name) ? table[name] : undefined
}

/** v1 `activity`; a v2 body without one still says who acted through its top-level `actor`. */
function _activity(
  a: WebhookActivity | null,
  v2Actor: WebhookEnvelope['actor']
): PlaneWebhookActivity | null {
  const actor = a?.actor ?? v2Actor
  if (!a && !actor) return null
  return {
    field: capShortOrNull(a?.field),
    oldValue: _hintValue(a?.old_value),
    newValue: _hintValue(a?.new_value),
    actor: actor ? (typeof actor === 'string' ? { id: actor } : actor) : null,
    // A hint, not a key: one that is not a Plane id is dropped, and the delivery kept.
    oldIdentifier: _idOrNull(a?.old_identifier),
    newIdentifier: _idOrNull(a?.new_identifier),
  }
}

function _idOrNull(value: string | null | undefined): string | null {
  return isPlaneId(value) ? value.toLowerCase() : null
}

/**
 * An activity's value, as the diff reads it (diff.ts `_rebuildFromHint`): a name, a priority or a date (a string,
 * cut), a list of ids (Plane ids only, `LIST_MAX_ITEMS` at most). Anything else (a whole old description, an object)
 * is nothing the diff uses: null.
 */
function _hintValue(value: unknown): unknown {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return capText(value, PLANE_NAME_MAX_CHARS)
  if (typeof value === 'number' || typeof value === 'boolean') return value
  if (!Array.isArray(value)) return null
  const ids: string[] = []
  for (const item of value.slice(0, LIST_MAX_ITEMS)) {
    const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : item
    if (isPlaneId(id)) ids.push(id.toLowerCase())
  }
  return ids
}

function _previousAttributes(attributes: PlainObject | null): Record<string, unknown> | null {
  if (!attributes) return null
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(attributes).slice(0, PREVIOUS_ATTRIBUTES_MAX_KEYS))
    out[capText(key, PLANE_NAME_MAX_CHARS)] = _hintValue(value)
  return out
}

function _hasId(data: unknown): boolean {
  return (
    data !== null && typeof data === 'object' && typeof (data as { id?: unknown }).id === 'string'
  )
}

function _header(headers: PlaneWebhookHeaders | undefined, name: string): string | undefined {
  if (!headers) return undefined
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue
    const first = Array.isArray(value) ? value[0] : value
    return typeof first === 'string' && first !== '' ? first : undefined
  }
  return undefined
}
