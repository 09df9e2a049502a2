/** @module The provision job's typed errors: it cannot start, or it finished but agents stay blocked. */
import type { ProvisionItem } from './types.ts'

/** The bridge's own key cannot provision at all (refused key, workspace Guest). */
export class ProvisionError extends Error {
  override readonly name: string = 'ProvisionError'
}

/** The run finished, but a human must act before some agent can work (PROV-01..04 not met yet). */
export class ProvisionBlockedError extends ProvisionError {
  override readonly name = 'ProvisionBlockedError'
  constructor(
    message: string,
    readonly items: readonly ProvisionItem[]
  ) {
    super(message)
  }
}
