/** @module SHA-256 as lowercase hex, with WebCrypto (Node and Workers alike). */

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  // A copy typed over a plain ArrayBuffer, as WebCrypto's BufferSource wants.
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data)
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
