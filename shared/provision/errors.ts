/** @module The provision job's typed error: it cannot start (refused key, workspace Guest). */

/** The bridge's own key cannot provision at all (refused key, workspace Guest). */
export class ProvisionError extends Error {
  override readonly name: string = 'ProvisionError'
}
