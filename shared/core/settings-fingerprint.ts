/**
 * @module Which settings a run was made with, as a fingerprint: `npm run job -- check` with one setting
 * overridden, recorded in the store, must not make the running server's /ready degraded. A run or a contact
 * recorded with other settings is shown as such, never as the server's state. One short hash per setting that is
 * set (FNV-1a, 32 bits: a comparison, not a secret's digest; a secret's 8 hex digits say nothing of it), so /ready
 * can name what differs.
 */
import { CONFIG_KEYS, type Config } from './config.ts'

export type SettingsFingerprint = Record<string, string>

export function settingsFingerprint(config: Config): SettingsFingerprint {
  const out: SettingsFingerprint = {}
  for (const key of CONFIG_KEYS) {
    const value = config[key]
    if (value === undefined) continue
    out[key] = _fnv1a(`${key}=${JSON.stringify(value)}`)
  }
  return out
}

/** The settings set on one side only, or set to another value: sorted names, empty when the same. */
export function differingSettings(a: SettingsFingerprint, b: SettingsFingerprint): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...names].filter((name) => a[name] !== b[name]).sort()
}

/** How /ready says with which settings a recorded run or contact was made. */
export function ranWith(own: SettingsFingerprint, recorded: SettingsFingerprint): string {
  const differ = differingSettings(own, recorded)
  return differ.length === 0
    ? "this server's settings"
    : `other settings than this server's (${differ.join(', ')} differ)`
}

function _fnv1a(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}
