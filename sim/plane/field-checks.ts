/** @module DRF field-level validators with their exact error messages, shared by all v1 serializers. */

import type { PlaneStore } from './store.ts'

export type FieldErrors = Record<string, unknown>

export const REQUIRED = 'This field is required.'
export const NOT_NULL = 'This field may not be null.'

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/
const UUID_TEXT =
  /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/

function pythonType(value: unknown): string {
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'object') return 'dict'
  return 'str'
}

/** CharField: strings (DRF also takes numbers), trimmed; blank and length rules. */
export function checkChar(
  value: unknown,
  { allowBlank = false, allowNull = false, maxLength = 255 } = {}
): { value?: string | null; error?: string } {
  if (value === null) return allowNull ? { value: null } : { error: NOT_NULL }
  if (typeof value !== 'string' && typeof value !== 'number')
    return { error: 'Not a valid string.' }
  const text = String(value).trim()
  if (text === '' && !allowBlank) return { error: 'This field may not be blank.' }
  if (text.length > maxLength) {
    return { error: `Ensure this field has no more than ${maxLength} characters.` }
  }
  return { value: text }
}

export function checkChoice(value: unknown, choices: readonly string[]) {
  if (value === null) return { error: NOT_NULL }
  if (typeof value === 'string' && choices.includes(value)) return { value }
  return { error: `"${String(value)}" is not a valid choice.` }
}

export function checkDate(value: unknown): { value?: string | null; error?: string } {
  if (value === null || value === '') return { value: null }
  if (typeof value === 'string' && DATE_PATTERN.test(value) && !Number.isNaN(Date.parse(value))) {
    return { value }
  }
  return { error: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.' }
}

export function checkDateTime(value: unknown): { value?: string | null; error?: string } {
  if (value === null) return { value: null }
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) {
    return { value: new Date(value).toISOString().replace('.000Z', 'Z') }
  }
  return {
    error:
      'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  }
}

export function checkBoolean(value: unknown): { value?: boolean; error?: string } {
  const truthy = [true, 'true', 'True', 'TRUE', '1', 1, 'yes', 'on', 'y']
  const falsy = [false, 'false', 'False', 'FALSE', '0', 0, 'no', 'off', 'n']
  if (truthy.includes(value as never)) return { value: true }
  if (falsy.includes(value as never)) return { value: false }
  return { error: 'Must be a valid boolean.' }
}

export function checkFloat(value: unknown): { value?: number; error?: string } {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  if (typeof number === 'number' && Number.isFinite(number)) return { value: number }
  return { error: 'A valid number is required.' }
}

export function checkInteger(value: unknown, min?: number, max?: number) {
  if (value === null) return { value: null }
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof number !== 'number' || !Number.isInteger(number)) {
    return { error: 'A valid integer is required.' }
  }
  if (max !== undefined && number > max) {
    return { error: `Ensure this value is less than or equal to ${max}.` }
  }
  if (min !== undefined && number < min) {
    return { error: `Ensure this value is greater than or equal to ${min}.` }
  }
  return { value: number }
}

/**
 * `PrimaryKeyRelatedField`: a malformed UUID is Django's message, an unknown one DRF's. `exists`
 * decides what the field's queryset can see (e.g. `State.objects` hides triage states).
 */
export function checkPk(
  value: unknown,
  exists: (id: string) => boolean
): { value?: string | null; error?: string } {
  if (value === null) return { value: null }
  if (typeof value !== 'string') {
    return { error: `Incorrect type. Expected pk value, received ${pythonType(value)}.` }
  }
  if (!UUID_TEXT.test(value)) return { error: `“${value}” is not a valid UUID.` }
  const id = normalizeUuid(value)
  return exists(id) ? { value: id } : { error: `Invalid pk "${value}" - object does not exist.` }
}

/** `ListField(child=PrimaryKeyRelatedField)`: child errors are keyed by index. */
export function checkPkList(
  value: unknown,
  exists: (id: string) => boolean
): { value?: string[]; error?: unknown } {
  if (!Array.isArray(value)) {
    return { error: [`Expected a list of items but got type "${pythonType(value)}".`] }
  }
  const ids: string[] = []
  const errors: Record<string, string[]> = {}
  value.forEach((item, index) => {
    const checked = item === null ? { error: NOT_NULL } : checkPk(item, exists)
    if (checked.error) errors[String(index)] = [checked.error]
    else if (checked.value) ids.push(checked.value)
  })
  return Object.keys(errors).length ? { error: errors } : { value: ids }
}

export function normalizeUuid(text: string): string {
  const hex = text.replaceAll('-', '').toLowerCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export function userExists(store: PlaneStore) {
  return (id: string) => store.users.has(id)
}
