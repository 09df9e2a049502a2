/**
 * @module The bytes of large request bodies a process holds in memory at once (JSON uploads: base64 files in tool
 * calls, over HTTP or MCP). A body is admitted when its bytes fit in what is left; otherwise the caller is told to
 * retry shortly, or to send the file as multipart (streamed to disk, never held whole). Bounded by design: four
 * agents uploading 50 MiB at once cannot take the 256 MB container down.
 */

/** Bodies below this are never counted: tool calls without a file, a few KB each, always pass. */
export const LARGE_BODY_BYTES = 256 * 1024

/** How long a refused caller is asked to wait: an upload in flight takes seconds. */
export const BUSY_RETRY_AFTER_S = 5

export type AllowanceTake =
  | { ok: true; release: () => void }
  /** `busy`: other bodies hold the allowance now; `too_large`: this one is larger than the whole allowance. */
  | { ok: false; reason: 'busy' | 'too_large' }

export type UploadAllowance = {
  /** The most body bytes held at once. */
  readonly limitBytes: number
  /** Takes `bytes` from the allowance; `release` gives them back (safe to call twice). */
  take(bytes: number): AllowanceTake
  /** Bytes taken now (for /metrics and the refusal's message). */
  inFlight(): number
}

/**
 * @example const allowance = createUploadAllowance(32 * 1024 * 1024); const t = allowance.take(len); … if (t.ok) t.release()
 */
export function createUploadAllowance(limitBytes: number): UploadAllowance {
  let taken = 0
  return {
    limitBytes,
    take(bytes) {
      if (bytes > limitBytes) return { ok: false, reason: 'too_large' }
      if (taken + bytes > limitBytes) return { ok: false, reason: 'busy' }
      taken += bytes
      let given = false
      return {
        ok: true,
        release() {
          if (given) return
          given = true
          taken -= bytes
        },
      }
    },
    inFlight: () => taken,
  }
}

const MULTIPART_HINT =
  'send the file as multipart/form-data to POST /bridge/v1/upload_deliverable (a `file` field): it is streamed to disk, never held in memory'

/** What to tell a caller whose body the allowance refused. */
export function allowanceRefusal(
  allowance: UploadAllowance,
  reason: 'busy' | 'too_large'
): { status: 413 | 503; message: string } {
  const mib = (n: number) => `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`
  if (reason === 'too_large')
    return {
      status: 413,
      message: `This body is larger than the ${mib(allowance.limitBytes)} plane-bridge holds in memory for uploads (UPLOAD_MEMORY_BUDGET_BYTES): ${MULTIPART_HINT}.`,
    }
  return {
    status: 503,
    message: `plane-bridge is holding other uploads (${mib(allowance.inFlight())} of its ${mib(allowance.limitBytes)}): retry in ${BUSY_RETRY_AFTER_S} s, or ${MULTIPART_HINT}.`,
  }
}
