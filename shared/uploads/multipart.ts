/**
 * @module A streaming multipart/form-data reader (RFC 7578, RFC 2046 §5.1.1): each part's bytes go to its sink as they
 * arrive, so a 50 MiB file never sits whole in memory. Time is linear in the body (the boundary is at most 70
 * characters, and each byte is compared against it at most once per candidate position). Pure, Workers-portable.
 */

/** A body that is not the multipart it claims to be (400), or a part larger than its sink allows (413). */
export class MultipartError extends Error {
  override readonly name = 'MultipartError'
  constructor(
    message: string,
    readonly status: 400 | 413 = 400
  ) {
    super(message)
  }
}

export type MultipartPart = {
  /** The form field's name (`file`, `task`…). */
  name: string
  /** The file name the client gave, for a file part; null for a plain field. */
  filename: string | null
  /** The part's own Content-Type, when it has one. */
  contentType: string | null
}

/** Where one part's bytes go; `write` is awaited before the next chunk is read (backpressure). */
export type MultipartSink = {
  write(chunk: Uint8Array): void | Promise<void>
  end(): void | Promise<void>
}

export type ReadMultipartOptions = {
  boundary: string
  /** Called once per part, before its first byte; the sink it returns receives the part's bytes. */
  onPart: (part: MultipartPart) => MultipartSink | Promise<MultipartSink>
  /** Largest header block of one part. */
  maxHeaderBytes?: number
  /** Most parts accepted in one body. */
  maxParts?: number
}

/** RFC 2046: a boundary is 1–70 characters. */
const MAX_BOUNDARY_CHARS = 70
const CR = 13
const LF = 10
const DASH = 45

/** The `boundary` parameter of a multipart Content-Type, or null when there is none (or it is not a valid one). */
export function multipartBoundary(contentType: string): string | null {
  const [type, ...params] = _splitParams(contentType)
  if (!type.toLowerCase().startsWith('multipart/')) return null
  const boundary = params.find((p) => p.name === 'boundary')?.value ?? null
  if (!boundary || boundary.length > MAX_BOUNDARY_CHARS) return null
  return boundary
}

/**
 * Reads the whole body, handing each part to the sink `onPart` gives for it. Ends when the closing delimiter is
 * read; a body that ends before it, a part header block too large, or too many parts throw a MultipartError.
 */
export async function readMultipart(
  body: ReadableStream<Uint8Array>,
  { boundary, onPart, maxHeaderBytes = 8 * 1024, maxParts = 32 }: ReadMultipartOptions
): Promise<void> {
  if (boundary.length === 0 || boundary.length > MAX_BOUNDARY_CHARS)
    throw new MultipartError('The multipart boundary is missing or longer than 70 characters.')
  // Every delimiter, the first included, is searched as CRLF "--" boundary: the body is read as if it began with
  // a CRLF (the first delimiter may have none before it).
  const delimiter = new TextEncoder().encode(`\r\n--${boundary}`)
  const headerEnd = new Uint8Array([CR, LF, CR, LF])
  let buffer: Uint8Array = new Uint8Array([CR, LF])
  let state = 'preamble' as 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done'
  let sink: MultipartSink | null = null
  let parts = 0
  const reader = body.getReader()
  let ended = false
  try {
    // `step` moves `state`: read through a function, not narrowed here.
    while (!finished()) {
      const progressed = await step()
      if (progressed) continue
      if (ended) throw new MultipartError('The multipart body ended before its closing boundary.')
      const { value, done } = await reader.read()
      if (done) ended = true
      else if (value.byteLength > 0) buffer = _concat(buffer, value)
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined)
    throw error
  } finally {
    reader.releaseLock()
  }

  function finished(): boolean {
    return state === 'done'
  }

  /** One move of the state machine on what is buffered; false when it needs more bytes. */
  async function step(): Promise<boolean> {
    switch (state) {
      case 'preamble': {
        const at = _indexOf(buffer, delimiter, 0)
        if (at === -1) {
          // The preamble is ignored; keep only what could be the start of the first delimiter.
          buffer = buffer.subarray(Math.max(0, buffer.length - (delimiter.length - 1)))
          return false
        }
        buffer = buffer.subarray(at + delimiter.length)
        state = 'after-delimiter'
        return true
      }
      case 'after-delimiter': {
        if (buffer.length < 2) return false
        if (buffer[0] === DASH && buffer[1] === DASH) {
          state = 'done'
          return true
        }
        // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
        let i = 0
        while (i < buffer.length && (buffer[i] === 32 || buffer[i] === 9)) i++
        if (i > 64) throw new MultipartError('Malformed multipart body: junk after a boundary.')
        if (buffer.length < i + 2) return false
        if (buffer[i] !== CR || buffer[i + 1] !== LF)
          throw new MultipartError('Malformed multipart body: a boundary is not followed by CRLF.')
        buffer = buffer.subarray(i + 2)
        state = 'headers'
        return true
      }
      case 'headers': {
        // A part with no header at all starts with its blank line.
        const bare = buffer.length >= 2 && buffer[0] === CR && buffer[1] === LF
        const at = bare ? 0 : _indexOf(buffer, headerEnd, 0)
        if (at === -1 || at > maxHeaderBytes) {
          if (at === -1 && buffer.length <= maxHeaderBytes) return false
          throw new MultipartError(`A multipart part's headers exceed ${maxHeaderBytes} bytes.`)
        }
        if (++parts > maxParts)
          throw new MultipartError(`More than ${maxParts} parts in one multipart body.`)
        const text = new TextDecoder().decode(buffer.subarray(0, at))
        buffer = buffer.subarray(bare ? 2 : at + headerEnd.length)
        sink = await onPart(_partOf(text))
        state = 'body'
        return true
      }
      case 'body': {
        const current = sink as MultipartSink
        const at = _indexOf(buffer, delimiter, 0)
        if (at === -1) {
          // Everything but a tail that could be the start of the delimiter is the part's.
          const safe = buffer.length - (delimiter.length - 1)
          if (safe <= 0) return false
          await current.write(buffer.subarray(0, safe))
          buffer = buffer.subarray(safe)
          return false
        }
        if (at > 0) await current.write(buffer.subarray(0, at))
        await current.end()
        sink = null
        buffer = buffer.subarray(at + delimiter.length)
        state = 'after-delimiter'
        return true
      }
      default:
        return false
    }
  }
}

// --- Internal helpers ---

/** First index of `needle` in `hay` from `from`, or -1. At most needle.length comparisons per candidate. */
function _indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0] as number
  const last = hay.length - needle.length
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1
    while (j < needle.length && hay[i + j] === needle[j]) j++
    if (j === needle.length) return i
  }
  return -1
}

function _concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

function _partOf(headers: string): MultipartPart {
  let disposition = ''
  let contentType: string | null = null
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === 'content-disposition') disposition = value
    else if (name === 'content-type') contentType = value
  }
  const [kind, ...params] = _splitParams(disposition)
  if (kind?.toLowerCase() !== 'form-data')
    throw new MultipartError('A multipart part has no Content-Disposition: form-data header.')
  const name = params.find((p) => p.name === 'name')?.value
  if (name === undefined) throw new MultipartError('A multipart part has no field name.')
  const extended = params.find((p) => p.name === 'filename*')?.value
  const filename =
    (extended ? _decodeExtended(extended) : null) ??
    params.find((p) => p.name === 'filename')?.value ??
    null
  return { name, filename, contentType }
}

/**
 * `type; a=b; c="d;e"` → the type, then each parameter (names lowercased, quoted values unescaped). One pass over
 * the text: no regular expression, so no backtracking on a header a client made up.
 */
function _splitParams(header: string): [string, ...{ name: string; value: string }[]] {
  const params: { name: string; value: string }[] = []
  let i = header.indexOf(';')
  const type = (i === -1 ? header : header.slice(0, i)).trim()
  while (i !== -1 && i < header.length) {
    i++
    const eq = header.indexOf('=', i)
    if (eq === -1) break
    const name = header.slice(i, eq).trim().toLowerCase()
    let j = eq + 1
    while (header[j] === ' ') j++
    let value = ''
    if (header[j] === '"') {
      j++
      while (j < header.length && header[j] !== '"') {
        if (header[j] === '\\' && j + 1 < header.length) j++
        value += header[j]
        j++
      }
      j = header.indexOf(';', j)
    } else {
      const end = header.indexOf(';', j)
      value = (end === -1 ? header.slice(j) : header.slice(j, end)).trim()
      j = end
    }
    params.push({ name, value })
    i = j
  }
  return [type, ...params]
}

/** RFC 5987 `UTF-8''na%C3%AFve.pdf`; null when it cannot be read (the plain `filename` is used then). */
function _decodeExtended(value: string): string | null {
  const quote = value.indexOf("''")
  if (quote === -1 || value.slice(0, quote).toLowerCase() !== 'utf-8') return null
  try {
    return decodeURIComponent(value.slice(quote + 2))
  } catch {
    // A malformed filename* is ignored, as RFC 6266 says; the plain filename stands.
    return null
  }
}
