/**
 * @module The secrets file `bootstrap` writes (BOOTSTRAP_SECRETS_FILE): `.env` lines the runtime reads after `.env`.
 * What it is to the code that writes and reads it (the Node runtime gives the file itself), and its text. Pure.
 */

/** Bootstrap's own lines (passwords, key ids): in the file for the next run, never put in the environment. */
export const BOOTSTRAP_ONLY_PREFIX = 'BOOTSTRAP_'

export type SecretsFile = {
  /** Where it is, as people will look for it. */
  path: string
  /** Its entries; empty when there is no file yet. */
  read(): Promise<Record<string, string>>
  /** Replaces the file with these entries at once (a file beside it renamed over it), mode 0600. */
  write(entries: Readonly<Record<string, string>>): Promise<void>
}

const NAME = /^[A-Z_][A-Z0-9_]*$/

/** `KEY=value` lines; blank lines and `#` comments skipped, one pair of surrounding quotes dropped. */
export function parseSecretsText(text: string): Record<string, string> {
  const entries: Record<string, string> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const at = line.indexOf('=')
    if (at <= 0) continue
    const key = line.slice(0, at).trim()
    if (!NAME.test(key)) continue
    let value = line.slice(at + 1).trim()
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0])
      value = value.slice(1, -1)
    entries[key] = value
  }
  return entries
}

/** The file's text: a header saying what it is, the settings first, bootstrap's own lines last. */
export function formatSecretsText(entries: Readonly<Record<string, string>>): string {
  const names = Object.keys(entries).filter((k) => NAME.test(k))
  const settings = names.filter((k) => !k.startsWith(BOOTSTRAP_ONLY_PREFIX)).sort()
  const own = names.filter((k) => k.startsWith(BOOTSTRAP_ONLY_PREFIX)).sort()
  const line = (k: string) => `${k}=${_quoted(entries[k] ?? '')}`
  return [
    '# Written by `npm run job -- bootstrap`: the secrets it made in Plane. Keep it mode 0600 and out of git.',
    '# The bridge reads it at start after .env (its values take the place of empty or older ones there).',
    ...settings.map(line),
    '',
    '# What bootstrap needs to sign in again and find its keys (never loaded into the bridge):',
    ...own.map(line),
    '',
  ].join('\n')
}

/**
 * What the runtime takes from the file: every setting line, over `.env`'s value, unless the process's own environment
 * (`fromEnvironment`: what was set, not empty, before `.env` was read) has it. Returns the names it set whose `.env`
 * value it replaced (a person may want to know the two differ).
 */
export function applySecrets(
  env: Record<string, string | undefined>,
  entries: Readonly<Record<string, string>>,
  fromEnvironment: ReadonlySet<string>
): { applied: string[]; replaced: string[] } {
  const applied: string[] = []
  const replaced: string[] = []
  for (const [key, value] of Object.entries(entries)) {
    if (key.startsWith(BOOTSTRAP_ONLY_PREFIX) || value === '' || fromEnvironment.has(key)) continue
    const before = env[key]
    if (before !== undefined && before !== '' && before !== value) replaced.push(key)
    env[key] = value
    applied.push(key)
  }
  return { applied, replaced }
}

function _quoted(value: string): string {
  if (/^[A-Za-z0-9_\-.:/@+=]*$/.test(value)) return value
  return value.includes("'") ? `"${value}"` : `'${value}'`
}
