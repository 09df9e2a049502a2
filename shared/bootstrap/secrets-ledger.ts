/**
 * @module The secrets a bootstrap run holds, each written to BOOTSTRAP_SECRETS_FILE the moment it exists (a key
 * Plane shows once must never be lost between its creation and the file): one atomic write per secret. A dry run
 * reads the file and writes nothing.
 */
import type { SecretsFile } from '../core/secrets-file.ts'

export type SecretsLedger = {
  get(name: string): string | undefined
  /** Kept and written to the file before the call returns. */
  remember(values: Readonly<Record<string, string>>): Promise<void>
  remove(names: readonly string[]): Promise<void>
  /** Where the file is, for the report (never its content). */
  where: string
}

export async function openSecretsLedger(
  file: SecretsFile,
  { dryRun }: { dryRun: boolean }
): Promise<SecretsLedger> {
  const entries: Record<string, string> = { ...(await file.read()) }
  return {
    get: (name) => (entries[name] ? entries[name] : undefined),
    async remember(values) {
      if (Object.entries(values).every(([k, v]) => entries[k] === v)) return
      Object.assign(entries, values)
      if (!dryRun) await file.write(entries)
    },
    async remove(names) {
      if (!names.some((n) => n in entries)) return
      for (const name of names) delete entries[name]
      if (!dryRun) await file.write(entries)
    },
    where: file.path,
  }
}
