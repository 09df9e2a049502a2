/**
 * vitest globalSetup of the Node projects (issue 40): `npm test` on a machine where no Redis answers. The Redis at
 * REDIS_URL (default redis://127.0.0.1:6379/0) is used when it answers PING; else a throwaway `redis-server` is
 * started on a free loopback port for the run and stopped after it; else the run stops with one line.
 *
 * The URL reaches the tests through process.env.REDIS_URL (test/helpers/redis.ts reads it): vitest 4 runs every
 * globalSetup before it forks a worker, and forks them with `{ ...process.env, ...project env }` taken then, so the
 * workers, and the processes tests start from them, see the URL chosen here (`provide`/`inject` would reach test
 * code only).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { tmpdir } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { freePort } from '../helpers/net.ts'
import {
  describeTestRedisUrl,
  findOnPath,
  NOT_A_REDIS_URL,
  type PingOutcome,
  planTestRedis,
  wantedRedisUrl,
} from '../helpers/redis-plan.ts'

const PING_TIMEOUT_MS = 2000
const SERVER_START_WAIT_MS = 10_000
const SERVER_STOP_WAIT_MS = 5000

/** The run cannot have a Redis: said in one line, before any test runs. */
export class TestRedisError extends Error {
  override name = 'TestRedisError'
}

export default async function setupTestRedis(): Promise<(() => Promise<void>) | undefined> {
  try {
    return await provideTestRedis()
  } catch (error) {
    if (!(error instanceof TestRedisError)) throw error
    // Thrown, it would come back inside vitest's banners, its file filters and "No test files found": one line
    // and exit status 1 say it better, and every test would fail on it anyway.
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
}

async function provideTestRedis(): Promise<(() => Promise<void>) | undefined> {
  const url = wantedRedisUrl(process.env)
  const described = describeTestRedisUrl(url)
  if (!described) throw new TestRedisError(NOT_A_REDIS_URL)
  const plan = planTestRedis({
    url,
    described,
    ping: await pingRedis(url, PING_TIMEOUT_MS),
    redisServer: findOnPath('redis-server', process.env.PATH, isExecutable),
  })
  if (plan.action === 'stop') throw new TestRedisError(plan.message)
  if (plan.action === 'use') {
    process.env.REDIS_URL = plan.url
    return undefined
  }
  const server = await startRedisServer(plan.redisServer)
  process.env.REDIS_URL = server.url
  console.log(
    `npm test: no Redis answers at ${plan.wanted}; started redis-server at ${server.url} for this run`
  )
  return async function stopTestRedis() {
    await server.stop()
  }
}

/** PING `url` once: PONG, no Redis reached within `timeoutMs`, or a Redis that refused us (NOAUTH…). */
export async function pingRedis(url: string, timeoutMs: number): Promise<PingOutcome> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    // Connected is enough: a Redis that refuses us (NOAUTH, WRONGPASS) says why in a reply.
    enableReadyCheck: false,
  })
  // What went wrong first, where the command only fails with "Connection is closed.": the socket's error
  // (connect ECONNREFUSED …), or Redis's answer to the AUTH ioredis sends on connecting (WRONGPASS …).
  let socketError = ''
  let replyError = ''
  redis.on('error', (error: Error) => {
    if (isReply(error)) replyError ||= error.message
    else socketError ||= error.message
  })
  try {
    await redis.connect()
    await redis.ping()
    return { kind: 'pong' }
  } catch (error) {
    if (isReply(error)) return { kind: 'refused', reply: errorText(error) }
    if (replyError) return { kind: 'refused', reply: replyError }
    return { kind: 'unreachable', reason: socketError || errorText(error) }
  } finally {
    redis.disconnect()
  }
}

/** An error Redis answered (ioredis's ReplyError), as opposed to one of the connection. */
function isReply(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError'
}

/** A `redis-server` that keeps nothing on disk, on a free loopback port, answering PING. */
async function startRedisServer(
  redisServer: string
): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}/0`
  const child = spawn(
    redisServer,
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  child.on('error', (error) => keep(Buffer.from(`${error.message}\n`)))
  const deadline = Date.now() + SERVER_START_WAIT_MS
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new TestRedisError(
        `npm test needs Redis: none answers and redis-server stopped at once on 127.0.0.1:${port}: ${lastLine(output)}`
      )
    }
    if ((await pingRedis(url, 500)).kind === 'pong') break
    if (Date.now() > deadline) {
      await stopProcess(child)
      throw new TestRedisError(
        `npm test needs Redis: redis-server did not answer on 127.0.0.1:${port} within ${SERVER_START_WAIT_MS / 1000} s: ${lastLine(output)}`
      )
    }
    await sleep(50)
  }
  return { url, stop: () => stopProcess(child) }
}

/** SIGTERM, then SIGKILL if it has not exited within SERVER_STOP_WAIT_MS. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), SERVER_STOP_WAIT_MS)
  await exited
  clearTimeout(timer)
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) || '(no output)'
}
