/**
 * @module How Plane names a key's limit and the bridge names a key: `API_KEY_RATE_LIMIT`'s text read as Plane reads
 * it, and a key's fingerprint (what keeps raw keys out of maps and store keys).
 */
/** `60/minute`, `100/min`, `2/second`, `3600/hour`, as Plane's `API_KEY_RATE_LIMIT` reads (DRF's `parse_rate`). */
export function parseRateLimit(text: string): { requests: number; windowMs: number } | null {
  const match = /^\s*(\d+)\s*\/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$/i.exec(text)
  if (!match) return null
  const requests = Number(match[1])
  if (!Number.isInteger(requests) || requests < 1) return null
  const unit = (match[2] as string).toLowerCase()[0]
  const windowMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    unit as 's' | 'm' | 'h' | 'd'
  ]
  return { requests, windowMs }
}

/**
 * A 64-bit FNV-1a fingerprint of the key. Synchronous on purpose: the queue position must be fixed at call
 * time (an async digest would let later callers overtake). It is not a security boundary (the client
 * holds the key anyway); it keeps raw keys out of a module-level map that a debug dump could print.
 */
export function fingerprintApiKey(apiKey: string): string {
  let hash = 0xcbf29ce484222325n
  for (const byte of new TextEncoder().encode(apiKey)) {
    hash ^= BigInt(byte)
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return hash.toString(16).padStart(16, '0')
}
