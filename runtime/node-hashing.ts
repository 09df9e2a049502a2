/** @module `node:crypto`'s synchronous SHA-256 and HMAC for the Node runtime: no thread-pool round trip per digest. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Hashing } from '../shared/hash.ts'

export const nodeHashing: Hashing = {
  sha256Hex: async (data) => createHash('sha256').update(data).digest('hex'),
  hmacSha256Verifier: (secret) => async (data, mac) => {
    const expected = createHmac('sha256', secret).update(data).digest()
    return mac.length === expected.length && timingSafeEqual(expected, mac)
  },
}
