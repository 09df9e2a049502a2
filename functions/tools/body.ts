/**
 * @module The tool routes' bodies under the upload allowance: a large JSON body (a base64 file) is admitted before it is
 * read when its length is declared, and as it is read otherwise; a body that does not fit is refused, never read
 * whole. Multipart files go to the spool instead (./upload-form.ts).
 */
import type { Context } from 'hono'
import type { AppEnv } from '../../shared/core/function.ts'
import { ToolError } from '../../shared/tasks/errors.ts'
import {
  allowanceRefusal,
  BUSY_RETRY_AFTER_S,
  LARGE_BODY_BYTES,
  type UploadAllowance,
} from '../../shared/uploads/allowance.ts'
import { createBase64Decoder } from '../../shared/uploads/base64.ts'
import { createJsonSpill, type SpilledJson } from '../../shared/uploads/json-spill.ts'

/**
 * A JSON body's base64 file, decoded as it was read (json-spill.ts): the text's length (for the size check a string
 * gets) and the bytes, or null when it was not base64.
 */
export type Base64File = { length: number; bytes: Uint8Array | null }
/** A JSON tool call's body with its base64 file (if any) decoded aside: the skeleton holds the file's marker. */
export type JsonUpload = SpilledJson<Base64File>
/** A JSON body read whole, counted in the allowance until `release`. */
export type AdmittedJsonBody = { json: JsonUpload; release: () => void }

/**
 * Reads a JSON tool call's body under the upload allowance: small bodies are never counted; a declared length over
 * LARGE_BODY_BYTES takes its bytes before anything is read, an undeclared one takes them chunk by chunk once it passes
 * that size. The string at `path` (if any) is a base64 file: decoded as it is read, never held as text (the file's
 * bytes alone, where reading it as text held about four times as much). A body nested too deep or with too many
 * values is refused as it is read (`json.refused`), before JSON.parse sees it.
 */
export async function readJsonBodyInAllowance(
  c: Context<AppEnv>,
  allowance: UploadAllowance,
  path: readonly string[] | null
): Promise<AdmittedJsonBody | ToolError> {
  const declared = _declaredLength(c)
  const spill = createJsonSpill<Base64File>({
    path,
    declaredBytes: declared,
    sink(bytesLeft) {
      const decoder = createBase64Decoder(bytesLeft)
      return { write: decoder.write, end: () => ({ length: decoder.length, bytes: decoder.end() }) }
    },
  })
  const read = await _readInAllowance(c, allowance, declared, spill.push)
  if (read instanceof ToolError) return read
  return { json: spill.end(), release: read.release }
}

// --- Internal helpers ---

/** Hands each chunk of the body to `keep`, its bytes taken from the allowance as above; the hold or the refusal. */
async function _readInAllowance(
  c: Context<AppEnv>,
  allowance: UploadAllowance,
  declared: number | null,
  keep: (chunk: Uint8Array) => void
): Promise<{ release: () => void } | ToolError> {
  const releases: Array<() => void> = []
  const release = () => {
    for (const give of releases.splice(0)) give()
  }
  const take = (bytes: number): ToolError | null => {
    const taken = allowance.take(bytes)
    if (taken.ok) {
      releases.push(taken.release)
      return null
    }
    release()
    return _refusal(allowance, taken.reason)
  }
  if (declared !== null && declared > LARGE_BODY_BYTES) {
    const refused = take(declared)
    if (refused) return refused
  }
  const body = c.req.raw.body
  if (!body) return { release }
  const reader = body.getReader()
  let read = 0
  // Bytes of an undeclared length taken so far: none below LARGE_BODY_BYTES, then all of them.
  let counted = 0
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      read += value.byteLength
      if (declared === null && read > LARGE_BODY_BYTES) {
        const refused = take(read - counted)
        counted = read
        if (refused) {
          await reader.cancel().catch(() => undefined)
          return refused
        }
      }
      keep(value)
    }
  } catch (error) {
    release()
    throw error
  } finally {
    reader.releaseLock()
  }
  return { release }
}

function _declaredLength(c: Context<AppEnv>): number | null {
  const length = c.req.header('content-length')
  if (length === undefined || c.req.header('transfer-encoding') !== undefined) return null
  const n = Number.parseInt(length, 10)
  return Number.isFinite(n) && n >= 0 ? n : null
}

function _refusal(allowance: UploadAllowance, reason: 'busy' | 'too_large'): ToolError {
  const { message } = allowanceRefusal(allowance, reason)
  return reason === 'busy'
    ? new ToolError('busy', message, { retry_after_seconds: BUSY_RETRY_AFTER_S })
    : new ToolError('payload_too_large', message, { max_bytes: allowance.limitBytes })
}
