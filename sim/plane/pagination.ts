/** @module `BasePaginator.paginate` + `OffsetPaginator` (plane-api.md §4, `plane/utils/paginator.py`). */

import type { Context } from 'hono'
import { parseError, serverError } from './http-errors.ts'

export const DEFAULT_PER_PAGE = 1000
export const MAX_PER_PAGE = 1000

export type PageEnvelope<T> = {
  grouped_by: null
  sub_grouped_by: null
  total_count: number
  next_cursor: string
  prev_cursor: string
  next_page_results: boolean
  prev_page_results: boolean
  count: number
  total_pages: number
  total_results: number
  extra_stats: null
  results: T[]
}

// Python int(): optional sign and whitespace, digits with single underscores between them.
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/

function pyInt(text: string): number | undefined {
  return PY_INT.test(text) ? Number.parseInt(text.replaceAll('_', '').trim(), 10) : undefined
}

function pyFloat(text: string): number | undefined {
  const value = Number(text.trim())
  return text.trim() !== '' && !Number.isNaN(value) ? value : undefined
}

/** `get_per_page`: default and max 1000 (the OpenAPI text's "20/100" is wrong for CE, §0.7). */
export function readPerPage(c: Context): number {
  const raw = c.req.query('per_page')
  if (raw === undefined) return DEFAULT_PER_PAGE
  const perPage = pyInt(raw)
  if (perPage === undefined) throw parseError('Invalid per_page parameter.')
  if (perPage > MAX_PER_PAGE) {
    throw parseError(`Invalid per_page value. Cannot exceed ${MAX_PER_PAGE}.`)
  }
  // per_page=0 divides by zero in ceil(count / limit); a negative one slices the queryset with a
  // negative index. Both escape as a 500 in Plane.
  if (perPage <= 0) throw serverError()
  return perPage
}

type Cursor = { value: number; offset: number; isPrev: boolean }

/** `Cursor.from_string`: `"{value}:{offset}:{is_prev}"`, value int or float. */
function readCursor(c: Context, perPage: number): Cursor {
  const raw = c.req.query('cursor') ?? `${perPage}:0:0`
  const bits = raw.split(':')
  const [valueText = '', offsetText = '', prevText = ''] = bits
  const value = valueText.includes('.') ? pyFloat(valueText) : pyInt(valueText)
  const offset = pyInt(offsetText)
  const prev = pyInt(prevText)
  if (bits.length !== 3 || value === undefined || offset === undefined || prev === undefined) {
    throw parseError('Invalid cursor parameter.')
  }
  return { value, offset, isPrev: prev !== 0 }
}

/**
 * Slice already-ordered rows into Plane's envelope. The cursor's first number is *not* the page
 * size: the limit always comes from `per_page` (default 1000), so a client that follows
 * `next_cursor` without re-sending `per_page` jumps to offset `page × 1000`. `next_cursor` is
 * present even on the last page; stop on `next_page_results: false`.
 */
export function paginate<Row, Out>(
  c: Context,
  rows: readonly Row[],
  serialize: (rows: Row[]) => Out[],
  totalCount: number = rows.length
): PageEnvelope<Out> {
  const limit = readPerPage(c)
  const cursor = readCursor(c, limit)
  const page = cursor.offset
  const offset = page * limit
  if (offset < 0) throw parseError('Error in parsing')
  // `results[-(limit + 1):]` on a sliced queryset: Django refuses negative indexing (500).
  if (cursor.isPrev && cursor.value !== limit) throw serverError()
  const window = rows.slice(offset, offset + limit + 1)
  const results = serialize(window.slice(0, limit))
  return {
    grouped_by: null,
    sub_grouped_by: null,
    total_count: totalCount,
    next_cursor: `${limit}:${page + 1}:0`,
    prev_cursor: `${limit}:${page - 1}:1`,
    next_page_results: window.length > limit,
    prev_page_results: page > 0,
    count: results.length,
    total_pages: Math.ceil(totalCount / limit),
    total_results: totalCount,
    extra_stats: null,
    results,
  }
}
