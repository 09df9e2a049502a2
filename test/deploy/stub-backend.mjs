#!/usr/bin/env node
/**
 * Loopback stand-ins for every upstream behind caddy/Caddyfile. Each name gets its own 127.0.0.1 port and
 * answers 200 with `x-stub-upstream: <name>` and a JSON echo, so a test can tell which upstream got a
 * request and what Caddy forwarded.
 *
 * Usage: node test/deploy/stub-backend.mjs PORTS_FILE NAME...
 *   writes {"NAME": port, ...} to PORTS_FILE once every port listens; stops on SIGTERM/SIGINT.
 */
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'

const [portsFile, ...names] = process.argv.slice(2)
if (!portsFile || names.length === 0) {
  process.stderr.write('usage: stub-backend.mjs PORTS_FILE NAME...\n')
  process.exit(2)
}

function listen(name) {
  const server = createServer((req, res) => {
    let bytes = 0
    req.on('data', (chunk) => {
      bytes += chunk.length
    })
    req.on('end', () => {
      const echo = {
        upstream: name,
        method: req.method,
        path: req.url,
        host: req.headers.host ?? null,
        xForwardedFor: req.headers['x-forwarded-for'] ?? null,
        bytes,
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-stub-upstream': name })
      res.end(`${JSON.stringify(echo)}\n`)
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve([name, server]))
  })
}

const servers = await Promise.all(names.map(listen))
const ports = Object.fromEntries(servers.map(([name, server]) => [name, server.address().port]))
writeFileSync(portsFile, JSON.stringify(ports))

const stop = () => {
  for (const [, server] of servers) server.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
