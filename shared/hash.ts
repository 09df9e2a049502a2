/**
 * @module SHA-256 and HMAC-SHA256 as the bridge uses them. WebCrypto by default (Node and Workers alike); the
 * Node runtime hands in `node:crypto`'s synchronous ones (runtime/node-hashing.ts): WebCrypto on Node sends
 * every digest to the thread pool and back, which costs the webhook path ~20 % of its core.
 */

export type Hashing = {
  /** Lowercase hex SHA-256 of the bytes (a string: of its UTF-8). */
  sha256Hex(data: Uint8Array | string): Promise<string>
  /**
   * A checker for one secret (its key prepared once): true when `mac` is the HMAC-SHA256 of `data`,
   * compared in constant time.
   */
  hmacSha256Verifier(secret: string): (data: Uint8Array, mac: Uint8Array) => Promise<boolean>
}

export const webCryptoHashing: Hashing = {
  sha256Hex,
  hmacSha256Verifier(secret) {
    let key: Promise<CryptoKey> | undefined
    return async (data, mac) => {
      key ??= crypto.subtle.importKey(
        'raw',
        new TextEncoder().encode(secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['verify']
      )
      // crypto.subtle.verify compares in constant time.
      return crypto.subtle.verify('HMAC', await key, bufferOf(mac), bufferOf(data))
    }
  },
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  // A copy typed over a plain ArrayBuffer, as WebCrypto's BufferSource wants.
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data)
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return hexOf(digest)
}

/**
 * Compare a presented secret with the expected one in constant time (both hashed first, so their lengths
 * leak nothing either). False when `expected` is empty.
 */
export async function secretEquals(
  given: string | null | undefined,
  expected: string
): Promise<boolean> {
  if (!expected) return false
  const digest = async (text: string) =>
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  const [a, b] = await Promise.all([digest(given ?? ''), digest(expected)])
  let diff = 0
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return diff === 0
}

/** Bytes (a digest, a MAC) as lowercase hex. */
export function hexOf(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** WebCrypto wants an ArrayBuffer-backed view; copy only when the bytes live elsewhere (SharedArrayBuffer). */
export function bufferOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes)
}
