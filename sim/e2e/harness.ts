/** End-to-end harness: Plane, Telegram and OpenClaw simulators on loopback ports, plane-bridge in process. */

import { createHash } from 'node:crypto'
import { functions } from '../../functions/index.ts'
import { createApp } from '../../runtime/app.ts'
import type { StoreHooks } from '../../runtime/services.ts'
import type { AgentConfig } from '../../shared/agents/registry.ts'
import type { RawEnv } from '../../shared/core/config.ts'
import { markProjectsProvisioned } from '../../shared/provision/project.ts'
import type { KeyedLocks } from '../../shared/store/keyed-lock.ts'
import type { Store } from '../../shared/store/store.ts'
import type { FileSpool } from '../../shared/uploads/spool.ts'
import { createOpenClawSim } from '../openclaw/index.ts'
import { createPlaneSim, type PlaneSim, type PlaneSimOptions } from '../plane/index.ts'
import { createTelegramSim, type TelegramSimOptions } from '../telegram/index.ts'
import { makeServices } from './services.ts'

export const WEBHOOK_SECRET = 'plane_wh_0123456789abcdef0123456789abcdef'
export const BOT_TOKEN = '123456:TEST-token_for-the-bridge'
export const HOOKS_TOKEN = 'openclaw-hooks-token-for-tests'
export const CHAT_ID = '-1001234567890'
/** Each agent's bridge token (`Authorization: Bearer …` on /mcp and /bridge/v1); the registry holds their SHA-256. */
export const BRIDGE_TOKENS: Readonly<Record<string, string>> = {
  imhotep: 'pbt_imhotep_0123456789abcdefghijklmnopqrstuv',
  thot: 'pbt_thot_0123456789abcdefghijklmnopqrstuvwxyz',
  ra: 'pbt_ra_0123456789abcdefghijklmnopqrstuvwxyz01',
}
export const TELEGRAM_SECRET = 'telegram_webhook-secret-for-tests'
/** The agents given their own Plane key with `agentKeys` (the Concierge when there is one). */
const OWN_KEY_AGENTS = ['imhotep', 'thot', 'ra'] as const

export type E2EOptions = {
  env?: RawEnv
  store?: Store | ((hooks: StoreHooks) => Store)
  plane?: PlaneSimOptions
  /** The bridge's clock (the simulators keep real time). */
  now?: () => number
  /** How the bridge waits (default: real time); a virtual clock's sleep advances it instead. */
  sleep?: (ms: number) => Promise<void>
  /** Give agents their own Plane keys (planeTokenEnv). */
  agentKeys?: boolean
  /** More agents after imhotep and thot; may seed their Plane users first. */
  extraAgents?: (plane: PlaneSim) => AgentConfig[]
  /** Add Ra, the Concierge (a workspace admin in Plane, member of ONB). */
  concierge?: boolean
  /**
   * Whether ONB counts as set up by `provision` (default true): the bridge does not set it up on sight.
   * Set false to watch the bridge set up a project it has never seen.
   */
  provisioned?: boolean
  /** Options of the Telegram simulator (forum chats…). */
  telegram?: Partial<TelegramSimOptions>
  /**
   * Whether the bridge's process still runs (default: always). A Plane delivery that finds it dead, or during
   * which it died, gets no HTTP answer: a transport error, which Plane retries (the fault harness).
   */
  alive?: () => boolean
  /** Where multipart uploads wait (default: memory). */
  spool?: FileSpool
}

/** A new runtime on the same simulators: what a restart after a crash starts (test/faults/). */
export type RestartOptions = Pick<E2EOptions, 'env' | 'store' | 'now' | 'sleep' | 'alive' | 'spool'>

/**
 * What becomes of one Plane delivery: handed to the bridge, kept for later, lost (Plane saw a 200), or sent twice;
 * or a transport error on its first attempt, which Plane retries with the same body (plane-api.md §7.5): `refuse`,
 * the connection refused before the bridge saw it; `reset`, the bridge processed it and the connection dropped
 * before its answer.
 */
export type DeliveryRoute = 'deliver' | 'hold' | 'drop' | 'duplicate' | 'refuse' | 'reset'

/** The Plane version the suites run on unless a test says otherwise (vitest.config.ts runs them on both). */
export const SIM_PLANE_VERSION: '1.2' | '1.3' =
  process.env.PLANE_SIM_VERSION === '1.3' ? '1.3' : '1.2'

export async function startE2E({
  env = {},
  store,
  plane: planeOptions = {},
  now,
  sleep,
  agentKeys = false,
  extraAgents,
  concierge = false,
  provisioned = true,
  telegram: telegramOptions = {},
  alive,
  spool,
}: E2EOptions = {}) {
  // Plane's emitter POSTs deliveries into the in-process app of the runtime started last.
  let current: { app: ReturnType<typeof createApp>; alive: () => boolean } | null = null
  // While held, deliveries are kept (Plane saw a 200) to be replayed later, as a late delivery would arrive.
  const held: Array<{ url: string; init: RequestInit }> = []
  const gate: { hold: boolean; route: (() => DeliveryRoute) | null } = { hold: false, route: null }
  // Bodies whose first attempt failed on purpose (`refuse`, `reset`): Plane's retry of them goes through.
  const failedOnce = new Set<string>()
  const webhookFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const runtime = current
    if (!runtime?.alive()) throw new TypeError('fetch failed: connection refused')
    const chosen = gate.hold ? 'hold' : (gate.route?.() ?? 'deliver')
    const body = String(init?.body ?? '')
    const retried = (chosen === 'refuse' || chosen === 'reset') && failedOnce.has(body)
    const route = retried ? 'deliver' : chosen
    if (route === 'refuse') {
      failedOnce.add(body)
      throw new TypeError('fetch failed: connection refused')
    }
    if (route === 'reset') {
      failedOnce.add(body)
      await Promise.resolve(runtime.app.request(String(input), init ?? {})).catch(() => undefined)
      throw new TypeError('fetch failed: socket hang up')
    }
    if (route === 'hold') {
      held.push({ url: String(input), init: init ?? {} })
      return new Response('{}', { status: 200 })
    }
    if (route === 'drop') return new Response('{}', { status: 200 })
    if (route === 'duplicate') await runtime.app.request(String(input), init ?? {})
    const response = await runtime.app.request(String(input), init ?? {})
    if (!runtime.alive()) throw new TypeError('fetch failed: socket hang up')
    return response
  }) as typeof fetch
  const plane = createPlaneSim({
    webhookRetryDelayMs: () => 0,
    version: SIM_PLANE_VERSION,
    ...planeOptions,
    webhookFetch,
  })
  const telegram = createTelegramSim({ token: BOT_TOKEN, ...telegramOptions })
  const openclaw = createOpenClawSim({ token: HOOKS_TOKEN })
  const [planeHttp, telegramHttp, openclawHttp] = await Promise.all([
    plane.listen(),
    telegram.listen(),
    openclaw.listen(),
  ])

  const bridgeUser = plane.seed.user({
    email: 'bridge@javisi.local',
    display_name: 'plane-bridge',
    role: 20,
  })
  const imhotep = plane.seed.user({
    email: 'imhotep@javisi.local',
    display_name: 'imhotep',
    first_name: 'Imhotep',
  })
  const thot = plane.seed.user({
    email: 'thot@javisi.local',
    display_name: 'thot',
    first_name: 'Thot',
  })
  const project = plane.seed.project({
    name: 'Onboarding',
    identifier: 'ONB',
    creator: bridgeUser.id,
  })
  const ra = concierge
    ? plane.seed.user({ email: 'ra@javisi.local', display_name: 'ra', first_name: 'Ra', role: 20 })
    : null
  for (const user of [imhotep, thot, ...(ra ? [ra] : [])])
    plane.seed.member(project.id, user.id, 15)
  const states = [...plane.state.states.values()].filter((s) => s.project === project.id)
  const state = (name: string) => {
    const found = states.find((s) => s.name === name)
    if (!found) throw new Error(`no state ${name}`)
    return found
  }
  const registry: AgentConfig[] = [
    {
      id: 'imhotep',
      name: 'Imhotep',
      role: 'member',
      planeUser: 'imhotep@javisi.local',
      openclawAgentId: 'imhotep',
      tags: [],
    },
    {
      id: 'thot',
      name: 'Thot',
      role: 'member',
      planeUser: 'thot@javisi.local',
      openclawAgentId: 'thot',
      tags: [],
    },
    ...(ra
      ? [
          {
            id: 'ra',
            name: 'Ra',
            role: 'concierge' as const,
            planeUser: 'ra@javisi.local',
            openclawAgentId: 'ra',
            tags: [],
          },
        ]
      : []),
    ...(extraAgents?.(plane) ?? []),
  ]
  // An agent given its own Plane key reads it, in production, from the variable its `planeTokenEnv` names: said so
  // here too, for what names that variable (a refusal's message).
  const keyed = new Set<string>(agentKeys ? OWN_KEY_AGENTS : [])
  const agents: AgentConfig[] = registry.map((agent) => {
    const token = BRIDGE_TOKENS[agent.id]
    return {
      ...agent,
      ...(keyed.has(agent.id) && !agent.planeTokenEnv
        ? { planeTokenEnv: `PLANE_TOKEN_${agent.id.toUpperCase()}` }
        : {}),
      ...(token && !agent.bridgeTokenSha256
        ? { bridgeTokenSha256: createHash('sha256').update(token).digest('hex') }
        : {}),
    }
  })

  const bridgeUrl = 'http://bridge.test/webhooks/plane'
  plane.webhooks.register({
    url: bridgeUrl,
    secret: WEBHOOK_SECRET,
    issue: true,
    issue_comment: true,
    project: true,
    cycle: true,
  })
  const sims = { plane, telegram, openclaw, planeHttp, telegramHttp, openclawHttp }
  const users = { bridge: bridgeUser, imhotep, thot, ra }
  const world = { sims, users, project, agents, state, agentKeys, held, gate }
  const started = await _startRuntime(
    world,
    { env, store, now, sleep, alive, spool },
    (runtime) => {
      current = runtime
    }
  )
  if (provisioned) await markProjectsProvisioned(started.services, [project.id])
  return started
}

type World = {
  sims: {
    plane: PlaneSim
    telegram: ReturnType<typeof createTelegramSim>
    openclaw: ReturnType<typeof createOpenClawSim>
    planeHttp: { url: string; close(): Promise<void> }
    telegramHttp: { url: string; close(): Promise<void> }
    openclawHttp: { url: string; close(): Promise<void> }
  }
  users: {
    bridge: ReturnType<PlaneSim['seed']['user']>
    imhotep: ReturnType<PlaneSim['seed']['user']>
    thot: ReturnType<PlaneSim['seed']['user']>
    ra: ReturnType<PlaneSim['seed']['user']> | null
  }
  project: ReturnType<PlaneSim['seed']['project']>
  agents: AgentConfig[]
  state: (name: string) => { id: string; name: string }
  agentKeys: boolean
  held: Array<{ url: string; init: RequestInit }>
  gate: { hold: boolean; route: (() => DeliveryRoute) | null }
}

type Bind = (runtime: { app: ReturnType<typeof createApp>; alive: () => boolean }) => void

/** Services, bridge and app on the world's simulators; Plane's deliveries go to this runtime from now on. */
async function _startRuntime(
  world: World,
  { env = {}, store, now, sleep, alive = () => true, spool }: RestartOptions,
  bind: Bind,
  locks?: KeyedLocks
) {
  const { plane, telegram, openclaw, planeHttp, telegramHttp, openclawHttp } = world.sims
  const { project, agents, state, held, gate } = world
  const services = makeServices({
    functions,
    agents,
    ...(locks ? { locks } : {}),
    ...(spool ? { spool } : {}),
    ...(now ? { now } : {}),
    ...(sleep ? { sleep } : {}),
    ...(world.agentKeys
      ? {
          agentTokens: Object.fromEntries(
            OWN_KEY_AGENTS.flatMap((id) => {
              const user = world.users[id]
              return user ? [[id, user.apiKey]] : []
            })
          ),
        }
      : {}),
    ...(store ? { store } : {}),
    env: {
      PLANE_BASE_URL: planeHttp.url,
      PLANE_API_KEY: world.users.bridge.apiKey,
      PLANE_WORKSPACE_SLUG: plane.workspaceSlug,
      PLANE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_CHAT_ID: CHAT_ID,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_API_BASE: telegramHttp.url,
      // The OpenClaw sim's listening URL already ends in its hooks path.
      OPENCLAW_HOOKS_URL: openclawHttp.url,
      OPENCLAW_HOOKS_TOKEN: HOOKS_TOKEN,
      NOTIFY_COALESCE_MS: '300',
      ...env,
    },
  })
  const app = createApp({ functions, root: services.root })
  bind({ app, alive })

  const runtime = {
    plane,
    telegram,
    openclaw,
    services,
    app,
    bridge: services.root.parts(),
    webhooks: {
      hold: () => {
        gate.hold = true
      },
      /** Decide each delivery's fate from now on (null: deliver them all). */
      route(route: (() => DeliveryRoute) | null) {
        gate.route = route
      },
      /** Deliver what was held, in order (or newest first: deliveries overtaking each other). */
      async release({ reverse = false }: { reverse?: boolean } = {}) {
        gate.hold = false
        const statuses: number[] = []
        const due = held.splice(0)
        for (const { url, init } of reverse ? due.reverse() : due)
          statuses.push((await app.request(url, init)).status)
        return statuses
      },
      /** Deliveries held so far and not yet released. */
      heldCount: () => held.length,
    },
    project,
    users: world.users,
    bridgeTokens: BRIDGE_TOKENS,
    state,
    /** POST an Update to /webhooks/telegram as Telegram does (secret header unless told otherwise). */
    postTelegram(
      update: Parameters<typeof telegram.postUpdate>[1],
      { secretToken = TELEGRAM_SECRET }: { secretToken?: string | null } = {}
    ) {
      return telegram.postUpdate('http://bridge.test/webhooks/telegram', update, {
        secretToken,
        fetch: async (url, init) => app.request(url, init),
      })
    },
    /**
     * Let processing, coalescing delays and the outbox finish. It returns once idle: the bound is only for work
     * that never ends, so it is generous (a button's action took over 10 s once on two loaded cores).
     */
    async settle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        await plane.webhooks.settle()
        await services.background.idle(Math.max(0, deadline - Date.now()))
        const report = await services.root.parts().settle(Math.max(0, deadline - Date.now()))
        // The bridge's settle kicks lanes, and a drain it found under way (a kick's, in the background) may still
        // be sending: settled only once nothing runs either (a wake sent just after this returned went missing
        // from a transcript on two loaded cores).
        if (await services.background.idle(0, { timers: false })) return report
        if (Date.now() >= deadline) return report
      }
    },
    /**
     * Stop this runtime's timers and wait for its background work, leaving the simulators and the store. False when
     * work still ran after `timeoutMs`.
     */
    async halt(timeoutMs = 2000) {
      services.background.stop()
      return services.background.idle(timeoutMs)
    },
    async stop() {
      services.background.stop()
      await services.background.idle(2000)
      await Promise.all([planeHttp.close(), telegramHttp.close(), openclawHttp.close()])
      await services.store.dispose()
    },
  }
  worlds.set(runtime, { world, bind })
  return runtime
}

export type E2E = Awaited<ReturnType<typeof _startRuntime>>
const worlds = new WeakMap<object, { world: World; bind: Bind }>()

/**
 * A new runtime (services, bridge, app) on the simulators of `previous` and the store given, as a restart
 * after a crash starts one; Plane's deliveries go to it from now on. `halt` the previous one first.
 */
export function restartE2E(previous: E2E, options: RestartOptions): Promise<E2E> {
  const found = worlds.get(previous)
  if (!found) throw new Error('not a runtime started by startE2E')
  return _startRuntime(found.world, options, found.bind, _sameProcessLocks(previous, options))
}

/**
 * Another runtime on the simulators of `previous` and the store given, which Plane's deliveries do not reach:
 * what `npm run job -- poll` started next to the server is (its own clients, pipeline and outbox lanes).
 */
export function sideRuntime(previous: E2E, options: RestartOptions): Promise<E2E> {
  const found = worlds.get(previous)
  if (!found) throw new Error('not a runtime started by startE2E')
  return _startRuntime(found.world, options, () => undefined, _sameProcessLocks(previous, options))
}

/**
 * A runtime on the very store object of `previous` is in its process (a memory store lives in one): it shares the
 * keyed locks too, as the runtimes of one process do (runtime/parts.ts `PartsOptions`). A store of its own (Redis
 * from another process) gets a table of its own.
 */
function _sameProcessLocks(previous: E2E, { store }: RestartOptions): KeyedLocks | undefined {
  return store === previous.services.store ? previous.bridge.locks : undefined
}
