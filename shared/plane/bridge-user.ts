/**
 * @module The user behind the bridge's own key, kept in the store for a day: every process on the store reads it
 * there instead of asking Plane (one request of the key's window each time: create_project's was the one request it
 * still made on the bridge's key, and at the deploy bench's tenth minute it waited 6 s there behind other work).
 */
import type { Store } from '../store/types.ts'
import type { PlaneClient } from './client.ts'
import { fingerprintApiKey } from './key-names.ts'

const BRIDGE_USER_TTL_S = 24 * 60 * 60

/**
 * The bridge's Plane user id: from the store, else `users/me` with the bridge's key (then kept). Kept under the key's
 * fingerprint: a PLANE_API_KEY of another user is asked about anew. Throws as Plane does.
 */
export async function bridgeUserId(
  store: Store,
  plane: PlaneClient,
  apiKey: string | undefined
): Promise<string> {
  const key = bridgeUserKey(apiKey)
  const cached = await store.get<string>(key)
  if (cached) return cached
  const me = await plane.users.me()
  await store.set(key, me.id, { ttlSeconds: BRIDGE_USER_TTL_S })
  return me.id
}

/** Where the bridge's user id is kept for this key. */
export function bridgeUserKey(apiKey: string | undefined): string {
  return `plane:bridge-user:${fingerprintApiKey(apiKey ?? '')}`
}
