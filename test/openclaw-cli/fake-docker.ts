/**
 * A stand-in for the `docker` CLI on the PATH of a real OpenClaw gateway (no Docker daemon in CI): OpenClaw 2026.2
 * runs a sandboxed agent's tools through `docker create` / `docker exec`, and this records what each container is
 * given (its environment at creation, and each command's `-e` variables) and runs each command on the host with
 * exactly those variables, nothing of the gateway's own environment (HOME aside: the container's `/workspace` is a
 * scratch folder here). What OpenClaw hands one agent's sandbox is then read from OpenClaw itself, not from the
 * configuration that asked for it.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** One `docker create` or `docker exec` the gateway ran. */
export type DockerCall = {
  verb: 'create' | 'exec'
  container: string
  /** `--env` of `create`, `-e` of `exec`. */
  env: Record<string, string>
  /** The command an `exec` ran (`sh -lc …`), empty for `create`. */
  command: string[]
}

export type FakeDocker = {
  /** The folder to put first on the gateway's PATH. */
  binDir: string
  calls(): DockerCall[]
}

/** Writes the fake into `dir` (`bin/docker`, run by `node`, and `calls/`, one JSON file per call). */
export function installFakeDocker(dir: string, node: string): FakeDocker {
  const binDir = join(dir, 'bin')
  const callsDir = join(dir, 'calls')
  mkdirSync(binDir, { recursive: true })
  mkdirSync(callsDir, { recursive: true })
  const script = join(binDir, 'docker')
  writeFileSync(script, `#!${node}\n${FAKE_DOCKER_SOURCE(callsDir)}`)
  chmodSync(script, 0o755)
  return {
    binDir,
    calls: () =>
      readdirSync(callsDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => JSON.parse(readFileSync(join(callsDir, f), 'utf8')) as DockerCall),
  }
}

/**
 * The script itself (CommonJS, no dependency). Containers are remembered as files; `exec` without `-e` is the
 * sandbox's `setupCommand` (OpenClaw passes none to it): recorded, not run, since it installs packages.
 */
const FAKE_DOCKER_SOURCE = (callsDir: string) => `
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const calls = ${JSON.stringify(callsDir)}
const args = process.argv.slice(2)
const state = (name) => path.join(calls, name + '.container')
const record = (call) =>
  fs.writeFileSync(path.join(calls, Date.now() + '-' + process.pid + '-' + call.verb + '.json'), JSON.stringify(call))
const verb = args[0]
if (verb === 'inspect') {
  const name = args[args.length - 1]
  if (!fs.existsSync(state(name))) {
    process.stderr.write('Error: No such object: ' + name + '\\n')
    process.exit(1)
  }
  const format = args[args.indexOf('-f') + 1] || ''
  const labels = JSON.parse(fs.readFileSync(state(name), 'utf8'))
  const label = /"([^"]+)"/.exec(format)
  process.stdout.write((format.includes('State.Running') ? 'true' : label ? labels[label[1]] || '' : '') + '\\n')
  process.exit(0)
}
if (verb === 'create') {
  const env = {}
  const labels = {}
  let name = ''
  for (let i = 1; i < args.length; i++) {
    if (args[i] === '--name') name = args[++i]
    else if (args[i] === '--env') { const [k, ...v] = args[++i].split('='); env[k] = v.join('=') }
    else if (args[i] === '--label') { const [k, ...v] = args[++i].split('='); labels[k] = v.join('=') }
  }
  fs.writeFileSync(state(name), JSON.stringify(labels))
  record({ verb, container: name, env, command: [] })
  process.exit(0)
}
if (verb === 'exec') {
  const env = {}
  let i = 1
  for (; i < args.length && args[i].startsWith('-'); i++) {
    if (args[i] === '-e') { const [k, ...v] = args[++i].split('='); env[k] = v.join('=') }
    else if (args[i] === '-w') i++
  }
  const container = args[i]
  const command = args.slice(i + 1)
  record({ verb, container, env, command })
  if (Object.keys(env).length === 0) process.exit(0)
  const work = path.join(calls, container + '.workspace')
  fs.mkdirSync(work, { recursive: true })
  const run = spawnSync(command[0], command.slice(1), { env: { ...env, HOME: work }, cwd: work, stdio: 'inherit' })
  process.exit(run.status === null ? 1 : run.status)
}
if (verb === 'rm') for (const name of args.slice(1)) fs.rmSync(state(name), { force: true })
process.exit(0)
`
