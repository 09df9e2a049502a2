/** @module How values sit in the store: an envelope carrying the expiry, so TTLs hold on drivers that ignore them. */

// unstorage's memory and fs drivers ignore `ttl` (toolchain.md §3): the expiry travels with the value.
export type Envelope = { $v: unknown; $e: number | null }

export function wrap(value: unknown, ttlSeconds: number | undefined, nowMs: number): Envelope {
  return { $v: value, $e: ttlSeconds ? nowMs + ttlSeconds * 1000 : null }
}

/** Unwrap a stored item; values written outside the envelope (a raw Redis INCR counter) come back as they are. */
export function unwrap(raw: unknown, nowMs: number): { value: unknown; expired: boolean } {
  if (raw === null || raw === undefined) return { value: null, expired: false }
  if (_isEnvelope(raw)) {
    const expired = raw.$e !== null && raw.$e <= nowMs
    return { value: expired ? null : raw.$v, expired }
  }
  return { value: raw, expired: false }
}

/** Keys are `segment:segment`; segments are safe on every driver (file names, Redis, KV). */
export function isValidKey(key: string): boolean {
  return KEY_PATTERN.test(key) && !key.split(':').some((s) => s === '.' || s === '..')
}

const KEY_PATTERN = /^[A-Za-z0-9_.@+=-]+(:[A-Za-z0-9_.@+=-]+)*$/

function _isEnvelope(raw: unknown): raw is Envelope {
  return typeof raw === 'object' && raw !== null && '$v' in raw && '$e' in raw
}
