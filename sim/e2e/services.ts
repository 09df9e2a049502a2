/** Test services: memory store (or the one given), logs captured as parsed JSON lines. */

import { createRoot } from '../../runtime/root.ts'
import { createServices, type StoreHooks } from '../../runtime/services.ts'
import type { AgentConfig, AgentRegistryFile } from '../../shared/agents/registry.ts'
import { loadConfig, type RawEnv, secretValues } from '../../shared/core/config.ts'
import type { AppFunction, Root, Services } from '../../shared/core/function.ts'
import type { SecretsFile } from '../../shared/core/secrets-file.ts'
import { createLogger } from '../../shared/observe/log.ts'
import { createRedactor } from '../../shared/observe/redact.ts'
import type { KeyedLocks } from '../../shared/store/keyed-lock.ts'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import type { FileSpool } from '../../shared/uploads/spool.ts'

export type TestServices = Services & {
  logs: Array<Record<string, unknown>>
  rawLogs: string[]
  /** The runtime's root on these services (one per runtime: its parts are built once, on first need). */
  root: Root
}

export function makeServices({
  functions = [],
  env = {},
  store,
  agents = [],
  agentTokens = {},
  agentRegistryFile = null,
  secretsFile = null,
  now,
  sleep,
  spool,
  locks,
}: {
  functions?: readonly AppFunction[]
  env?: RawEnv
  /** A store, or a factory that receives the runtime's hooks (store errors counted in /metrics). */
  store?: Store | ((hooks: StoreHooks) => Store)
  agents?: readonly AgentConfig[]
  agentTokens?: Readonly<Record<string, string>>
  agentRegistryFile?: AgentRegistryFile | null
  /** Where `bootstrap` writes its secrets (a test's file, or memory). */
  secretsFile?: SecretsFile | null
  now?: () => number
  /** How the runtime waits (default: real time): a virtual clock's, to inject time instead of sleeping. */
  sleep?: (ms: number) => Promise<void>
  /** Where multipart uploads wait (default: memory); the Node runtime's spools to DATA_DIR. */
  spool?: FileSpool
  /** The keyed locks of a runtime of this process on the same store object (runtime/parts.ts `PartsOptions`). */
  locks?: KeyedLocks
} = {}): TestServices {
  const config = loadConfig(env)
  const rawLogs: string[] = []
  const log = createLogger({
    level: 'debug',
    redactor: createRedactor(secretValues(config)),
    write: (line) => rawLogs.push(line),
  })
  logSink?.(rawLogs)
  const services = createServices({
    config,
    functions,
    log,
    agents,
    agentTokens,
    agentRegistryFile,
    secretsFile,
    store: store ?? createMemoryStore(now ? { now } : {}),
    ...(now ? { now } : {}),
    ...(sleep ? { sleep } : {}),
    ...(spool ? { spool } : {}),
  })
  return Object.defineProperties(services, {
    rawLogs: { value: rawLogs },
    root: { value: createRoot(services, locks ? { locks } : {}) },
    // A getter, so tests see every line written so far.
    logs: { get: () => rawLogs.map((l) => JSON.parse(l) as Record<string, unknown>) },
  }) as TestServices
}

/** Told of each runtime's log as it is built (the test setup keeps the latest ones with a failed test). */
let logSink: ((rawLogs: readonly string[]) => void) | null = null

/** Hand each runtime's log lines, as they are written, to `sink` (test/setup/bridge-log.ts). */
export function onRuntimeLog(sink: ((rawLogs: readonly string[]) => void) | null): void {
  logSink = sink
}
