/** @module Plane v1 URL building: encoded segments and the trailing slash Django requires on every route. */

import { capText } from '../text/cap.ts'
import { isPlaneId } from './limits.ts'

/** Everything under `/api/v1/` (plane-api.md §2). */
export const PLANE_API_PREFIX = '/api/v1'

/**
 * Join path segments into an API path with a trailing slash; each segment is URI-encoded so an id or slug
 * can never add a path level (empty, `.` and `..` segments throw). Without the slash Django redirects or 404s (plane-api.md §11).
 * @example planePath('workspaces', 'acme', 'work-items', 'ONB-12') // '/workspaces/acme/work-items/ONB-12/'
 */
export function planePath(...segments: ReadonlyArray<string>): string {
  return `/${segments.map(_encodeSegment).join('/')}/`
}

/**
 * A project's or work item's id as a path segment. Plane's URL converter matches only UUIDs (a junk id gets its
 * 404 "no URL matched"), so anything else is refused here, before a request is spent on it: an id from outside that
 * slipped past its check (`work-items/undefined/comments/`) is a bug to see, not a request to send.
 */
export function planeIdSegment(id: string): string {
  if (isPlaneId(id)) return id
  throw new TypeError(`Not a Plane id: ${JSON.stringify(capText(String(id), 64))}`)
}

/** Strip trailing slashes so `https://work.example/` and `https://work.example` give the same URLs. */
export function normaliseBaseUrl(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '')
}

/** A create carrying both keys can be replayed: Plane answers the duplicate with 409 and the existing id. */
export function hasExternalIds(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false
  const { external_id, external_source } = body as Record<string, unknown>
  return (
    typeof external_id === 'string' &&
    external_id !== '' &&
    typeof external_source === 'string' &&
    external_source !== ''
  )
}

/** Plane takes comma-separated lists for `expand` and `fields`. */
export function joinList(values: ReadonlyArray<string> | undefined): string | undefined {
  return values && values.length > 0 ? values.join(',') : undefined
}

// --- Internal helpers ---

/** `.`/`..` (even as `%2E%2E`, per the WHATWG URL parser) would climb a level, and `''` would make `//`. */
function _encodeSegment(segment: string): string {
  if (segment === '' || segment === '.' || segment === '..') {
    throw new TypeError(`Invalid Plane path segment: ${JSON.stringify(segment)}`)
  }
  return encodeURIComponent(segment)
}
