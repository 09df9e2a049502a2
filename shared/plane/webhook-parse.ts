/**
 * @module Parse a verified Plane webhook body into a `PlaneWebhookEvent`. Handles the v1 envelope CE sends
 * (`{event, action, webhook_id, workspace_id, data, activity}`) and, best effort, the v2 envelope of
 * Cloud/Commercial (`{version:"v2", event:"workitem.updated", event_id, previous_attributes, …}`).
 */

import * as z from 'zod'
import { planeUserLiteSchema } from './schemas.ts'
import {
  webhookCommentSchema,
  webhookCycleSchema,
  webhookDeletedSchema,
  webhookIssueSchema,
  webhookModuleSchema,
  webhookProjectSchema,
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

const activitySchema = z.looseObject({
  field: text,
  new_value: z.unknown().optional(),
  old_value: z.unknown().optional(),
  actor: z.union([planeUserLiteSchema, z.string()]).nullish(),
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
  actor: z.union([planeUserLiteSchema, z.string()]).nullish(),
})

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
 * over the raw bytes first: this function trusts its input. Throws `PlaneWebhookParseError`.
 * @example const event = parsePlaneWebhook(JSON.parse(text), c.req.raw.headers)
 */
export function parsePlaneWebhook(
  rawJson: unknown,
  headers?: PlaneWebhookHeaders
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
    webhookId: body.webhook_id ?? null,
    workspaceId: body.workspace_id ?? null,
    deliveryId: body.delivery_id ?? _header(headers, 'x-plane-delivery') ?? null,
    eventId: body.event_id ?? null,
    activity: _activity(body.activity, body.actor),
    previousAttributes: body.previous_attributes ?? null,
    // Every key Plane sent, as it sent it (the schemas keep only the fields they normalise).
    data: action === 'deleted' ? data.data : { ...data.data, raw: dataInput },
  }
  // The pairing of entity, action and data shape is enforced by the schema choice above.
  return event as PlaneWebhookEvent
}

// --- Internal helpers ---

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
    field: a?.field ?? null,
    oldValue: a?.old_value ?? null,
    newValue: a?.new_value ?? null,
    actor: actor ? (typeof actor === 'string' ? { id: actor } : actor) : null,
    oldIdentifier: a?.old_identifier ?? null,
    newIdentifier: a?.new_identifier ?? null,
  }
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
