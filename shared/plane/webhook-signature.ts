/** @module Plane webhook signature check: hex HMAC-SHA256 of the raw body, constant time, fail closed. */
import { bufferOf, type Hashing, hexOf, webCryptoHashing } from '../hash.ts'

/** Plane sends plain lowercase hex, no `sha256=` prefix (plane-api.md §7.4). */
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/

/** Whether a header could be Plane's signature at all: checked before the body is read, so junk costs no read. */
export function isPlaneSignatureShaped(header: string | null | undefined): header is string {
  return typeof header === 'string' && SIGNATURE_PATTERN.test(header)
}

export type PlaneSignatureVerifier = (
  rawBody: Uint8Array,
  signatureHeader: string | null | undefined
) => Promise<boolean>

/**
 * Build a verifier for one secret, importing the HMAC key once. An empty secret throws here, at start-up:
 * a missing secret must be a configuration error, never "verification off" (DESIGN principle 5).
 * @example const verify = createPlaneSignatureVerifier(config.PLANE_WEBHOOK_SECRET)
 *          if (!(await verify(raw, c.req.header('x-plane-signature')))) return c.text('forbidden', 401)
 */
export function createPlaneSignatureVerifier(
  secret: string,
  hashing: Hashing = webCryptoHashing
): PlaneSignatureVerifier {
  if (typeof secret !== 'string' || secret.trim() === '') {
    throw new Error('Plane webhook secret is empty: refusing to accept unsigned webhooks')
  }
  const check = hashing.hmacSha256Verifier(secret)
  return async function verifyPlaneWebhook(rawBody, signatureHeader) {
    if (!isPlaneSignatureShaped(signatureHeader)) return false
    return check(rawBody, _bytesOfHex(signatureHeader))
  }
}

/** The last secret's verifier: a receiver has one secret, so its key is imported once per process. */
let last: { secret: string; verify: PlaneSignatureVerifier } | undefined

/**
 * Check `X-Plane-Signature` against the **raw** request bytes. Plane signs Python's `json.dumps` output
 * (`", "` separators, `\uXXXX` escapes), so a body re-serialized by `JSON.stringify` never matches: hash
 * the bytes as received. Returns false (never true) for an empty secret, a missing header, or a header
 * that is not 64 lowercase hex. The comparison is `crypto.subtle.verify`, which is constant time.
 */
export async function verifyPlaneSignature(
  rawBody: Uint8Array,
  signatureHeader: string | null | undefined,
  secret: string
): Promise<boolean> {
  if (typeof secret !== 'string' || secret.trim() === '') return false
  if (last?.secret !== secret) last = { secret, verify: createPlaneSignatureVerifier(secret) }
  return last.verify(rawBody, signatureHeader)
}

/** Hex HMAC-SHA256 of a body, as Plane computes it (for simulators and tests). */
export async function signPlaneBody(rawBody: Uint8Array | string, secret: string): Promise<string> {
  if (secret.trim() === '') throw new Error('Plane webhook secret is empty: nothing to sign with')
  const bytes = typeof rawBody === 'string' ? new TextEncoder().encode(rawBody) : rawBody
  const mac = await crypto.subtle.sign('HMAC', await _importKey(secret), bufferOf(bytes))
  return hexOf(mac)
}

// --- Internal helpers ---

function _importKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign']
  )
}

/** 64 hex digits (checked by SIGNATURE_PATTERN) as 32 bytes. */
function _bytesOfHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(32)
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}
