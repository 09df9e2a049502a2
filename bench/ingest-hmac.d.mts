/** Types of `ingest-hmac.mjs` (plain JavaScript, run by `node` in the ingest bench and imported by the webhook bench). */
import type { Context } from 'hono'

/** A check for one secret: the request's raw body when its `X-Plane-Signature` is right, else null. */
export function createSignatureCheck(
  secret: string
): Promise<(c: Pick<Context, 'req'>) => Promise<Uint8Array | null>>
