/**
 * @module A raw HTTP/1.1 client over a real socket that sends its whole body before it reads anything, as Python's
 * `requests` (Plane's webhook worker, most agents' scripts) and curl do: what such a caller gets from a server that
 * answers before reading the body (a refusal) — the answer, or only a broken pipe or a reset.
 */
import { connect } from 'node:net'

export type RawSendOptions = {
  port: number
  path: string
  headers?: Record<string, string>
  /** The body, or its length (declared in Content-Length) with bytes of `fill`. */
  body?: Uint8Array | string
  bodyBytes?: number
  fill?: number
  /** Written in chunks of this size, each after `pauseMs` (a slow link, or a busy sender). */
  chunkBytes?: number
  pauseMs?: number
  /** Read the answer only once the whole body is sent (default), or as it comes. */
  readWhileSending?: boolean
}

export type RawSendResult = {
  /** The answer's status, or null when none arrived. */
  status: number | null
  /** Lower-case names. */
  headers: Record<string, string>
  body: string
  /** The transport error the caller saw (EPIPE, ECONNRESET), if any. */
  error: string | null
  /** Body bytes written before the body ended or the connection did. */
  sent: number
}

export function sendThenRead({
  port,
  path,
  headers = {},
  body,
  bodyBytes = body === undefined ? 0 : Buffer.byteLength(body),
  fill = 120,
  chunkBytes = 64 * 1024,
  pauseMs = 0,
  readWhileSending = false,
}: RawSendOptions): Promise<RawSendResult> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const received: Buffer[] = []
    let error: string | null = null
    let sent = 0
    if (!readWhileSending) socket.pause()
    let done = false
    // A whole answer read once the body is sent: our side closes (a connection kept alive would never end).
    const closeWhenAnswered = () => {
      if (done && _answered(Buffer.concat(received))) socket.end()
    }
    socket.on('data', (data: Buffer) => {
      received.push(data)
      closeWhenAnswered()
    })
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message
    })
    socket.on('close', () => resolve({ ..._parse(Buffer.concat(received)), error, sent }))
    socket.once('connect', async () => {
      const head = Object.entries({ host: '127.0.0.1', ...headers })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('')
      socket.write(`POST ${path} HTTP/1.1\r\n${head}content-length: ${bodyBytes}\r\n\r\n`)
      const bytes = body === undefined ? Buffer.alloc(chunkBytes, fill) : Buffer.from(body)
      while (sent < bodyBytes && !socket.destroyed) {
        const n = Math.min(chunkBytes, bodyBytes - sent)
        const piece = body === undefined ? bytes.subarray(0, n) : bytes.subarray(sent, sent + n)
        const ok = await new Promise<boolean>((done) => socket.write(piece, (e) => done(!e)))
        if (!ok) break
        sent += n
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs))
      }
      // Sent: now read the answer, and close our side once it is whole or the server has closed its own.
      done = true
      socket.resume()
      closeWhenAnswered()
      socket.once('end', () => socket.end())
    })
  })
}

function _answered(raw: Buffer): boolean {
  const { status, headers, body } = _parse(raw)
  const length = Number(headers['content-length'])
  return status !== null && Number.isFinite(length) && Buffer.byteLength(body) >= length
}

function _parse(raw: Buffer): Pick<RawSendResult, 'status' | 'headers' | 'body'> {
  const text = raw.toString('utf8')
  const end = text.indexOf('\r\n\r\n')
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]
  if (!status || end < 0) return { status: null, headers: {}, body: '' }
  const headers: Record<string, string> = {}
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(status), headers, body: text.slice(end + 4) }
}
