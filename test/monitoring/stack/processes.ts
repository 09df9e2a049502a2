/** @module The real programs the stack test starts: each one logged to a file, waited for, and stopped by its pid. */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type Started = {
  name: string
  child: ChildProcess
  log: string
  /** The log's last lines, for a failure message (exporters print no secret: passwords come by environment). */
  tail(): string
  stop(): Promise<void>
}

export type StartOptions = {
  name: string
  command: string
  args: string[]
  /** Where `<name>.log` is written. */
  dir: string
  env?: Record<string, string | undefined>
}

/** Spawns `command`, its stdout and stderr to `<dir>/<name>.log`. */
export function startLogged({ name, command, args, dir, env = {} }: StartOptions): Started {
  const log = join(dir, `${name}.log`)
  const fd = openSync(log, 'a')
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  return {
    name,
    child,
    log,
    tail: () => readTail(log),
    stop: async function stopStarted() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}

function readTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/** Polls `url` until it answers 2xx, or throws after `timeoutMs` with the process's log. */
export async function waitForHttp(
  url: string,
  started: Started,
  timeoutMs = 15_000
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null)
      throw new Error(`${started.name} exited (${started.child.exitCode}):\n${started.tail()}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      if (res.ok) return
      last = `HTTP ${res.status}`
    } catch (error) {
      last = (error as Error).message
    }
    await sleep(200)
  }
  throw new Error(
    `${started.name} did not answer ${url} within ${timeoutMs} ms (${last}):\n${started.tail()}`
  )
}

export type Ran = { code: number; stdout: string; stderr: string }

/** Runs a command to its end; `input` goes to its stdin. */
export function run(
  command: string,
  args: string[],
  { env = {}, input }: { env?: Record<string, string | undefined>; input?: string } = {}
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
  })
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
