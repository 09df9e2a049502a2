/**
 * @module The scalar types every Plane object shape uses (ids, dates, roles): a leaf that types.ts and its two siblings
 * import, so that none of the three imports another back (issue 48: the last circle in the repository).
 */

export type Uuid = string
/** Django datetime rendered by DRF: ISO-8601 UTC with `Z`, microseconds when non-zero. */
export type IsoDateTime = string
/** `YYYY-MM-DD`. */
export type IsoDate = string

export type Role = 5 | 15 | 20
