/**
 * @module The ingest bench's child processes: servers pinned to one core and the autocannon load generator pinned
 * to another (`taskset`, when it exists and the machine has two cores), their memory read from /proc, and every
 * one of them killed at the end, even after a failure or an interrupted run.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** Cores for the server under test and for the load generator. */
export const SERVER_CORE = 0
export const LOAD_CORE = 1

const READY_TIMEOUT_MS = 20_000
const STOP_GRACE_MS = 3000
// Longer than any round: a load child that is still running this long after its duration has hung.
const LOAD_OVERRUN_MS = 30_000
const OUTPUT_TAIL_CHARS = 4000
const CLOCK_TICKS_PER_S = 100

/** Every child still running: killed by `killAllChildren` and, as a last resort, when this process exits. */
const running = new Set<ChildProcess>()
process.once('exit', killAllChildren)

/** How processes get their core: `taskset -c <core>` when usable, or nothing (said in the report). */
export async function detectPinning(): Promise<{ pinned: boolean; note: string }> {
  if (availableParallelism() < 2) return { pinned: false, note: 'not pinned (one CPU)' }
  const ok = await _runs('taskset', ['-c', String(SERVER_CORE), process.execPath, '-e', ''])
  return ok
    ? { pinned: true, note: `server on core ${SERVER_CORE}, autocannon on core ${LOAD_CORE}` }
    : { pinned: false, note: 'not pinned (no taskset)' }
}

export type ServerProcess = {
  label: string
  pid: number
  origin: string
  /** VmRSS (now) and VmHWM (peak since start) of the server process, in bytes. */
  memory(): Promise<{ rssBytes: number; peakBytes: number }>
  /** CPU seconds the server has used since it started. */
  cpuSeconds(): Promise<number>
  /** The last log line at error level the server wrote, if any (to say why answers failed). */
  lastError(): string | null
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>
}

/**
 * Starts `node <script>` pinned to the server core, with exactly `env` (nothing inherited but PATH, so no
 * Telegram or OpenClaw setting of the caller's shell reaches it), and waits until `GET /health` answers 200.
 */
export async function startServer({
  label,
  script,
  env,
  cwd,
  port,
  pinned,
  nodeArgs = [],
  logFile,
}: {
  label: string
  script: string
  /** Node's own flags, before the script (the production ones, from `npm start`). */
  nodeArgs?: readonly string[]
  env: Record<string, string>
  cwd: string
  port: number
  pinned: boolean
  /** Every line the server writes, kept whole in this file too (a bench's evidence of what the server did). */
  logFile?: string
}): Promise<ServerProcess> {
  const child = _spawnPinned(pinned ? SERVER_CORE : null, [...nodeArgs, script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env, HOST: '127.0.0.1', PORT: String(port) },
  })
  const output = _tail(child, true)
  if (logFile) _keepAll(child, logFile)
  const origin = `http://127.0.0.1:${port}`
  const pid = child.pid
  if (pid === undefined) throw new Error(`${label}: could not start ${script}`)
  const stop = () => _stop(child)
  try {
    await _waitHealthy(origin, child, () => output.text)
  } catch (error) {
    await stop()
    throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}`)
  }
  return {
    label,
    pid,
    origin,
    memory: () => readProcessMemory(pid),
    cpuSeconds: () => readProcessCpuSeconds(pid),
    lastError: () => _lastError(output.text),
    stop,
  }
}

/** What the load child prints (bench/ingest-load.mjs). */
export type LoadResult = {
  requests: number
  durationSec: number
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  non2xx: number
  errors: number
  timeouts: number
  /** 2xx answers whose body was not the expected one. */
  unexpected: number
  statusCodes: Record<string, number>
  /** Bodies built (requests sent, plus one per connection left unsent at the end). */
  built: number
  /** CPU time of the load generator ÷ the run's duration (1 = one core busy all the time). */
  loadCpuShare: number
  /** At a steady rate (`ingest-paced.mjs`): how late the generator sent its requests against their schedule, p99. */
  sendLagP99Ms?: number
  /** At a steady rate: the seconds sent at that rate before `durationSec`, answered but not counted. */
  warmUpSec?: number
}

/**
 * Runs the load child on the load core with `config` (written to a file in `dir`) and returns its result: autocannon
 * as fast as the server answers, or the steady-rate generator when `config.rate` is set.
 */
export async function runLoad(
  config: Record<string, unknown> & { durationSec: number },
  { dir, pinned, name }: { dir: string; pinned: boolean; name: string }
): Promise<LoadResult> {
  const path = join(dir, `${name}.json`)
  await writeFile(path, JSON.stringify(config))
  const script = new URL(config.rate ? './ingest-paced.mjs' : './ingest-load.mjs', import.meta.url)
    .pathname
  const child = _spawnPinned(pinned ? LOAD_CORE : null, [script, path], { env: process.env })
  const stderr = _tail(child, false)
  let stdout = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  const overrun = setTimeout(
    () => child.kill('SIGKILL'),
    config.durationSec * 1000 + LOAD_OVERRUN_MS
  )
  try {
    const code = await _exited(child)
    if (code !== 0) throw new Error(`autocannon child exited with ${code}: ${stderr.text}`)
    return JSON.parse(stdout) as LoadResult
  } finally {
    clearTimeout(overrun)
    await _stop(child)
  }
}

/** CPU seconds (user + system) a process has used so far (Linux /proc, clock ticks at the usual 100 Hz). */
export async function readProcessCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces) start at field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S
}

/** VmRSS and VmHWM of a process, in bytes (Linux /proc). */
export async function readProcessMemory(
  pid: number
): Promise<{ rssBytes: number; peakBytes: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1])
  return { rssBytes: kb('VmRSS') * 1024, peakBytes: kb('VmHWM') * 1024 }
}

/** Kills every child still running, at once (SIGKILL): the last resort on exit. */
export function killAllChildren(): void {
  for (const child of running) child.kill('SIGKILL')
}

// --- Internal helpers ---

function _spawnPinned(
  core: number | null,
  args: readonly string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv }
): ChildProcess {
  // taskset execs node in place: the child's pid is the server's.
  const [command, argv] =
    core === null
      ? [process.execPath, [...args]]
      : ['taskset', ['-c', String(core), process.execPath, ...args]]
  const child = spawn(command, argv, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

/** The end of what a child wrote on stderr, and on stdout too for a server (its log lines, warn and above). */
function _tail(child: ChildProcess, withStdout: boolean): { text: string } {
  const tail = { text: '' }
  const keep = (chunk: string) => {
    tail.text = (tail.text + chunk).slice(-OUTPUT_TAIL_CHARS)
  }
  child.stderr?.setEncoding('utf8').on('data', keep)
  if (withStdout) child.stdout?.setEncoding('utf8').on('data', keep)
  return tail
}

function _keepAll(child: ChildProcess, path: string): void {
  const file = createWriteStream(path, { flags: 'a' })
  child.stdout?.on('data', (chunk) => file.write(chunk))
  child.stderr?.on('data', (chunk) => file.write(chunk))
  child.once('exit', () => file.end())
}

function _lastError(output: string): string | null {
  const lines = output.split('\n').filter((line) => line.includes('"level":"error"'))
  return lines.at(-1) ?? null
}

async function _waitHealthy(origin: string, child: ChildProcess, stderr: () => string) {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `exited (${child.exitCode ?? child.signalCode}) before it answered: ${stderr()}`
      )
    }
    try {
      const res = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(1000) })
      await res.arrayBuffer()
      if (res.ok) return
    } catch {
      // Not listening yet.
    }
    await sleep(100)
  }
  throw new Error(`no answer on ${origin}/health after ${READY_TIMEOUT_MS} ms: ${stderr()}`)
}

function _exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

async function _stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = _exited(child)
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
  await gone
  clearTimeout(timer)
}

function _runs(command: string, args: readonly string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore' })
    child.once('error', () => resolve(false))
    child.once('exit', (code) => resolve(code === 0))
  })
}
