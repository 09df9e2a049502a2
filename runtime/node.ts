/** @module Node entry point: `npm start` serves HTTP and cron; `npm run job -- <name>` runs one job and exits. */
import { existsSync, readFileSync } from 'node:fs'
import { functions } from '../functions/index.ts'
import {
  type AgentConfig,
  AgentRegistryError,
  parseAgentRegistry,
} from '../shared/agents/registry.ts'
import { probeAtStart } from '../shared/check/start-probe.ts'
import { type Config, ConfigError, loadConfig } from '../shared/core/config.ts'
import type { Root } from '../shared/core/function.ts'
import { outputsOff, RegistryError } from '../shared/core/function-registry.ts'
import { describeTemplateExamples, templateExamplesIn } from '../shared/core/template-examples.ts'
import { errorMessage } from '../shared/observe/errors.ts'
import { createRedactor } from '../shared/observe/redact.ts'
import { noteWatchingSince } from '../shared/poll/comments.ts'
import { createApp, largestBodyLimit } from './app.ts'
import { createJobRoot, endJobRuntime, releaseHeldLocks, runJobCommand } from './node-cli.ts'
import { nodeHashing } from './node-hashing.ts'
import { nodeMetricsOptions } from './node-metrics.ts'
import { nodeAgentRegistryFile } from './node-registry-file.ts'
import { startScheduler } from './node-scheduler.ts'
import { loadEnvFiles, nodeSecretsFile } from './node-secrets-file.ts'
import { listen } from './node-server.ts'
import { createNodeSpool, nodeUploadAllowanceBytes } from './node-spool.ts'
import {
  createNodeStore,
  StoreStartError,
  StoreUnreachableError,
  waitForStore,
} from './node-store.ts'
import { createRoot } from './root.ts'
import { createRuntimeServices } from './services.ts'

/** Expired entries of stores without native expiry (fs, memory) are swept this often. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000

async function main(argv: readonly string[]): Promise<number> {
  // `.env` fills what the environment does not set; BOOTSTRAP_SECRETS_FILE (bootstrap's keys) then fills and replaces
  // `.env`'s values, never the environment's.
  const { replaced } = loadEnvFiles(process.env)
  const config = loadConfig(process.env)
  const isJob = argv[0] === 'job'
  const services = createRuntimeServices({
    config,
    functions,
    env: process.env,
    agents: loadAgents(config),
    agentRegistryFile: config.AGENTS_FILE ? nodeAgentRegistryFile(config.AGENTS_FILE) : null,
    secretsFile: nodeSecretsFile(config.BOOTSTRAP_SECRETS_FILE),
    store: (hooks) => createNodeStore(config, hooks),
    hashing: nodeHashing,
    spool: createNodeSpool({ dataDir: config.DATA_DIR }),
    uploadAllowanceBytes: nodeUploadAllowanceBytes(),
    ...nodeMetricsOptions(),
    // A one-off job keeps stdout for its summary line: its logs go to stderr.
    ...(isJob ? { write: (line: string) => process.stderr.write(`${line}\n`) } : {}),
  })
  if (replaced.length > 0)
    services.log.warn('the secrets file replaces settings .env also sets', {
      settings: replaced,
      file: config.BOOTSTRAP_SECRETS_FILE,
    })
  // The runtime's one root: its parts are built at the start of the server, and for a job only if it declares any.
  const root = isJob ? createJobRoot(services) : createRoot(services)
  if (isJob) {
    try {
      return await runJobCommand({
        args: argv.slice(1),
        functions,
        root,
        waitForStore: () => waitForStore(services.store),
      })
    } finally {
      await endJobRuntime(root, config.SHUTDOWN_TIMEOUT_MS)
    }
  }
  return serve(config, root)
}

/** The agent registry (AGENTS_FILE, else AGENTS_JSON), validated; a bad one stops the start naming the entry. */
function loadAgents(config: Config): AgentConfig[] {
  const path = config.AGENTS_FILE
  if (path && config.AGENTS_JSON)
    throw new AgentRegistryError('set AGENTS_FILE or AGENTS_JSON, not both')
  if (config.AGENTS_JSON) return parseAgentRegistry(config.AGENTS_JSON, 'AGENTS_JSON')
  if (!path) return []
  if (!existsSync(path)) throw new AgentRegistryError(`AGENTS_FILE: no file at ${path}`)
  return parseAgentRegistry(readFileSync(path, 'utf8'), `AGENTS_FILE (${path})`)
}

async function serve(config: Config, root: Root): Promise<number> {
  const { services } = root
  const { log, store, inventory } = services
  log.info('plane-bridge starting', {
    store: { driver: store.driver, location: store.location },
    functions: inventory.enabled,
  })
  for (const [name, missing] of Object.entries(inventory.disabled)) {
    log.warn('function off', { function: name, missing })
  }
  for (const off of outputsOff(config, services.agents)) log.warn('output off', off)
  // Placeholders left from .env.example (PUBLIC_URL on example.com…) are said at once; `check` says it too.
  const examples = templateExamplesIn(config)
  if (examples.length > 0)
    log.warn('setting left at a template example', {
      settings: examples.map((e) => e.setting),
      fix: describeTemplateExamples(examples),
    })
  // A configured store that does not answer stops the start (deploy step 5), naming REDIS_URL: a service that
  // answers /health while it can keep nothing is worse than one that is restarted until Redis is there.
  await waitForStore(store)
  // A project's first poll reads the comments written from now on, not only from its first cycle.
  await noteWatchingSince(store, services.now()).catch((error: unknown) =>
    log.warn('start time not noted for the comments catch-up', { error: errorMessage(error) })
  )
  const app = createApp({ functions, root })
  const server = await listen(app, {
    port: config.PORT,
    hostname: config.HOST,
    linger: { maxBytes: largestBodyLimit(functions, config) },
  }).catch((error: unknown) => {
    throw new StartError(_listenFailure(error, config))
  })
  log.info('listening', { host: config.HOST, port: server.port })
  const shutdown = new AbortController()
  const scheduler = startScheduler({ functions, root, signal: shutdown.signal })
  // What a stopped (or crashed) process left in the outbox and the pending windows goes out now, not at
  // the next notify minute.
  const parts = root.parts()
  parts.kick()
  // Plane's key and workspace, Telegram's token: tried once now, without holding the start.
  services.background.run('start probe', () => probeAtStart({ ...services, ...parts }))
  const sweeper = setInterval(() => {
    store.sweep().catch((error) => log.warn('store sweep failed', { error: String(error) }))
  }, SWEEP_INTERVAL_MS)
  sweeper.unref()

  return new Promise<number>((resolve) => {
    const stop = async (signal: string) => {
      log.info('shutting down', { signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS })
      clearInterval(sweeper)
      scheduler.stop()
      shutdown.abort()
      // Timers (a retry in 30 s) are dropped, and no new one is set: what they would do is in the store for the next start.
      services.background.stop()
      const [requestsDone, jobsDone, backgroundDone] = await Promise.all([
        server.close(config.SHUTDOWN_TIMEOUT_MS),
        scheduler.idle(config.SHUTDOWN_TIMEOUT_MS),
        services.background.idle(config.SHUTDOWN_TIMEOUT_MS),
      ])
      if (!requestsDone || !jobsDone || !backgroundDone) {
        log.warn('shutdown timed out', { requestsDone, jobsDone, backgroundDone })
      }
      // Task locks kept between calls go now, not at their TTL: a replica or the next start has them at once.
      await releaseHeldLocks(root)
      // Stopping either way: a store that will not close cleanly is dropped with the process.
      await store.dispose().catch(() => undefined)
      log.info('stopped')
      resolve(0)
    }
    process.once('SIGTERM', () => void stop('SIGTERM'))
    process.once('SIGINT', () => void stop('SIGINT'))
  })
}

/** A start that cannot go on, said in one line that names the setting to change. */
class StartError extends Error {
  override name = 'StartError'
}

function _listenFailure(error: unknown, config: Config): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const where = `${config.HOST}:${config.PORT}`
  if (code === 'EADDRINUSE')
    return `PORT: ${where} is already in use (another process listens there): stop it, or set PORT to a free port`
  if (code === 'EACCES')
    return `PORT: ${where} needs privileges this user lacks (ports below 1024): set PORT to 1024 or above (8787 by default)`
  if (code === 'EADDRNOTAVAIL')
    return `HOST: ${config.HOST} is not an address of this machine: set HOST to 0.0.0.0, 127.0.0.1 or one of its addresses`
  return `PORT: cannot listen on ${where} (${errorMessage(error)})`
}

process.on('unhandledRejection', (reason) => {
  // Never crash on a stray rejection; it is a bug to fix, so it is logged loudly.
  console.error(
    JSON.stringify({ level: 'error', msg: 'unhandled rejection', error: String(reason) })
  )
})

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (
      error instanceof ConfigError ||
      error instanceof RegistryError ||
      error instanceof AgentRegistryError ||
      error instanceof StoreStartError ||
      error instanceof StoreUnreachableError ||
      error instanceof StartError
    ) {
      process.stderr.write(`plane-bridge: ${error.message}\n`)
    } else {
      const message = errorMessage(error)
      process.stderr.write(`plane-bridge: failed to start: ${createRedactor().text(message)}\n`)
    }
    process.exit(1)
  }
)
