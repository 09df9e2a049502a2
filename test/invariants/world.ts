/**
 * One world for the "told once" invariants (issue 28): Plane (v1.2 or v1.3), Telegram and OpenClaw simulators, a
 * bridge runtime on a fresh store (memory, the file store in a temporary folder, or Redis under a throwaway prefix)
 * and a virtual clock: the bridge's
 * time is real time plus the jumps the scenario makes, and every wait the bridge makes (the chat's spacing) moves
 * that clock instead of sleeping. Processes come and go on the same store: a restart, a `npm run job -- poll`.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNodeStore } from '../../runtime/node-store.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import {
  type E2E,
  type RestartOptions,
  restartE2E,
  sideRuntime,
  startE2E,
} from '../../sim/e2e/harness.ts'
import type { PlaneSim } from '../../sim/plane/index.ts'
import { openFileStore } from '../helpers/file-store.ts'
import { dropRedisPrefix, TEST_REDIS_URL } from '../helpers/redis.ts'

export type StoreKind = 'memory' | 'fs' | 'redis'
export type PlaneVersion = '1.2' | '1.3'
export type StateName = 'Backlog' | 'Todo' | 'In Progress' | 'Bloqué' | 'Done' | 'Cancelled'
export const STATE_NAMES: readonly StateName[] = [
  'Backlog',
  'Todo',
  'In Progress',
  'Bloqué',
  'Done',
  'Cancelled',
]

/** The coalescing delay, in virtual time: it closes only when the scenario moves the clock past it. */
export const WINDOW_MS = 10_000

/** Settings that keep run deadlines (re-wakes, stale runs) out of the scenario's minutes. */
const ENV = {
  NOTIFY_COALESCE_MS: String(WINDOW_MS),
  WAKE_CHECKIN_SECONDS: '86400',
  RUN_STALE_MINUTES: '10080',
}

export type SeedTask = { state: StateName; assignee: 'imhotep' | 'thot' | null }

export type World = {
  t: E2E
  plane: PlaneSim
  version: PlaneVersion
  /** A person in Plane's web UI and with an API key of her own (another client of the API). */
  ada: ReturnType<PlaneSim['seed']['user']>
  stateId(name: StateName): string
  /** Move the bridge's clock on (what the coalescing delay and the chat's spacing count). */
  advance(ms: number): void
  now(): number
  /** The runtime that serves HTTP now is stopped and a new one starts on the same store. */
  restart(): Promise<void>
  /** Another process on the same store runs `fn` (a poll job), then flushes its outbox and exits. */
  inOtherProcess(fn: (other: E2E) => Promise<void>): Promise<void>
  close(): Promise<void>
}

/** How long a process being stopped may take to finish its background work (real time; a loaded CI is slow). */
const STOP_WITHIN_MS = 120_000

export async function createWorld({
  store: kind,
  version,
  tasks,
}: {
  store: StoreKind
  version: PlaneVersion
  tasks: readonly SeedTask[]
}): Promise<World> {
  let offset = 0
  const now = () => Date.now() + offset
  const sleep = async (ms: number) => {
    offset += Math.max(0, ms)
  }
  const prefix = `pb-inv-${randomUUID().slice(0, 8)}`
  const memory = kind === 'memory' ? createMemoryStore({ now }) : null
  const dir = kind === 'fs' ? mkdtempSync(join(tmpdir(), 'pb-inv-fs-')) : null
  const stores: Store[] = []
  const newStore = (): Store => {
    const store =
      memory ??
      // The file store as `npm start` opens it on DATA_DIR, on the world's clock: each process its own, tailing the
      // others' lines in the one journal.
      (dir
        ? openFileStore(dir, { now })
        : createNodeStore(
            loadConfig({
              REDIS_URL: TEST_REDIS_URL,
              REDIS_KEY_PREFIX: prefix,
              STORE_DRIVER: 'redis',
            })
          ))
    stores.push(store)
    return store
  }
  let ada: World['ada'] | null = null
  let t = await startE2E({
    concierge: true,
    agentKeys: true,
    now,
    sleep,
    store: newStore(),
    plane: { version, rateLimitPerMinute: 1_000_000 },
    env: ENV,
    extraAgents: (plane) => {
      ada = plane.seed.user({ email: 'ada@javisi.local', display_name: 'ada', first_name: 'Ada' })
      return []
    },
  })
  const plane = t.plane
  if (!ada) throw new Error('ada was not seeded')
  const human: World['ada'] = ada
  plane.seed.member(t.project.id, human.id, 20)
  // What `provision` creates in every project (OPENCLAW-14).
  await t.bridge.plane?.states.create(t.project.id, {
    name: 'Bloqué',
    group: 'started',
    color: '#e5484d',
  })
  const stateId = (name: StateName) => {
    const found = [...plane.state.states.values()].find(
      (s) => s.project === t.project.id && s.name === name
    )
    if (!found) throw new Error(`no state ${name}`)
    return found.id
  }
  const users = { imhotep: t.users.imhotep.id, thot: t.users.thot.id }
  // Tasks that were there before the bridge: no webhook, no poll has seen them.
  for (const [i, task] of tasks.entries())
    plane.seed.workItem(t.project.id, {
      name: `Tâche d’avant ${i + 1}`,
      state: stateId(task.state),
      assignees: task.assignee ? [users[task.assignee]] : [],
    })
  const runtimeOptions = (): RestartOptions => ({ env: ENV, now, sleep, store: newStore() })
  const stopProcess = async (runtime: E2E) => {
    // Its locks are released next, as a dead process's expire: work of it still running then (a drain, on a loaded
    // machine past a 2 s wait) would send beside the next holder of its lane, a twin no real exit makes.
    if (!(await runtime.halt(STOP_WITHIN_MS)))
      throw new Error(
        `a stopped runtime's background work still ran after ${STOP_WITHIN_MS / 1000} s`
      )
    await runtime.bridge.locks.releaseHeld()
    if (!memory) await runtime.services.store.dispose()
  }

  return {
    get t() {
      return t
    },
    plane,
    version,
    ada: human,
    stateId,
    advance: (ms) => {
      offset += ms
    },
    now,
    async restart() {
      const previous = t
      await stopProcess(previous)
      t = await restartE2E(previous, runtimeOptions())
    },
    async inOtherProcess(fn) {
      const other = await sideRuntime(t, runtimeOptions())
      try {
        await fn(other)
        await other.bridge.settle(5_000)
      } finally {
        await stopProcess(other)
      }
    },
    async close() {
      await t.stop()
      if (!memory) {
        for (const store of stores) await store.dispose().catch(() => undefined)
        if (dir) rmSync(dir, { recursive: true, force: true })
        else await dropRedisPrefix(prefix)
      }
    },
  }
}
