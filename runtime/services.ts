/** @module Builds the services every function receives, the same way on Node and Workers. */

import {
  type AgentConfig,
  type AgentRegistryFile,
  agentTokensFrom,
} from '../shared/agents/registry.ts'
import { createBackground } from '../shared/core/background.ts'
import { type Config, secretValues } from '../shared/core/config.ts'
import { persistContact } from '../shared/core/contacts.ts'
import type { AppFunction, Services } from '../shared/core/function.ts'
import { takeInventory, validateRegistry } from '../shared/core/function-registry.ts'
import { createRunningJobs } from '../shared/core/running-jobs.ts'
import type { SecretsFile } from '../shared/core/secrets-file.ts'
import { settingsFingerprint } from '../shared/core/settings-fingerprint.ts'
import { type Hashing, webCryptoHashing } from '../shared/hash.ts'
import { sleep as realSleep } from '../shared/net/retry.ts'
import {
  type BuildInfo,
  createBridgeMetrics,
  type ProcessStats,
} from '../shared/observe/bridge-metrics.ts'
import { errorMessage } from '../shared/observe/errors.ts'
import { createLogger, type Logger } from '../shared/observe/log.ts'
import type { MetricsRegistry } from '../shared/observe/metrics.ts'
import { createRedactor } from '../shared/observe/redact.ts'
import { createStatusLedger } from '../shared/observe/status.ts'
import type { Store } from '../shared/store/store.ts'
import { createUploadAllowance } from '../shared/uploads/allowance.ts'
import { createMemorySpool, type FileSpool } from '../shared/uploads/spool.ts'

/** The background task that writes an integration's last contact to the store. */
const CONTACT_WRITE = 'status contact write'

export type CreateServicesOptions = {
  config: Config
  functions: readonly AppFunction[]
  /** Built by the runtime (drivers are runtime-specific); receives the metrics so store errors are counted. */
  store: Store | ((hooks: StoreHooks) => Store)
  log?: Logger
  agents?: readonly AgentConfig[]
  /** Agents' own Plane keys by agent id (the runtime reads the variables named by `planeTokenEnv`). */
  agentTokens?: Readonly<Record<string, string>>
  /** Workers: `ctx.waitUntil` for background work. */
  keepAlive?: (promise: Promise<unknown>) => void
  now?: () => number
  /** How waits are made (default: real time); a test's virtual clock advances instead. */
  sleep?: (ms: number) => Promise<void>
  /** Node: the process's memory and CPU for `process_*` in /metrics (Workers have none). */
  processStats?: () => ProcessStats
  /** Node: the event loop's delays and the heap in /metrics (`nodejs_*`). */
  processFamilies?: (registry: MetricsRegistry) => void
  /** The version running, for `plane_bridge_build_info`. */
  build?: BuildInfo
  /** Digests and MACs (default WebCrypto; the Node runtime hands in node:crypto's). */
  hashing?: Hashing
  /** Where multipart uploads wait (default: memory; the Node runtime spools to DATA_DIR). */
  spool?: FileSpool
  /** UPLOAD_MEMORY_BUDGET_BYTES when unset: the Node runtime sizes it from the heap. */
  uploadAllowanceBytes?: number
  /** AGENTS_FILE as the agent-token job rewrites it (Node). */
  agentRegistryFile?: AgentRegistryFile | null
  /** BOOTSTRAP_SECRETS_FILE, which the bootstrap job writes (Node). */
  secretsFile?: SecretsFile | null
}

/** The upload allowance where the runtime gives none: a Worker's isolate has 128 MB. */
const DEFAULT_UPLOAD_ALLOWANCE_BYTES = 16 * 1024 * 1024

export type StoreHooks = {
  onError: (operation: string, error: unknown) => void
  onConnectionError: (error: unknown) => void
  /** Something the operator should know about the store, not an error (files imported, damaged lines skipped). */
  onNotice: (message: string, fields: Record<string, unknown>) => void
}

export function createServices({
  config,
  functions,
  store,
  log,
  agents = [],
  agentTokens = {},
  keepAlive,
  now = Date.now,
  sleep = realSleep,
  processStats,
  processFamilies,
  build,
  hashing = webCryptoHashing,
  spool = createMemorySpool(),
  uploadAllowanceBytes = DEFAULT_UPLOAD_ALLOWANCE_BYTES,
  agentRegistryFile = null,
  secretsFile = null,
}: CreateServicesOptions): Services {
  validateRegistry(functions)
  const logger =
    log ??
    createLogger({ level: config.LOG_LEVEL, redactor: createRedactor(secretValues(config)), now })
  let services: Services | null = null
  // Contacts go to the store too (once a minute per integration, or when one starts or stops failing), so that
  // a wake `npm run job -- poll` delivered shows in the server's /ready.
  // With the settings it was made with: a CLI run with one setting overridden is not the server's state.
  // The write is background work: shutdown and a Worker's `waitUntil` (background.idle) wait for it; a promise of
  // its own was awaited by nothing but a job's `status.flush()`, and a Worker may end the request's I/O before it.
  const settings = settingsFingerprint(config)
  const status = createStatusLedger({
    now,
    persist: (integration, contact) =>
      new Promise<void>((resolve, reject) => {
        if (!services) return resolve()
        const { store, background } = services
        // Settled here, never thrown into the background's log: the status ledger forgets a failed write and makes it again.
        background.run(CONTACT_WRITE, () =>
          persistContact(store, integration, { ...contact, settings }).then(resolve, reject)
        )
      }),
  })
  const metrics = createBridgeMetrics({
    status,
    cronJobs: functions.filter((f) => f.kind === 'cron').map((f) => f.name),
    agents: agents.map((a) => a.id),
    ...(processStats ? { processStats } : {}),
    ...(processFamilies ? { processFamilies } : {}),
    ...(build ? { build } : {}),
  })
  const hooks: StoreHooks = {
    onError: (operation) => metrics.storeErrors.inc({ operation }),
    onConnectionError: (error) =>
      logger.warn('store connection error', {
        error: errorMessage(error),
      }),
    onNotice: (message, fields) => logger.warn(message, fields),
  }
  const built: Services = {
    config,
    store: typeof store === 'function' ? store(hooks) : store,
    log: logger,
    metrics,
    status,
    inventory: takeInventory(functions, config),
    agents,
    agentTokens,
    agentRegistryFile,
    secretsFile,
    background: createBackground({ log: logger, now, ...(keepAlive ? { keepAlive } : {}) }),
    now,
    sleep,
    hashing,
    spool,
    uploadAllowance: createUploadAllowance(
      config.UPLOAD_MEMORY_BUDGET_BYTES ?? uploadAllowanceBytes
    ),
    runningJobs: createRunningJobs(),
  }
  services = built
  return built
}

export type CreateRuntimeServicesOptions = Omit<CreateServicesOptions, 'log' | 'agentTokens'> & {
  /** Where agents' own Plane keys are read (the variables their `planeTokenEnv` names). */
  env: Record<string, string | undefined>
  /** Where log lines go (default: console). */
  write?: (line: string) => void
}

/**
 * Services as a runtime starts them: a logger that redacts every configured secret and every agent's own
 * key, agents' keys read from the environment.
 */
export function createRuntimeServices({
  config,
  env,
  agents = [],
  write,
  ...rest
}: CreateRuntimeServicesOptions): Services {
  const redactor = createRedactor(secretValues(config))
  const agentTokens = agentTokensFrom(agents, env)
  redactor.add(...Object.values(agentTokens))
  const log = createLogger({ level: config.LOG_LEVEL, redactor, ...(write ? { write } : {}) })
  return createServices({ ...rest, config, log, agents, agentTokens })
}
