/** @module `model_activity`: turns a write into `webhook_activity` jobs, one per changed key (§7.2). */

import type { Uuid } from '../types.ts'

export type WebhookEventName = 'project' | 'issue' | 'issue_comment' | 'cycle' | 'module'
export type WebhookVerb = 'created' | 'updated' | 'deleted'

/** One `webhook_activity` task: the object is read (and serialized) only when it runs. */
export type ActivityJob = {
  event: WebhookEventName
  verb: WebhookVerb
  field: string | null
  oldValue: unknown
  newValue: unknown
  actorId: Uuid
  objectId: Uuid
}

export type ModelActivity = {
  created(event: WebhookEventName, objectId: Uuid, actorId: Uuid): void
  /**
   * For each key of the request body that exists in the previous serialized state and differs
   * from it, one job with `field=key`, `old_value` from the previous state and `new_value` as sent.
   */
  updated(
    event: WebhookEventName,
    objectId: Uuid,
    actorId: Uuid,
    requested: Record<string, unknown>,
    previous: Record<string, unknown>
  ): void
  deleted(event: WebhookEventName, objectId: Uuid, actorId: Uuid): void
}

export function createModelActivity(enqueue: (job: ActivityJob) => void): ModelActivity {
  const base = { field: null, oldValue: null, newValue: null }
  return {
    created: function modelCreated(event, objectId, actorId) {
      enqueue({ ...base, event, verb: 'created', actorId, objectId })
    },
    updated: function modelUpdated(event, objectId, actorId, requested, previous) {
      for (const [key, newValue] of Object.entries(requested)) {
        if (!(key in previous)) continue
        const oldValue = previous[key]
        if (pyEquals(oldValue, newValue)) continue
        enqueue({ event, verb: 'updated', field: key, oldValue, newValue, actorId, objectId })
      }
    },
    deleted: function modelDeleted(event, objectId, actorId) {
      enqueue({ ...base, event, verb: 'deleted', actorId, objectId })
    },
  }
}

/**
 * Python `==` on JSON values: `True == 1`, `1 == 1.0`, lists compare in order (so re-sending the
 * same assignees in another order *is* a change), dicts by key set and values.
 */
export function pyEquals(a: unknown, b: unknown): boolean {
  const scalar = (value: unknown) => (typeof value === 'boolean' ? Number(value) : value)
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, index) => pyEquals(item, b[index]))
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const left = a as Record<string, unknown>
    const right = b as Record<string, unknown>
    const keys = Object.keys(left)
    if (keys.length !== Object.keys(right).length) return false
    return keys.every((key) => key in right && pyEquals(left[key], right[key]))
  }
  return scalar(a) === scalar(b)
}
