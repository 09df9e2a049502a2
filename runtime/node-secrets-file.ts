/**
 * @module BOOTSTRAP_SECRETS_FILE on Node: read at start after `.env`, and written by `bootstrap` one secret at a time,
 * through a file beside it renamed over it (a crash leaves the old file or the new one, never half of one), mode 0600.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  applySecrets,
  formatSecretsText,
  parseSecretsText,
  type SecretsFile,
} from '../shared/core/secrets-file.ts'

export const DEFAULT_SECRETS_FILE = 'secrets.env'

export function nodeSecretsFile(path: string): SecretsFile {
  const full = resolve(path)
  return {
    path: full,
    read: async () => (existsSync(full) ? parseSecretsText(readFileSync(full, 'utf8')) : {}),
    write: async (entries) => {
      const next = `${full}.next`
      writeFileSync(next, formatSecretsText(entries), { mode: 0o600 })
      // `mode` applies only to a file writeFileSync creates: one left by a crash keeps its own.
      chmodSync(next, 0o600)
      renameSync(next, full)
    },
  }
}

/**
 * `.env`, then the secrets file over it, the process's environment winning over both: what `main` reads settings
 * from. Returns the settings the secrets file replaced in `.env` (said once at start).
 */
export function loadEnvFiles(env: NodeJS.ProcessEnv = process.env): { replaced: string[] } {
  const fromEnvironment = new Set(Object.keys(env).filter((k) => env[k] !== ''))
  if (existsSync('.env')) process.loadEnvFile('.env')
  const path = env.BOOTSTRAP_SECRETS_FILE?.trim() || DEFAULT_SECRETS_FILE
  if (!existsSync(path)) return { replaced: [] }
  return applySecrets(env, parseSecretsText(readFileSync(path, 'utf8')), fromEnvironment)
}
