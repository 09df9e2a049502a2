/**
 * @module What the stack test may fill up without touching the machine's shared services: a PostgreSQL cluster with
 * a low max_connections, a redis-server on its own port, and a memory cgroup whose process the kernel OOM-kills.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run, type Started, sleep, startLogged } from './processes.ts'

/** The cluster's max_connections: 8 held connections and the exporter's own are 90 % of it. */
export const THROWAWAY_MAX_CONNECTIONS = 10

/** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<major>/bin), or null. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const majors = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b))
  const newest = majors.at(-1)
  return newest ? join(root, newest, 'bin') : null
}

/** initdb refuses root: as root (CI), the cluster belongs to the `postgres` user the Debian package made. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, args]
}

async function ok(command: string, args: string[]): Promise<string> {
  const [cmd, argv] = asPostgres(command, args)
  const result = await run(cmd, argv)
  if (result.code !== 0)
    throw new Error(`${command} failed (${result.code}): ${result.stderr.trim()}`)
  return result.stdout
}

export type ThrowawayPostgres = { port: number; stop(): Promise<void> }

/**
 * A cluster of its own on `port`, trust auth on 127.0.0.1, max_connections 10, in a temporary directory of its own
 * (the `postgres` user must be able to enter it); stop() stops it and removes the directory.
 */
export async function startThrowawayPostgres(port: number): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir()
  if (!bin)
    throw new Error(
      'no PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql)'
    )
  const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-stack-pg-'))
  const data = join(dir, 'pgdata')
  mkdirSync(data, { mode: 0o700 })
  if (process.getuid?.() === 0) {
    const ids = (await run('id', ['-u', 'postgres'])).stdout.trim()
    const gid = (await run('id', ['-g', 'postgres'])).stdout.trim()
    chownSync(data, Number(ids), Number(gid))
    chownSync(dir, Number(ids), Number(gid))
  }
  await ok(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ])
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    `-c max_connections=${THROWAWAY_MAX_CONNECTIONS}`,
    '-c superuser_reserved_connections=0',
    '-c fsync=off',
    '-c shared_buffers=8MB',
  ].join(' ')
  await ok(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'postgres.log'),
    '-w',
    '-o',
    options,
    'start',
  ])
  return {
    port,
    stop: async function stopThrowawayPostgres() {
      await ok(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(
        () => undefined
      )
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type HeldConnections = { release(): Promise<void> }

/**
 * `count` idle connections, one psql each, held while its stdin stays open: ending stdin ends psql, and its
 * backend with it at once (a backend busy in pg_sleep would outlive its client).
 */
export async function holdConnections(port: number, count: number): Promise<HeldConnections> {
  const children: ChildProcess[] = []
  for (let i = 0; i < count; i++) {
    const child = spawn(
      'psql',
      ['-X', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres'],
      {
        stdio: ['pipe', 'ignore', 'ignore'],
        env: { ...process.env, PGPASSWORD: undefined, PGDATABASE: undefined },
      }
    )
    child.stdin?.write('SELECT 1;\n')
    children.push(child)
  }
  return {
    release: async function releaseConnections() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve()
              child.once('exit', () => resolve())
              child.stdin?.end()
            })
        )
      )
    },
  }
}

/** A redis-server of its own, nothing saved, maxmemory 0 (unlimited) until the test sets one. */
export function startThrowawayRedis(dir: string, port: number): Started {
  return startLogged({
    name: 'redis-server',
    command: 'redis-server',
    args: [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory',
      '0',
    ],
    dir,
  })
}

/** Where a memory cgroup can be made (v1's memory hierarchy, or v2's unified one), or null. */
export function memoryCgroupRoot(): { root: string; limitFile: string } | null {
  if (
    existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') ||
    existsSync('/sys/fs/cgroup/memory/cgroup.procs')
  )
    return { root: '/sys/fs/cgroup/memory', limitFile: 'memory.limit_in_bytes' }
  if (existsSync('/sys/fs/cgroup/cgroup.controllers'))
    return { root: '/sys/fs/cgroup', limitFile: 'memory.max' }
  return null
}

/**
 * Runs a process in a fresh cgroup limited to 64 MiB that allocates 256 MiB: the kernel OOM-kills it, as it kills a
 * container at its `deploy.resources.limits.memory`, and counts it in /proc/vmstat's oom_kill. Returns its signal.
 */
export async function provokeOomKill(name: string): Promise<string | null> {
  const cgroup = memoryCgroupRoot()
  if (!cgroup)
    throw new Error('no memory cgroup to make (neither /sys/fs/cgroup/memory nor cgroup v2)')
  const dir = join(cgroup.root, name)
  mkdirSync(dir)
  try {
    writeFileSync(join(dir, cgroup.limitFile), String(64 * 1024 * 1024))
    const child = spawn(
      'sh',
      [
        '-c',
        `echo $$ > ${join(dir, 'cgroup.procs')} && exec node -e "Buffer.alloc(256 * 1024 * 1024, 1)"`,
      ],
      { stdio: 'ignore' }
    )
    const signal = await new Promise<string | null>((resolve) =>
      child.once('exit', (_code, sig) => resolve(sig))
    )
    return signal
  } finally {
    // The cgroup can be removed once its process is gone; the kernel may take a moment to let go.
    for (let i = 0; i < 20; i++) {
      try {
        rmdirSync(dir)
        break
      } catch {
        await sleep(100)
      }
    }
  }
}
