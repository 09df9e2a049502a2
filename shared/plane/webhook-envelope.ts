/**
 * @module The envelope of a verified Plane delivery, decoded and read: v1's fields (`event`, `action`, `webhook_id`,
 * `workspace_id`, `data`, `activity`) and v2's (`version`, `event_id`, `entity_type`, `previous_attributes`, `actor`…),
 * each checked to be a string, an object or nothing before the parser reads it.
 */

import type { PlaneUserLite } from './schemas.ts'
import {
  type Faults,
  isPlainObject,
  type PlainObject,
  readOptionalObject,
  readText,
  readUserRef,
} from './webhook-read.ts'
import { PlaneWebhookParseError } from './webhook-types.ts'

/** The envelope's fields the parser reads (v1, and v2's), each checked: a string, an object or nothing. */
export type WebhookEnvelope = {
  version: string | null
  event: string | null
  action: string | null
  webhook_id: string | null
  workspace_id: string | null
  data: unknown
  activity: WebhookActivity | null
  event_id: string | null
  delivery_id: string | null
  entity_id: string | null
  entity_type: string | null
  previous_attributes: PlainObject | null
  /** v2: who acted, when there is no `activity`. */
  actor: string | PlaneUserLite | null
}

export type WebhookActivity = {
  field: string | null
  new_value: unknown
  old_value: unknown
  actor: string | PlaneUserLite | null
  old_identifier: string | null
  new_identifier: string | null
}

/** The body as JSON gives it: one already parsed passes as it is, text or bytes are parsed. */
export function decodeWebhookBody(raw: unknown): unknown {
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) return raw
  const textBody = typeof raw === 'string' ? raw : new TextDecoder().decode(raw)
  try {
    return JSON.parse(textBody)
  } catch {
    throw new PlaneWebhookParseError('invalid_json', 'Plane webhook body is not JSON')
  }
}

/** The envelope's fields, each checked; a body that is not an object, or a field of the wrong type, is refused. */
export function readWebhookEnvelope(body: unknown): WebhookEnvelope {
  const faults: Faults = []
  if (!isPlainObject(body))
    throw new PlaneWebhookParseError('invalid_payload', 'not a Plane webhook envelope', [
      '(root): expected an object',
    ])
  const activity = readOptionalObject(body.activity, faults, 'activity')
  const envelope: WebhookEnvelope = {
    version: readText(body.version, faults, 'version'),
    event: readText(body.event, faults, 'event'),
    action: readText(body.action, faults, 'action'),
    webhook_id: readText(body.webhook_id, faults, 'webhook_id'),
    workspace_id: readText(body.workspace_id, faults, 'workspace_id'),
    data: body.data,
    activity: activity && {
      field: readText(activity.field, faults, 'activity', 'field'),
      new_value: activity.new_value,
      old_value: activity.old_value,
      actor: _actor(activity.actor, faults, 'activity', 'actor'),
      old_identifier: readText(activity.old_identifier, faults, 'activity', 'old_identifier'),
      new_identifier: readText(activity.new_identifier, faults, 'activity', 'new_identifier'),
    },
    event_id: readText(body.event_id, faults, 'event_id'),
    delivery_id: readText(body.delivery_id, faults, 'delivery_id'),
    entity_id: readText(body.entity_id, faults, 'entity_id'),
    entity_type: readText(body.entity_type, faults, 'entity_type'),
    previous_attributes: readOptionalObject(
      body.previous_attributes,
      faults,
      'previous_attributes'
    ),
    actor: _actor(body.actor, faults, '', 'actor'),
  }
  if (faults.length > 0)
    throw new PlaneWebhookParseError('invalid_payload', 'not a Plane webhook envelope', faults)
  return envelope
}

// --- Internal helpers ---

/** Who acted: a UserLite or its id, or nothing; a junk id refuses the delivery (it becomes a stored change's actor). */
function _actor(
  value: unknown,
  faults: Faults,
  path: string,
  key: string
): string | PlaneUserLite | null {
  return value === null || value === undefined ? null : readUserRef(value, faults, path, key)
}
