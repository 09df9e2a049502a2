/** @module Cursor pagination over Plane's list envelope, with a hard page cap (plane-api.md §4). */

import * as z from 'zod'
import type { PlaneQuery, PlaneTransport } from './transport.ts'

/** A poll tick never reads more than this many pages (each page is one request of the key's 60/min window). */
export const DEFAULT_PAGE_CAP = 20
/** Plane allows up to 1000; 100 keeps one page's parse and memory small. */
export const DEFAULT_PER_PAGE = 100

export type PaginateOptions = {
  pageCap?: number
  perPage?: number
  /** Resume from a cursor (`"{per_page}:{page}:0"`); its page index is kept, its per-page replaced. */
  cursor?: string
}

export type PlanePage<T> = {
  results: T[]
  /** The cursor this page was read with. */
  cursor: string
  /** The cursor of the following page (Plane always sends one, so only `hasNext` says whether it exists). */
  nextCursor: string
  hasNext: boolean
  totalCount: number | null
}

export type PlaneListResult<T> = {
  results: T[]
  /** True when the page cap (or a cursor Plane ignores) stopped the walk before the end. */
  truncated: boolean
  pages: number
}

/** A page envelope, or a bare array from a Plane that does not paginate this route. */
function _pageBodySchema<S extends z.ZodType>(item: S) {
  const envelope = z.looseObject({
    results: z.array(item),
    next_page_results: z.boolean().nullish(),
    total_count: z.number().nullish(),
    total_results: z.number().nullish(),
  })
  return z.union([envelope, z.array(item)])
}

export type Paginator = {
  paginate<S extends z.ZodType>(
    path: string,
    query: PlaneQuery,
    item: S,
    options?: PaginateOptions
  ): AsyncGenerator<PlanePage<z.output<S>>, void, void>
  listAll<S extends z.ZodType>(
    path: string,
    query: PlaneQuery,
    item: S,
    options?: PaginateOptions
  ): Promise<PlaneListResult<z.output<S>>>
  fetchPage<S extends z.ZodType>(
    path: string,
    query: PlaneQuery,
    item: S,
    options?: { perPage?: number; cursor?: string }
  ): Promise<PlanePage<z.output<S>>>
}

/**
 * Build the paginator on top of a transport.
 * @example for await (const page of paginate('/workspaces/acme/projects/', {}, planeProjectSchema)) …
 */
export function createPaginator(transport: PlaneTransport): Paginator {
  async function fetchPage<S extends z.ZodType>(
    path: string,
    query: PlaneQuery,
    item: S,
    { perPage = DEFAULT_PER_PAGE, cursor }: { perPage?: number; cursor?: string } = {}
  ): Promise<PlanePage<z.output<S>>> {
    const pageIndex = cursor ? _pageIndexOf(cursor) : 0
    const current = _cursor(perPage, pageIndex)
    // page= is ignored, use cursor (makeplane/plane#9340)
    const body = await transport.request('GET', path, _pageBodySchema(item), {
      query: { ...query, per_page: perPage, cursor: current },
    })
    const results = (Array.isArray(body) ? body : body.results) as Array<z.output<S>>
    const hasNext = !Array.isArray(body) && body.next_page_results === true && results.length > 0
    const totalCount = Array.isArray(body)
      ? body.length
      : (body.total_count ?? body.total_results ?? null)
    return {
      results,
      cursor: current,
      nextCursor: _cursor(perPage, pageIndex + 1),
      hasNext,
      totalCount,
    }
  }

  async function* paginate<S extends z.ZodType>(
    path: string,
    query: PlaneQuery,
    item: S,
    { pageCap = DEFAULT_PAGE_CAP, perPage = DEFAULT_PER_PAGE, cursor }: PaginateOptions = {}
  ): AsyncGenerator<PlanePage<z.output<S>>, void, void> {
    let next: string | undefined = cursor
    let previousFirstId: unknown
    for (let read = 0; read < pageCap; read++) {
      const page = await fetchPage(path, query, item, {
        perPage,
        ...(next ? { cursor: next } : {}),
      })
      const firstId = _idOf(page.results[0])
      // A server that ignores the cursor serves page 1 again and claims more forever (makeplane/plane#9340).
      if (read > 0 && firstId !== undefined && firstId === previousFirstId) return
      yield page
      if (!page.hasNext) return
      previousFirstId = firstId
      next = page.nextCursor
    }
  }

  async function listAll<S extends z.ZodType>(
    path: string,
    query: PlaneQuery,
    item: S,
    options: PaginateOptions = {}
  ): Promise<PlaneListResult<z.output<S>>> {
    const results: Array<z.output<S>> = []
    let pages = 0
    let truncated = false
    for await (const page of paginate(path, query, item, options)) {
      results.push(...page.results)
      pages++
      truncated = page.hasNext
    }
    return { results, truncated, pages }
  }

  return { paginate, listAll, fetchPage }
}

// --- Internal helpers ---

function _cursor(perPage: number, pageIndex: number): string {
  return `${perPage}:${pageIndex}:0`
}

function _pageIndexOf(cursor: string): number {
  const index = Number(cursor.split(':')[1])
  return Number.isInteger(index) && index >= 0 ? index : 0
}

function _idOf(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? (value as { id?: unknown }).id : undefined
}
