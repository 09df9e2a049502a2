/** @module SHA-256 as lowercase hex, with WebCrypto (Node and Workers alike). */

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  // A copy typed over a plain ArrayBuffer, as WebCrypto's BufferSource wants.
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data)
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
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
