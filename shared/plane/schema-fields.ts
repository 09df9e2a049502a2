/**
 * @module Building blocks for the tolerant Plane schemas: nullish scalars, id-or-object references,
 * plain lists that also accept a page envelope.
 */

import * as z from 'zod'

export const text = z.string().nullish()
export const num = z.number().nullish()
export const flag = z.boolean().nullish()

/** A foreign key: a UUID string, or the nested object when `expand=` asked for it. */
export function ref<T extends z.ZodType>(expanded: T) {
  return z.union([z.string(), expanded]).nullish()
}

/** Plain lists (members, attachments, invitations, `cycle_view=current`); a page envelope is accepted too. */
export function planeListSchema<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) =>
      value !== null && typeof value === 'object' && 'results' in value
        ? (value as { results: unknown }).results
        : value,
    z.array(item)
  )
}
