/**
 * @module The last contact with each integration, kept in the store as the jobs' last runs are: a wake
 * `npm run job -- poll` delivered, a Plane call another replica made, show in every process's /ready. The status
 * board writes through here at most once a minute per integration, and at once when it starts or stops failing.
 */
import type { ContactStatus } from '../observe/status.ts'
import { readByName, type Store } from '../store/store.ts'

/** An integration not heard of for this long fades out of /ready. */
const CONTACT_TTL_S = 45 * 24 * 60 * 60
const INDEX = 'status:contacts'
const keyOf = (integration: string) => `status:contact:${integration}`

export async function persistContact(
  store: Store,
  integration: string,
  status: ContactStatus
): Promise<void> {
  await store.set(keyOf(integration), status, { ttlSeconds: CONTACT_TTL_S })
  await store.sortedAdd(INDEX, integration, Date.parse(status.at), { ttlSeconds: CONTACT_TTL_S })
}

/** Every integration's last contact recorded in the store (one index read, one read for them all). */
export async function storedContacts(store: Store): Promise<Record<string, ContactStatus>> {
  const names = (await store.sortedRange(INDEX)).map((e) => e.member)
  return readByName<ContactStatus>(store, names, keyOf)
}
