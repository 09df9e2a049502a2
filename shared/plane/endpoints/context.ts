/** @module What every endpoint group gets: the transport, the paginator, the workspace slug. */

import type { z } from 'zod'
import { PlaneApiError } from '../errors.ts'
import type { Paginator } from '../paginate.ts'
import { hasExternalIds } from '../paths.ts'
import type { PlaneTransport } from '../transport.ts'

export type PlaneEndpointContext = {
  transport: PlaneTransport
  paginator: Paginator
  workspaceSlug: string
  /** Normalised base URL, to resolve relative URLs Plane hands out (presigned uploads). */
  baseUrl: string
}

/**
 * POST a create. When the body carries `external_id`+`external_source`, that pair is an idempotency key:
 * the transport may replay the POST after a timeout or 5xx, and Plane answers the replay (or a create
 * repeated by an earlier run) with 409 and the existing id, which is fetched and returned instead.
 * Without the pair the POST is sent once and a 409 surfaces as `PlaneApiError` kind `conflict`.
 */
export async function createOrResolve<S extends z.ZodType>(
  { transport }: PlaneEndpointContext,
  path: string,
  schema: S,
  body: object,
  pathOfExisting: (id: string) => string
): Promise<z.output<S>> {
  try {
    return await transport.request('POST', path, schema, { body })
  } catch (error) {
    const resolvable =
      hasExternalIds(body) &&
      error instanceof PlaneApiError &&
      error.kind === 'conflict' &&
      error.existingId !== undefined
    if (!resolvable) throw error
    return transport.request('GET', pathOfExisting(error.existingId as string), schema)
  }
}
