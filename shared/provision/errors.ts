/** @module The provision job's typed error: it cannot start (refused key, workspace Guest), and whose key it names. */

/** The key that cannot provision at all (refused, or its user a workspace Guest): the bridge's, or an agent's own. */
export class ProvisionError extends Error {
  override readonly name: string = 'ProvisionError'
}

/** The variable of the key a provisioning run writes with when the caller names no other: the bridge's own. */
export const BRIDGE_KEY_VARIABLE = 'PLANE_API_KEY'

/**
 * Whose Plane user a key is, as a message names it: the bridge's, or the user of an agent's own key (the
 * Concierge's, in create_project) by its variable, so that the operator fixes the key that was refused.
 * @example keyUser('PLANE_TOKEN_CONCIERGE') // "the user of PLANE_TOKEN_CONCIERGE"
 */
export function keyUser(keyVariable: string): string {
  return keyVariable === BRIDGE_KEY_VARIABLE ? "the bridge's user" : `the user of ${keyVariable}`
}

/** What to do about a refused key: a new one for its user, set where it is read from. */
export function newKeyHint(keyVariable: string): string {
  const where = keyVariable === BRIDGE_KEY_VARIABLE ? '' : ` and set it in ${keyVariable}`
  return `create a new key for ${keyUser(keyVariable)} in Profile settings → API tokens${where}`
}
