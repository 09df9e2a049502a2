/**
 * @module Who sent a request: the connection's peer, or — only when that peer is a trusted proxy (Caddy,
 * TRUSTED_PROXIES) — the last address the proxy chain vouches for. Anyone can write an X-Forwarded-For header;
 * it is believed only from a trusted peer. On Workers the peer is CF-Connecting-IP, which Cloudflare sets.
 */
import type { Context } from 'hono'

/** The connection's own peer address: Node's socket (via @hono/node-server's `env.incoming`), or Cloudflare's. */
export function peerAddress(c: Context): string | null {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming
  const socketAddress = incoming?.socket?.remoteAddress
  if (socketAddress) return _unmap(socketAddress)
  // Cloudflare overwrites CF-Connecting-IP on every request; elsewhere the header is anyone's to forge.
  if (_onWorkers()) return c.req.header('cf-connecting-ip') ?? null
  return null
}

/**
 * The client's address: the peer, unless the peer is a trusted proxy; then X-Forwarded-For read from the right,
 * skipping trusted proxies (a client's own XFF entries stand to the left of what the proxy appended).
 */
export function clientAddress(c: Context, trustedProxies: readonly string[] = []): string | null {
  const peer = peerAddress(c)
  if (!peer || !isTrusted(peer, trustedProxies)) return peer
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((h) => _unmap(h.trim()))
    .filter(Boolean)
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string
    if (!isTrusted(hop, trustedProxies)) return hop
  }
  return peer
}

/** An exact address, or an IPv4 CIDR block (`172.16.0.0/12`). */
export function isTrusted(address: string, trusted: readonly string[]): boolean {
  return trusted.some((entry) => {
    const slash = entry.indexOf('/')
    if (slash < 0) return _unmap(entry) === address
    const base = _ipv4(entry.slice(0, slash))
    const bits = Number(entry.slice(slash + 1))
    const ip = _ipv4(address)
    if (base === null || ip === null || !Number.isInteger(bits) || bits < 0 || bits > 32)
      return false
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
    return (base & mask) >>> 0 === (ip & mask) >>> 0
  })
}

// --- Internal helpers ---

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) → `10.0.0.1`. */
function _unmap(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address
}

function _ipv4(address: string): number | null {
  const parts = address.split('.')
  if (parts.length !== 4) return null
  let value = 0
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null
    value = value * 256 + Number(part)
  }
  return value
}

function _onWorkers(): boolean {
  return (
    (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ===
    'Cloudflare-Workers'
  )
}
