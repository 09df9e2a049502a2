/** @module A free loopback port for a process a test starts (the OS picks it; the socket is closed at once). */
import { createServer } from 'node:net'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * A loopback port nothing listens on, for "the service does not answer": port 1 (tcpmux), which no test binds. A port
 * `freePort` found free was closed at once and could be taken by another test's server before it was tried (a full
 * parallel run: the start met something else there, and its reason was not "connect ECONNREFUSED").
 */
export const CLOSED_PORT = 1
