/**
 * @module The ingest bench's signature check, shared by the baseline (`ingest-bare.mjs`) and the floor
 * (`ingest-floor.mjs`) so that the floor is exactly the baseline plus its own work: the raw body read once, the hex
 * HMAC-SHA256 of `X-Plane-Signature` checked with WebCrypto (`crypto.subtle.verify`, key imported once, constant time).
 */

const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/

/** A check for one secret: the request's raw body when its signature is right, else null. */
export async function createSignatureCheck(secret) {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify']
  )
  return async function signedBody(c) {
    const raw = new Uint8Array(await c.req.arrayBuffer())
    const hex = c.req.header('x-plane-signature')
    if (!hex || !SIGNATURE_PATTERN.test(hex)) return null
    return (await crypto.subtle.verify('HMAC', key, bytes(hex), raw)) ? raw : null
  }
}

function bytes(hex) {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}
