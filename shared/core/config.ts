/** @module One typed config, validated once: every problem reported at once, by name, secrets never echoed. */

import * as z from 'zod'
import { capText } from '../text/cap.ts'
import { CONFIG_KEYS, SECRET_KEYS, SETTINGS, type SettingKey } from './settings.ts'

export { CONFIG_KEYS, SECRET_KEYS, SETTINGS, type SettingKey } from './settings.ts'

const configSchema = z.object(
  Object.fromEntries(CONFIG_KEYS.map((k) => [k, SETTINGS[k].schema])) as {
    [K in SettingKey]: (typeof SETTINGS)[K]['schema']
  }
)

export type Config = z.output<typeof configSchema>

/** Raw settings as the environment gives them (process.env, Worker bindings, a test object). */
export type RawEnv = Record<string, string | undefined>

/** Thrown when settings are invalid; `problems` names every bad variable, its message never holds a secret. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  constructor(readonly problems: ReadonlyArray<{ key: string; message: string }>) {
    super(
      `Invalid settings (${problems.length}):\n${problems.map((p) => `- ${p.key}: ${p.message}`).join('\n')}`
    )
  }
}

/**
 * Validate the environment into a typed config. Empty strings count as unset.
 * @example const config = loadConfig(process.env)
 */
export function loadConfig(env: RawEnv): Config {
  const input: Record<string, string> = {}
  for (const key of CONFIG_KEYS) {
    const value = env[key]
    if (value !== undefined && value.trim() !== '') input[key] = value
  }
  const result = configSchema.safeParse(input)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '(settings)')
    const shown = _describeValue(key, input[key])
    return { key, message: `${issue.message}${shown}` }
  })
  throw new ConfigError(problems)
}

/** The settings of `required` that are not set, for disabling a function that needs them. */
export function missingSettings(config: Config, required: readonly SettingKey[]): SettingKey[] {
  return required.filter((key) => {
    const value = config[key]
    return value === undefined || (Array.isArray(value) && value.length === 0)
  })
}

/** Values of every configured secret, for the log redactor. */
export function secretValues(config: Config): string[] {
  const out: string[] = []
  for (const key of SECRET_KEYS) {
    const value = config[key]
    if (typeof value !== 'string') continue
    out.push(value)
    // A Redis URL's secret part is its password; redact it on its own too.
    if (key === 'REDIS_URL') {
      const password = _urlPassword(value)
      if (password) out.push(password)
    }
  }
  return out
}

// --- Internal helpers ---

function _describeValue(key: string, value: string | undefined): string {
  if (value === undefined) return ''
  if ((SECRET_KEYS as string[]).includes(key)) return ' (value hidden: it is a secret)'
  const shown = capText(value, 41)
  return ` (got "${shown}")`
}

function _urlPassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined
  } catch {
    // Not a URL (validation says so, once): no password in it to redact.
    return undefined
  }
}
