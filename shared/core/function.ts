/** @module What a function is: a name, one trigger (HTTP route, cron, or named job), the settings it needs, its code. */

import type { Context } from 'hono'
import type { AgentConfig, AgentRegistryFile } from '../agents/registry.ts'
import type { Hashing } from '../hash.ts'
import type { BridgeMetrics } from '../observe/bridge-metrics.ts'
import type { Logger } from '../observe/log.ts'
import type { StatusLedger } from '../observe/status.ts'
import type { Store } from '../store/store.ts'
import type { UploadAllowance } from '../uploads/allowance.ts'
import type { FileSpool } from '../uploads/spool.ts'
import type { Background } from './background.ts'
import type { Config, SettingKey } from './config.ts'
import type { Parts } from './parts.ts'
import type { RunningJobs } from './running-jobs.ts'
import type { SecretsFile } from './secrets-file.ts'

/** What every function gets; built once per process (Node) or isolate (Workers). */
export type Services = {
  config: Config
  store: Store
  log: Logger
  metrics: BridgeMetrics
  status: StatusLedger
  /** Which functions run here and which are off for missing settings. */
  inventory: FunctionInventory
  /** The agent registry (AGENTS_FILE); empty when none is configured. */
  agents: readonly AgentConfig[]
  /** Each agent's own Plane API key (from the variable its `planeTokenEnv` names), by agent id. */
  agentTokens: Readonly<Record<string, string>>
  /** AGENTS_FILE, for the job that writes tokens' digests into it (Node only; null on Workers or with AGENTS_JSON). */
  agentRegistryFile: AgentRegistryFile | null
  /** BOOTSTRAP_SECRETS_FILE, where the bootstrap job writes the secrets it makes (Node only; null on Workers). */
  secretsFile: SecretsFile | null
  /** Work that goes on after a response; shutdown waits for it. */
  background: Background
  now: () => number
  /**
   * How the runtime waits out time (the sender's per-chat spacing, Plane's pacing and `Retry-After`): real time,
   * or a test's virtual clock, so that a test injects time instead of sleeping.
   */
  sleep: (ms: number) => Promise<void>
  /** SHA-256 and HMAC: WebCrypto, or the Node runtime's synchronous node:crypto. */
  hashing: Hashing
  /** Where multipart uploads wait for Plane's storage: DATA_DIR on Node, memory on Workers. */
  spool: FileSpool
  /** The bytes of JSON upload bodies this process holds at once (UPLOAD_MEMORY_BUDGET_BYTES). */
  uploadAllowance: UploadAllowance
  /** The cron and job functions running in this runtime (run-job.ts: a run never overlaps itself). */
  runningJobs: RunningJobs
}

/**
 * What a runtime hands its triggers: the services, and its parts (Plane, Telegram and OpenClaw clients
 * with their throttles, directory, pipeline, outbox, senders, run tracker; runtime/parts.ts), built once, on the
 * first call of `parts`, and shared by every HTTP handler and every cron or job run. Only the runtime
 * holds it: a handler gets the parts themselves (`c.get('parts')`, a job's context), never a way to look them up.
 */
export type Root = { services: Services; parts: () => Parts }

export type FunctionInventory = {
  enabled: string[]
  disabled: Record<string, SettingKey[]>
}

export type AppEnv = {
  /**
   * `parts`: the runtime's parts; a handler names those it reads (`const { outbox }: Pick<Parts, 'outbox'> =
   * c.get('parts')`). Read with `c.get`: Hono's `c.var` copies every variable into a new object on each read.
   */
  Variables: { services: Services; parts: Parts; requestId: string; functionName: string }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

type FunctionBase = {
  /** Unique, kebab-case: `plane-webhook`, `poll`, `digest`. */
  name: string
  description: string
  /** The words a job takes after its name, for `npm run job -- <name> --help` (`<agent id>`). */
  usage?: string
  /** Settings without which the function stays off (HTTP: 503 "not configured"; cron: not scheduled). */
  requires?: readonly SettingKey[]
}

export type HttpFunction = FunctionBase & {
  kind: 'http'
  method: HttpMethod
  path: string
  /** Largest body this route accepts, when it is not BODY_LIMIT_BYTES (uploads). */
  bodyLimitBytes?: (config: Config) => number
  handler: (c: Context<AppEnv>) => Response | Promise<Response>
}

/** The parts a cron or job function may declare: those the root builds before its run and hands it. */
export type PartName = keyof Parts

/** A run's context: the services, the parts its function declares (`parts: ['outbox']` → `ctx.outbox`), its own fields. */
export type JobContext<K extends PartName = never> = Services &
  Pick<Parts, K> & {
    trigger: 'cron' | 'cli' | 'scheduled'
    /** The schedule slot (ISO minute) a cron run belongs to; null for one-off runs. */
    slot: string | null
    /** Aborted when the runtime shuts down: long jobs stop at a safe point. */
    signal: AbortSignal
    /** Words after the job's name (`npm run job -- agent-token imhotep`); empty for cron runs. */
    args: readonly string[]
    /** A line for the person at the terminal while a long step runs (`npm run job` only; never logged). */
    progress?: (line: string) => void
  }

/** A job may return a one-line summary (printed by `npm run job`) and counts for the log line. */
export type JobOutcome = {
  summary?: string
  /** Lines for the person at the terminal only (`npm run job`): never logged (a new secret, say). */
  terminal?: string[]
  /** Nothing happened (a minute's notify with nothing to do): logged at debug, not info. */
  idle?: boolean
  /** `npm run job` exit code for a run that succeeded: 2 = done, but a person must still act. */
  exitCode?: 0 | 2
  /**
   * The run did all it could, but something failed: recorded as a failed run (exit 1) with this reason,
   * and `terminal` is still printed (the provision report, the check lines).
   */
  failure?: string
} & Record<string, unknown>

export type JobExecution<K extends PartName = never> = (
  ctx: JobContext<K>
) => Promise<JobOutcome | undefined>

/**
 * An execution with the parts it reads: the root builds the runtime's parts before one that declares any and hands it
 * these (a job that declares none, `check` or `agent-token`, builds no client, no pipeline).
 */
type PartsExecution<K extends PartName> = {
  parts?: readonly K[]
  run: JobExecution<K>
}

export type CronFunction<K extends PartName = PartName> = FunctionBase &
  PartsExecution<K> & {
    kind: 'cron'
    /** Cron expression (5 fields). */
    schedule: string
    /** A setting that overrides `schedule` (the registry's value is its default). */
    scheduleSetting?: SettingKey
    /** `UTC` (default) or `config`: read in the TIMEZONE setting. */
    timezone?: 'UTC' | 'config'
    /** Upper bound of one run; the running lock expires after it. */
    maxDurationSeconds?: number
  }

export type JobFunction<K extends PartName = PartName> = FunctionBase &
  PartsExecution<K> & {
    kind: 'job'
    maxDurationSeconds?: number
    /**
     * `false`: the job runs without the store, and without the running lock (it writes nothing there): `check`
     * must say what is wrong when Redis is down, and `agent-token` or `openclaw-config` need only the registry.
     */
    needsStore?: false
  }

export type AppFunction = HttpFunction | CronFunction | JobFunction
export type RunnableFunction = CronFunction | JobFunction

export const defineHttpFunction = (f: Omit<HttpFunction, 'kind'>): HttpFunction => ({
  kind: 'http',
  ...f,
})
export const defineCronFunction = <K extends PartName = never>(
  f: Omit<CronFunction<K>, 'kind'>
): CronFunction => ({ kind: 'cron', ...f })
export const defineJobFunction = <K extends PartName = never>(
  f: Omit<JobFunction<K>, 'kind'>
): JobFunction => ({ kind: 'job', ...f })

/** The schedule a cron function runs on with this config: its setting when it has one, else the registry's. */
export function scheduleOf(fn: CronFunction, config: Config): string {
  const override = fn.scheduleSetting ? config[fn.scheduleSetting] : undefined
  return typeof override === 'string' && override.trim() !== '' ? override : fn.schedule
}

/**
 * A handler's parts, declared once by name: the list is what a job declares (`parts: [...INBOX_PARTS]`) and its type
 * is derived from it (`PartsOf<typeof INBOX_PARTS>`), so the two never drift apart.
 * @example export const EVENT_PARTS = partNames('pipeline', 'outbox'); type EventParts = PartsOf<typeof EVENT_PARTS>
 */
export function partNames<const L extends readonly PartName[]>(...names: L): L {
  return names
}

/** The parts a list of names declares. */
export type PartsOf<L extends readonly PartName[]> = Pick<Parts, L[number]>
