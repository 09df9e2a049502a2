/** @module `npm run job -- <name>`: run one cron function or job once, with the runtime's config and store. */

import {
  type AppFunction,
  type Root,
  type RunnableFunction,
  type Services,
  scheduleOf,
} from '../shared/core/function.ts'
import { executeJob } from '../shared/core/run-job.ts'
import { errorMessage } from '../shared/observe/errors.ts'
import { createRoot } from './root.ts'

/**
 * A one-off run delivers what it enqueued before the process exits, within this bound (and a request to Plane
 * already sent, at most its own timeout): its messages and the run cards it marked, at once.
 */
export const CLI_FLUSH_TIMEOUT_MS = 30_000

/** A job's root: its task locks go with its last call, none kept for deliveries that come to the server. */
export function createJobRoot(services: Services): Root {
  return createRoot(services, { lingerLocks: false })
}

/**
 * The end of a job's process, once its command returned: nothing new starts (a kicked drain's next pass, a retry's
 * timer) and what runs ends, within `timeoutMs`; then the task locks it kept go, and the store closes. A drain the
 * exit cut short kept its outbox lane's lock for its lease: the server beside the job sent nothing on that lane for
 * 4 s (the agents bench: an approval's wake 3.2 s late, after the set-up's poll job).
 */
export async function endJobRuntime(root: Root, timeoutMs: number): Promise<void> {
  const { background, store } = root.services
  background.stop()
  await background.idle(timeoutMs)
  // A store that never answered has nothing to release: the exit code and the job's line say it all.
  await releaseHeldLocks(root).catch(() => 0)
  await store.dispose().catch(() => undefined)
}

/**
 * Task locks kept between calls go now, not at their TTL: a replica or the next start has them at once. The
 * bridge is built on first use: a job that never used it builds it here, holding nothing (a failure rejects).
 */
export async function releaseHeldLocks(root: Root): Promise<number> {
  return root.parts().locks.releaseHeld()
}

export type JobCommandOptions = {
  args: readonly string[]
  functions: readonly AppFunction[]
  root: Root
  out?: (line: string) => void
  err?: (line: string) => void
  /**
   * Resolves once the store answers, else throws an error that names the setting (node-store.ts): a job that
   * needs the store says so in one line instead of failing half-way. Jobs with `needsStore: false` skip it.
   */
  waitForStore?: () => Promise<void>
}

/**
 * Returns the process exit code: 0 success, 1 failure (unknown name, function off, run failed), 2 done but
 * a person must still act (provision).
 */
export async function runJobCommand({
  args,
  functions,
  root,
  out = (l) => process.stdout.write(`${l}\n`),
  err = (l) => process.stderr.write(`${l}\n`),
  waitForStore,
}: JobCommandOptions): Promise<number> {
  const { services } = root
  const runnable = functions.filter((fn): fn is RunnableFunction => fn.kind !== 'http')
  const [name] = args
  const help = args.some((a) => a === '--help' || a === '-h')
  if (
    !name ||
    name === '--list' ||
    ((name === '--help' || name === '-h' || name === 'help') && args.length <= 1)
  ) {
    if (name && name !== '--list') {
      for (const line of _usage()) out(line)
    } else if (!name) err('usage: npm run job -- <name> [args] | --list | --help')
    for (const fn of runnable) out(_describe(fn, services))
    return name ? 0 : 1
  }
  const fn = runnable.find((f) => f.name === name)
  if (!fn) {
    const known = runnable.map((f) => f.name).join(', ') || 'none'
    err(`job ${name}: unknown (known: ${known}; see npm run job -- --help)`)
    return 1
  }
  // `<name> --help` explains the job and never runs it.
  if (help) {
    for (const line of _jobHelp(fn, services)) out(line)
    return 0
  }
  const missing = services.inventory.disabled[fn.name]
  if (missing) {
    err(`job ${name}: off, missing ${missing.join(', ')}`)
    return 1
  }
  if (!(fn.kind === 'job' && fn.needsStore === false) && waitForStore) {
    try {
      await waitForStore()
    } catch (error) {
      err(`job ${name}: not run — ${errorMessage(error)}`)
      return 1
    }
  }
  // With --json, stdout holds the job's JSON alone: the summary, progress and notices go to stderr.
  const say = args.includes('--json') ? err : out
  const result = await executeJob(fn, root, {
    trigger: 'cli',
    args: args.slice(1),
    progress: say,
  })
  await _settleJob(root, fn, err)
  const took = `${result.durationMs} ms`
  if (result.outcome === 'ok') {
    for (const line of result.terminal ?? []) out(line)
    say(`job ${name}: ok in ${took}${result.summary ? ` — ${result.summary}` : ''}`)
    return result.exitCode ?? 0
  }
  // A run that did what it could but failed somewhere still shows its report.
  for (const line of result.terminal ?? []) out(line)
  if (result.outcome === 'overlap')
    err(`job ${name}: already running (another process holds its lock)`)
  else err(`job ${name}: failed in ${took} — ${result.error ?? result.outcome}`)
  return 1
}

function _usage(): string[] {
  return [
    'usage: npm run job -- <name> [args]   run one cron function or job once, then deliver what it queued',
    '       npm run job -- <name> --help   what a job does, its schedule and the settings it needs',
    '       npm run job -- --list          the jobs, one per line (tab-separated)',
    'exit codes: 0 done, 1 failed (or off, or unknown), 2 done but a person must act (provision)',
    '',
    'jobs:',
  ]
}

function _jobHelp(fn: RunnableFunction, services: Services): string[] {
  const missing = services.inventory.disabled[fn.name]
  const when =
    fn.kind === 'cron'
      ? `runs on its own: cron "${scheduleOf(fn, services.config)}" (${fn.timezone === 'config' ? services.config.TIMEZONE : 'UTC'}); this runs it once now`
      : 'a one-off job: runs only when asked'
  return [
    `usage: npm run job -- ${fn.name}${fn.usage ? ` ${fn.usage}` : ''}`,
    '',
    fn.description,
    '',
    when,
    missing ? `off here: missing ${missing.join(', ')}` : 'on here: every setting it needs is set',
  ]
}

function _describe(fn: RunnableFunction, services: Services): string {
  const trigger =
    fn.kind === 'cron'
      ? `cron "${scheduleOf(fn, services.config)}" ${fn.timezone === 'config' ? services.config.TIMEZONE : 'UTC'}`
      : 'job'
  const missing = services.inventory.disabled[fn.name]
  return `${fn.name}\t${trigger}\t${missing ? `off (missing ${missing.join(', ')})` : 'on'}\t${fn.description}`
}

/**
 * Messages, wake-ups and run cards the run left go out now; what cannot is kept for the next runtime, and said. A job
 * that runs without the store (`check` while Redis is down) has nothing to deliver and must still print its lines.
 * A job that declares no parts built none (executeJob) and enqueued nothing: there is nothing to settle.
 */
async function _settleJob(
  root: Root,
  fn: RunnableFunction,
  err: (line: string) => void
): Promise<void> {
  let left = 0
  let cards = 0
  let failure: unknown = null
  if (fn.parts?.length) {
    try {
      ;({ left, cards } = await root.parts().settle(CLI_FLUSH_TIMEOUT_MS))
    } catch (error) {
      failure = error
    }
  }
  // What it last heard from each integration, for the server's /ready.
  await root.services.status.flush()
  // The run's own outcome stands (its line follows); what it left is said, never silently dropped.
  if (failure !== null)
    err(
      `job ${fn.name}: what it queued was not all delivered — ${errorMessage(failure)}; what is left stays for the server`
    )
  if (left > 0) err(`job ${fn.name}: ${left} outbox item(s) not delivered yet; they stay queued`)
  if (cards > 0)
    err(
      `job ${fn.name}: ${cards} run card(s) not written to Plane yet; they stay marked for the server`
    )
}
