/**
 * @module An answer given while the caller is still sending its body (a refusal before the body is read: 401
 * unsigned, 413 too large, 503 busy) reaches the caller. Node and @hono/node-server close such a connection with
 * `destroySoon()` (at once for `Connection: close`; after 500 ms of draining otherwise): closing a socket with bytes
 * still arriving sends a TCP reset, and a caller that reads only once it has sent everything (Python's `requests`,
 * curl) gets a broken pipe instead of the answer. Here the answer says `Connection: close`, the rest of the body is
 * read and thrown away (counted, never kept), and the connection closes after the caller's side does (a lingering
 * close), or at a bound in bytes and time.
 */
import type { IncomingMessage } from 'node:http'

export type LingerOptions = {
  /** Body bytes read and thrown away after the answer; past them the connection is cut. */
  maxBytes?: number
  /** How long after the answer the connection waits for the caller to finish sending and close. */
  maxMs?: number
}

/**
 * Read to its end, a refused body of up to this (the upload routes' at 50 MiB as base64, plus room); the Node runtime
 * passes the largest its routes take (`largestBodyLimit`, app.ts).
 */
export const LINGER_MAX_BYTES = 72 * 1024 * 1024
/** A caller on a slow link sends a refused body for this long at most; then its connection is cut. */
export const LINGER_MAX_MS = 30_000

/**
 * The answer for a request whose body has not all arrived: `response` as is when it has (nothing to linger for),
 * else with `Connection: close`, the rest of the body discarded, and the socket's close deferred to the caller's.
 */
export async function answerBeforeBody(
  response: Response,
  incoming: IncomingMessage,
  { maxBytes = LINGER_MAX_BYTES, maxMs = LINGER_MAX_MS }: LingerOptions = {}
): Promise<Response> {
  // `complete`: the parser has the whole message; unread bytes are in memory, none still on the wire.
  if (incoming.complete) return response
  // Node hands a request over at its head, before it parses the rest of what it has read (a small body sent with
  // the head): one turn of the loop lets it finish.
  await new Promise((resolve) => setImmediate(resolve))
  const socket = incoming.socket
  if (incoming.complete || !socket || socket.destroyed) return response
  let discarded = 0
  const cutOff = () => {
    clearTimeout(timer)
    socket.destroy()
  }
  const timer = setTimeout(cutOff, maxMs)
  timer.unref()
  socket.once('close', () => clearTimeout(timer))
  // Node (`Connection: close`) and @hono/node-server (a drain past 500 ms) both end with destroySoon(): the FIN goes
  // after the answer, but the socket waits for the caller's, so no byte of the body arrives on a closed socket.
  socket.destroySoon = function lingeringClose() {
    if (socket.writable) socket.end()
  }
  // A reader the route left behind (a body stream it stopped reading) would pause the flow: ours replaces it.
  incoming.removeAllListeners('data')
  incoming.on('data', (chunk: Buffer) => {
    discarded += chunk.byteLength
    if (discarded > maxBytes) cutOff()
  })
  incoming.resume()
  try {
    response.headers.set('connection', 'close')
    return response
  } catch {
    // Immutable headers (a fetched response passed through): the same answer with one more.
    const headers = new Headers(response.headers)
    headers.set('connection', 'close')
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    })
  }
}
