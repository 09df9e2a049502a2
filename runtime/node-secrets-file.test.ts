import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { nodeSecretsFile } from './node-secrets-file.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const tsxLoader = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href

/** A temporary folder, removed when the test ends. */
function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

describe('BOOTSTRAP_SECRETS_FILE on Node', () => {
  it('should read nothing before the first write, then write it whole, mode 0600, through a file renamed over it', async () => {
    const path = join(scratch('secrets-'), 'secrets.env')
    const file = nodeSecretsFile(path)
    expect(await file.read()).toEqual({})
    // A crash left a world-readable temporary file: the next write still ends 0600.
    writeFileSync(`${path}.next`, 'X=1', { mode: 0o644 })
    await file.write({ PLANE_API_KEY: 'plane_api_1' })
    await file.write({ PLANE_API_KEY: 'plane_api_1', PLANE_WEBHOOK_SECRET: 'plane_wh_2' })
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(await file.read()).toEqual({
      PLANE_API_KEY: 'plane_api_1',
      PLANE_WEBHOOK_SECRET: 'plane_wh_2',
    })
    expect(readFileSync(path, 'utf8')).toContain('PLANE_WEBHOOK_SECRET=plane_wh_2\n')
  })
})

describe('loadEnvFiles: .env, then the secrets file, the environment winning', () => {
  it('should fill .env’s empty keys from secrets.env, replace its older ones, and keep the environment’s', () => {
    const dir = scratch('envfiles-')
    writeFileSync(
      join(dir, '.env'),
      'PLANE_API_KEY=\nPLANE_WEBHOOK_SECRET=plane_wh_old\nLOCALE=en\nBOOTSTRAP_SECRETS_FILE=./s/secrets.env\n'
    )
    mkdirSync(join(dir, 's'))
    writeFileSync(
      join(dir, 's', 'secrets.env'),
      'PLANE_API_KEY=plane_api_new\nPLANE_WEBHOOK_SECRET=plane_wh_new\nPLANE_TOKEN_THOT=plane_api_thot\nBOOTSTRAP_PASSWORD_BRIDGE=pw\n'
    )
    const script = `import { loadEnvFiles } from ${JSON.stringify(join(root, 'runtime/node-secrets-file.ts'))}
const { replaced } = loadEnvFiles(process.env)
const pick = ['PLANE_API_KEY', 'PLANE_WEBHOOK_SECRET', 'PLANE_TOKEN_THOT', 'LOCALE', 'BOOTSTRAP_PASSWORD_BRIDGE']
console.log(JSON.stringify({ env: Object.fromEntries(pick.map((k) => [k, process.env[k] ?? null])), replaced }))`
    writeFileSync(join(dir, 'load.ts'), script)
    const run = spawnSync(process.execPath, ['--import', tsxLoader, join(dir, 'load.ts')], {
      cwd: dir,
      env: { PATH: process.env.PATH, PLANE_TOKEN_THOT: 'plane_api_from_environment' },
      encoding: 'utf8',
    })
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toEqual({
      env: {
        PLANE_API_KEY: 'plane_api_new',
        PLANE_WEBHOOK_SECRET: 'plane_wh_new',
        PLANE_TOKEN_THOT: 'plane_api_from_environment',
        LOCALE: 'en',
        BOOTSTRAP_PASSWORD_BRIDGE: null,
      },
      replaced: ['PLANE_WEBHOOK_SECRET'],
    })
  }, 30_000)
})
