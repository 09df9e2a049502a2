/** @module The Workers runtime of one isolate: settings from bindings, the same services and app as Node, built once, lazily. */
import type { Hono } from 'hono'
import { servedFunctions as registry } from '../functions/served.ts'
import {
  type AgentConfig,
  AgentRegistryError,
  parseAgentRegistry,
} from '../shared/agents/registry.ts'
import { type Config, loadConfig, type RawEnv } from '../shared/core/config.ts'
import type { AppEnv, AppFunction, Root, Services } from '../shared/core/function.ts'
import { createApp } from './app.ts'
import { createRoot } from './root.ts'
import { createRuntimeServices } from './services.ts'
import { createWorkerStore, type KvNamespaceLike } from './worker-store.ts'

/** What the Worker receives as `env`: vars and secrets are strings, `STORE` is the KV namespace. */
export type WorkerEnv = { STORE?: KvNamespaceLike } & Record<string, unknown>

export type WorkerRuntime = {
  functions: readonly AppFunction[]
  services: Services
  /** The services and the parts, built on first need (a cron tick that declares none builds none). */
  root: Root
  app: Hono<AppEnv>
}

// The isolate's one runtime, built on first use. A Worker has no start hook and its module scope is the isolate's:
// this slot is where the isolate keeps its composition root, which builds every part; a runtime built
// per event would lose its parts (throttles, caches, the outbox's timers) between events. `env` is the same object
// for every event an isolate handles; other bindings (a test's) get a runtime of their own, which replaces it.
let isolate: (WorkerRuntime & { env: WorkerEnv }) | null = null

/**
 * The isolate's runtime; throws ConfigError / AgentRegistryError for bad settings (never caches a failure).
 * @example const { app, services } = getWorkerRuntime(env)
 */
export function getWorkerRuntime(
  env: WorkerEnv,
  functions: readonly AppFunction[] = registry
): WorkerRuntime {
  if (isolate && isolate.env === env && isolate.functions === functions) return isolate
  isolate = { ...createWorkerRuntime(env, functions), env }
  return isolate
}

export function createWorkerRuntime(
  env: WorkerEnv,
  functions: readonly AppFunction[] = registry
): WorkerRuntime {
  // Nothing sits in front of a Worker: /ready and /metrics stay closed unless OPS_TOKEN (or OPS_PUBLIC).
  const settings = { OPS_PUBLIC: 'false', ...settingsOf(env) }
  const config = loadConfig(settings)
  // No keepAlive: the entry keeps each event alive until the shared background is idle (see worker.ts).
  const services = createRuntimeServices({
    config,
    functions,
    env: settings,
    agents: loadAgents(config),
    store: (hooks) => createWorkerStore(config, { kv: env.STORE, onError: hooks.onError }),
  })
  const root = createRoot(services)
  return { functions, services, root, app: createApp({ functions, root }) }
}

/** The string bindings (vars, secrets): what the same zod config reads on Node from process.env. */
export function settingsOf(env: WorkerEnv): RawEnv {
  const settings: RawEnv = {}
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === 'string') settings[key] = value
  }
  return settings
}

// --- Internal helpers ---

/** Workers have no files: the registry comes as JSON in AGENTS_JSON. */
function loadAgents(config: Config): AgentConfig[] {
  if (config.AGENTS_FILE && !config.AGENTS_JSON) {
    throw new AgentRegistryError(
      'AGENTS_FILE cannot be read on Workers: put the registry in AGENTS_JSON'
    )
  }
  return config.AGENTS_JSON ? parseAgentRegistry(config.AGENTS_JSON, 'AGENTS_JSON') : []
}
