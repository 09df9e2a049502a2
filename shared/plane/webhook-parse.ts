/**
 * @module Parse a verified Plane webhook body into a `PlaneWebhookEvent`. Handles the v1 envelope CE sends
 * (`{event, action, webhook_id, workspace_id, data, activity}`) and, best effort, the v2 envelope of
 * Cloud/Commercial (`{version:"v2", event:"workitem.updated", event_id, previous_attributes, …}`).
 */

import * as z from 'zod'
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
  webhookCommentSchema,
  webhookCycleSchema,
  webhookDeletedSchema,
  webhookIssueSchema,
  webhookModuleSchema,
  webhookProjectSchema,
  webhookUserRefSchema,
} from './webhook-data.ts'
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

const text = z.string().nullish()
/** Who acted: a UserLite or its id; a junk id refuses the delivery (it becomes the actor of a stored change). */
const actorSchema = webhookUserRefSchema.nullish()

const activitySchema = z.looseObject({
  field: text,
  new_value: z.unknown().optional(),
  old_value: z.unknown().optional(),
  actor: actorSchema,
  old_identifier: text,
  new_identifier: text,
})

const envelopeSchema = z.looseObject({
  version: text,
  event: text,
  action: text,
  webhook_id: text,
  workspace_id: text,
  data: z.unknown().optional(),
  activity: activitySchema.nullish(),
  // v2
  event_id: text,
  delivery_id: text,
  entity_id: text,
  entity_type: text,
  previous_attributes: z.record(z.string(), z.unknown()).nullish(),
  actor: actorSchema,
})

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

const DATA_SCHEMAS = {
  issue: webhookIssueSchema,
  issue_comment: webhookCommentSchema,
  project: webhookProjectSchema,
  cycle: webhookCycleSchema,
  module: webhookModuleSchema,
} as const

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
  const envelope = envelopeSchema.safeParse(_decode(rawJson))
  if (!envelope.success) {
    throw new PlaneWebhookParseError(
      'invalid_payload',
      'not a Plane webhook envelope',
      _issues(envelope.error)
    )
  }
  const body = envelope.data
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
  const dataSchema = action === 'deleted' ? webhookDeletedSchema : DATA_SCHEMAS[entity]
  const data = dataSchema.safeParse(dataInput)
  if (!data.success) {
    throw new PlaneWebhookParseError(
      'invalid_payload',
      `Plane ${entity}.${action} webhook has unexpected data`,
      _issues(data.error)
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
    // Every key Plane sent, as it sent it (the schemas keep only the fields they normalise). In this process only:
    // what is stored is `storedWebhookDelivery`'s bounded copy.
    data: action === 'deleted' ? data.data : { ..._capLongText(data.data, limits), raw: dataInput },
  }
  // The pairing of entity, action and data shape is enforced by the schema choice above.
  return event as PlaneWebhookEvent
}

/**
 * The delivery as the inbox keeps it: a v1 envelope of the normalised, bounded event, which parses back into the
 * same event (but `raw` and the rich-text `description_json`, which nothing reads). The body as received could be
 * `BODY_LIMIT_BYTES` of text the bridge then held for days while its processing failed (principle 10). An object,
 * written as JSON once with the entry that holds it (issue 46: as a string it was encoded twice, its quotes escaped).
 */
export function storedWebhookDelivery(event: PlaneWebhookEvent): Record<string, unknown> {
  const { raw: _raw, description_json: _json, ...data } = event.data as Record<string, unknown>
  const a = event.activity
  return {
    event: event.entity,
    action: event.action,
    webhook_id: event.webhookId,
    workspace_id: event.workspaceId,
    delivery_id: event.deliveryId,
    event_id: event.eventId,
    data,
    activity: a
      ? {
          field: a.field,
          new_value: a.newValue,
          old_value: a.oldValue,
          actor: a.actor,
          old_identifier: a.oldIdentifier,
          new_identifier: a.newIdentifier,
        }
      : null,
    ...(event.previousAttributes ? { previous_attributes: event.previousAttributes } : {}),
  }
}

/** `storedWebhookDelivery` as JSON text (the inbox entries of earlier versions held this). */
export function encodeStoredWebhook(event: PlaneWebhookEvent): string {
  return JSON.stringify(storedWebhookDelivery(event))
}

// --- Internal helpers ---

/** Descriptions and comments cut to the settings' lengths: shown and excerpted, never decided on. */
function _capLongText(data: object, { descriptionMaxChars, commentMaxChars }: TextLimits): object {
  const d = data as Record<string, unknown>
  const out = { ...d }
  const cap = (key: string, max: number) => {
    if (typeof d[key] === 'string') out[key] = capText(d[key], max)
  }
  for (const key of ['description_html', 'description_stripped', 'description'])
    cap(key, descriptionMaxChars)
  for (const key of ['comment_html', 'comment_stripped']) cap(key, commentMaxChars)
  return out
}

function _decode(raw: unknown): unknown {
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) return raw
  const textBody = typeof raw === 'string' ? raw : new TextDecoder().decode(raw)
  try {
    return JSON.parse(textBody)
  } catch {
    throw new PlaneWebhookParseError('invalid_json', 'Plane webhook body is not JSON')
  }
}

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
  a: z.infer<typeof activitySchema> | null | undefined,
  v2Actor: z.infer<typeof envelopeSchema>['actor']
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

function _previousAttributes(
  attributes: Record<string, unknown> | null | undefined
): Record<string, unknown> | null {
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

function _issues(error: z.ZodError): string[] {
  return error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
}
