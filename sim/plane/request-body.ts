/** @module DRF request parsing: JSON, form and multipart bodies; other media types are 415. */

import type { Context } from 'hono'
import { PlaneHttpError, parseError } from './http-errors.ts'

/** `FILE_SIZE_LIMIT` / `DATA_UPLOAD_MAX_MEMORY_SIZE` default (§5, last bullet). */
export const FILE_SIZE_LIMIT_BYTES = 5 * 1024 * 1024

export type RequestData = Record<string, unknown>

/**
 * Read `request.data`. An empty body is `{}`; a body without a JSON/form Content-Type is
 * 415 (DRF `UnsupportedMediaType`), a client that forgets `Content-Type: application/json` fails
 * here exactly as against the real server.
 */
export async function readRequestData(c: Context): Promise<unknown> {
  const raw = await c.req.raw.clone().arrayBuffer()
  if (raw.byteLength > FILE_SIZE_LIMIT_BYTES) {
    throw new PlaneHttpError(413, {
      error: 'REQUEST_BODY_TOO_LARGE',
      detail: `Request body size exceeds the limit of ${FILE_SIZE_LIMIT_BYTES} bytes`,
    })
  }
  if (raw.byteLength === 0) return {}
  const contentType = c.req.header('content-type') ?? ''
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  if (mediaType === 'application/json') {
    const text = new TextDecoder().decode(raw)
    try {
      return JSON.parse(text)
    } catch (error) {
      throw parseError(`JSON parse error - ${(error as Error).message}`)
    }
  }
  if (mediaType === 'application/x-www-form-urlencoded' || mediaType === 'multipart/form-data') {
    const form = await c.req.raw.clone().formData()
    const data: RequestData = {}
    for (const [key, value] of form.entries()) data[key] = value
    return data
  }
  throw new PlaneHttpError(415, { detail: `Unsupported media type "${contentType}" in request.` })
}

/**
 * A serializer given something other than an object answers like DRF's `Serializer.to_internal_value`.
 */
export async function readObjectBody(c: Context): Promise<RequestData> {
  const data = await readRequestData(c)
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const kind = Array.isArray(data) ? 'list' : data === null ? 'NoneType' : typeof data
    throw new PlaneHttpError(400, {
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(kind)}.`],
    })
  }
  return data as RequestData
}

function pythonTypeName(kind: string): string {
  return { string: 'str', number: 'int', boolean: 'bool' }[kind] ?? kind
}
