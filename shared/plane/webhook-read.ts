/**
 * @module Readers of the values a Plane delivery carries, by hand: each checks one value's type, cuts its text and
 * checks its ids, and notes a fault (the field's path and what is wrong) instead of throwing, so that one 400 names
 * every wrong field. A delivery is read before its answer: as zod schemas, the pipes and copies of ~35 fields made
 * parsing a work item delivery ~20 KB of allocations and most of its answer's CPU under load.
 *
 * Where a value sits is its parent's path and its own key (`state` and `id`, `labels` and `3`), joined only when a
 * fault is noted: a delivery read without fault builds no path.
 */

import { capShortOrNull, isPlaneId, LIST_MAX_ITEMS } from './limits.ts'
import type { PlaneUserLite } from './schemas.ts'

/** The faults of one delivery, each `path: message`; the first `FAULTS_KEPT` are kept. */
export type Faults = string[]
export type PlainObject = Record<string, unknown>

const FAULTS_KEPT = 5
const NOT_AN_ID = 'must be a Plane id (a UUID)'

/** Notes that the value at `path` (then `key` inside it, when given) is wrong. */
export function noteFault(
  faults: Faults,
  path: string,
  message: string,
  key?: string | number
): void {
  if (faults.length < FAULTS_KEPT) faults.push(`${_join(path, key) || '(root)'}: ${message}`)
}

/** An object as JSON gives one: not null, not an array. */
export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The object to read the fields of; a fault and an empty object when it is not one. */
export function readObject(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): PlainObject {
  if (isPlainObject(value)) return value
  noteFault(faults, path, `expected an object, got ${_kind(value)}`, key)
  return {}
}

/** An object, or nothing (null, absent). */
export function readOptionalObject(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): PlainObject | null {
  return value === null || value === undefined ? null : readObject(value, faults, path, key)
}

/** A string, or nothing (null, absent: null). */
export function readText(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): string | null {
  return _orNull(value, typeof value === 'string', 'a string', faults, path, key) as string | null
}

/** A short field: a string cut to 255 characters, or nothing. */
export function readShort(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): string | null {
  return capShortOrNull(readText(value, faults, path, key))
}

/** A string that must be there (a name); '' after a fault. */
export function readRequiredText(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): string {
  if (typeof value === 'string') return value
  noteFault(faults, path, `expected a string, got ${_kind(value)}`, key)
  return ''
}

/** A finite number, or nothing. */
export function readNumber(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): number | null {
  const ok = typeof value === 'number' && Number.isFinite(value)
  return _orNull(value, ok, 'a number', faults, path, key) as number | null
}

/** A boolean, or nothing. */
export function readBoolean(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): boolean | null {
  return _orNull(value, typeof value === 'boolean', 'a boolean', faults, path, key) as
    | boolean
    | null
}

/**
 * A Plane id that must be there, lower-cased as Plane writes it. Anything else (`NaN`, a 200 KB string) is refused,
 * never cut: an id is a store key and a Plane URL segment, and a cut id is someone else's.
 */
export function readId(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): string {
  if (isPlaneId(value)) return value.toLowerCase()
  noteFault(
    faults,
    path,
    typeof value === 'string' ? NOT_AN_ID : `${NOT_AN_ID}, got ${_kind(value)}`,
    key
  )
  return ''
}

/** A Plane id, or nothing (null, absent, `""`). */
export function readOptionalId(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): string | null {
  if (value === null || value === undefined || value === '') return null
  return readId(value, faults, path, key)
}

/** A foreign key as Plane sends it: an id, or an object carrying one (`{ id, … }`), or nothing. Gives the id. */
export function readIdRef(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): string | null {
  if (value === null || value === undefined || typeof value === 'string')
    return readOptionalId(value, faults, path, key)
  if (!isPlainObject(value) || typeof value.id !== 'string') {
    noteFault(faults, path, `expected a Plane id or an object with one, got ${_kind(value)}`, key)
    return null
  }
  return value.id === '' ? null : readNestedId(value, faults, path, key)
}

/**
 * A UserLite as Plane nests it (assignees, actors), kept to the fields the bridge reads, each cut; its id checked
 * (it becomes the actor of a stored change, an assignee a store key).
 */
export function readUser(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): PlaneUserLite | null {
  if (!isPlainObject(value) || typeof value.id !== 'string') {
    noteFault(faults, path, `expected a user with an id, got ${_kind(value)}`, key)
    return null
  }
  return {
    id: readNestedId(value, faults, path, key),
    first_name: readNestedShort(value, 'first_name', faults, path, key),
    last_name: readNestedShort(value, 'last_name', faults, path, key),
    email: readNestedShort(value, 'email', faults, path, key),
    display_name: readNestedShort(value, 'display_name', faults, path, key),
  }
}

/** A user as an id or a UserLite (an actor, an assignee), its id checked. */
export function readUserRef(
  value: unknown,
  faults: Faults,
  path: string,
  key?: string | number
): string | PlaneUserLite | null {
  if (typeof value === 'string') return readId(value, faults, path, key)
  return readUser(value, faults, path, key)
}

/**
 * A list of at most `LIST_MAX_ITEMS`, or nothing. Longer is refused, never cut: a cut list of labels or assignees
 * would read as people taken off the task. `item` reads each (its path: `path`, then its index).
 */
export function readList<T>(
  value: unknown,
  faults: Faults,
  path: string,
  item: (value: unknown, faults: Faults, path: string, index: number) => T | null
): T[] | null {
  if (value === null || value === undefined) return null
  if (!Array.isArray(value)) {
    noteFault(faults, path, `expected a list, got ${_kind(value)}`)
    return null
  }
  if (value.length > LIST_MAX_ITEMS) {
    noteFault(faults, path, `more than ${LIST_MAX_ITEMS} items: not a Plane work item`)
    return null
  }
  const out: T[] = []
  for (let i = 0; i < value.length; i++) {
    const read = item(value[i], faults, path, i)
    if (read !== null) out.push(read)
  }
  return out
}

/**
 * Field `field` of an object found at `path`, `key` (a state in a work item, an assignee in a list): a string, or
 * nothing. The field's path is built only for a fault.
 */
export function readNestedText(
  object: PlainObject,
  field: string,
  faults: Faults,
  path: string,
  key: string | number | undefined
): string | null {
  const value = object[field]
  if (typeof value === 'string') return value
  if (value === null || value === undefined) return null
  noteFault(faults, _join(path, key), `expected a string, got ${_kind(value)}`, field)
  return null
}

/** `readNestedText`, a short field: cut to 255 characters. */
export function readNestedShort(
  object: PlainObject,
  field: string,
  faults: Faults,
  path: string,
  key: string | number | undefined
): string | null {
  return capShortOrNull(readNestedText(object, field, faults, path, key))
}

/** The `id` of an object found at `path`, `key`: a Plane id, lower-cased ('' after a fault). */
export function readNestedId(
  object: PlainObject,
  faults: Faults,
  path: string,
  key: string | number | undefined
): string {
  const id = object.id
  if (isPlaneId(id)) return id.toLowerCase()
  noteFault(faults, _join(path, key), NOT_AN_ID, 'id')
  return ''
}

// --- Internal helpers ---

/** `value` when `ok`; null for nothing (null, absent); else a fault saying what was `expected`, and null. */
function _orNull(
  value: unknown,
  ok: boolean,
  expected: string,
  faults: Faults,
  path: string,
  key: string | number | undefined
): unknown {
  if (ok) return value
  if (value !== null && value !== undefined)
    noteFault(faults, path, `expected ${expected}, got ${_kind(value)}`, key)
  return null
}

function _join(path: string, key: string | number | undefined): string {
  if (key === undefined) return path
  return path ? `${path}.${key}` : String(key)
}

/** What a wrong value was, for the fault (never the value itself: it may be 200 KB). */
function _kind(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
