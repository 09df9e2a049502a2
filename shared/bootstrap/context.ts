/** @module What every step of a bootstrap run receives, and the report lines (provision's items) they make. */
import { errorMessage } from '../observe/errors.ts'
import type { PlaneSession } from '../plane/session/client.ts'
import { PlaneSessionError } from '../plane/session/client.ts'
import type { ProvisionItem } from '../provision/types.ts'
import type { Account } from './accounts.ts'
import type { SecretsLedger } from './secrets-ledger.ts'

export type BootstrapSettings = {
  slug: string
  adminEmail: string
  adminPassword: string
  /** The URL Plane is to post to (PLANE_WEBHOOK_URL, else PUBLIC_URL/webhooks/plane); null when neither is set. */
  webhookUrl: string | null
  /** Plane's host (PLANE_BASE_URL's), for what Plane refuses as a webhook target. */
  planeHost: string
  /** The accounts' language in Plane (PROV-01: French), LOCALE. */
  language: 'fr' | 'en'
}

export type BootstrapContext = {
  settings: BootstrapSettings
  accounts: readonly Account[]
  ledger: SecretsLedger
  dryRun: boolean
  /** A new browser on Plane: its own cookie jar. */
  newSession(): PlaneSession
  /** A password Plane will take (zxcvbn 3+): 32 random characters. */
  newPassword(): string
  progress(line: string): void
}

export type Item = ProvisionItem

export const done = (subject: string, detail: string): Item => ({
  subject,
  status: 'ok',
  changed: true,
  detail,
})
export const fine = (subject: string, detail: string): Item => ({
  subject,
  status: 'ok',
  changed: false,
  detail,
})
export const human = (subject: string, detail: string): Item => ({
  subject,
  status: 'human',
  changed: false,
  detail,
})
export const skipped = (subject: string, detail: string): Item => ({
  subject,
  status: 'skipped',
  changed: false,
  detail,
})

/** A step Plane failed on (down, 5xx): the run goes on where it can, and the next one does it. */
export function failed(subject: string, error: unknown): Item {
  const message = errorMessage(error)
  if (error instanceof PlaneSessionError && error.kind === 'refused')
    return human(subject, `${message}: see what Plane says, fix it, then run bootstrap again.`)
  return {
    subject,
    status: 'failed',
    changed: false,
    detail: `${message}. Nothing is lost: run bootstrap again, it goes on from here.`,
  }
}
