/**
 * One world for the budget's ledger property (issue 47, in the style of issue 28's "told once"): replicas of the bridge's
 * run store and budget — each with its own keyed locks and, on Redis, its own connection — on one store (memory, or
 * Redis under a throwaway prefix), the cards and outbox the alerts go through, and a virtual clock that can turn the
 * month. No Plane: every record is the bridge's own (created by the Concierge), so nothing is rebuilt from a card.
 */
import { randomUUID } from 'node:crypto'
import { createNodeStore } from '../../runtime/node-store.ts'
import { type Card, createCardStore } from '../../shared/actions/cards.ts'
import { createBudgetTeller } from '../../shared/budget/alerts.ts'
import { type Budget, type BudgetAlert, createBudget } from '../../shared/budget/budget.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { createOutbox, type Outbox } from '../../shared/notify/outbox.ts'
import { createLogger } from '../../shared/observe/log.ts'
import type { PlaneClient } from '../../shared/plane/client.ts'
import { createRunStore, type RunStore } from '../../shared/runs/records.ts'
import { createKeyedLocks, type KeyedLocks } from '../../shared/store/keyed-lock.ts'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import { dropRedisPrefix, TEST_REDIS_URL } from '../helpers/redis.ts'
import type { StoreKind } from './world.ts'

/**
 * The stores whose replicas may race on the ledger: the file store's claims between processes are not atomic
 * (docs/settings.md: several replicas need Redis), so it has no budget world.
 */
export type BudgetStoreKind = Exclude<StoreKind, 'fs'>

export const TEAM_BUDGET_USD = 100
/** Imhotep has a budget of his own; Thot has none (the team's alone counts for him). */
export const AGENT_BUDGETS: Readonly<Record<string, number | undefined>> = { imhotep: 40 }
export const BUDGET_AGENTS = [
  { id: 'imhotep', name: 'Imhotep', monthlyBudgetUsd: AGENT_BUDGETS.imhotep },
  { id: 'thot', name: 'Thot' },
] as const
export const TIME_ZONE = 'Europe/Paris'
export const CHAT = '-1001234567890'

export type Replica = { runs: RunStore; budget: Budget; cards: ReturnType<typeof createCardStore> }

export type BudgetWorld = {
  /** The replicas serving now (two): a step picks one, a concurrent step both. */
  replicas: Replica[]
  store: Store
  outbox: Outbox
  /** Every alert told, by any replica, in order. */
  told: BudgetAlert[]
  now(): number
  /** Move the clock on (the month's turn). */
  advance(ms: number): void
  /** Replica `i` stops and a new one starts on the same store (a restart, a deploy). */
  restart(i: number): Promise<void>
  close(): Promise<void>
}

/** The clock starts mid-July in Paris, far from a month's turn until a step makes one. */
const START = Date.parse('2026-07-10T09:00:00Z')

export async function createBudgetWorld(kind: BudgetStoreKind): Promise<BudgetWorld> {
  let offset = 0
  const now = () => START + offset
  const prefix = `pb-budget-${randomUUID().slice(0, 8)}`
  const memory = kind === 'memory' ? createMemoryStore({ now }) : null
  const opened: Store[] = []
  const newStore = (): Store => {
    if (memory) return memory
    const store = createNodeStore(
      loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, STORE_DRIVER: 'redis' })
    )
    opened.push(store)
    return store
  }
  // On the memory store the lock table is the whole lock: replicas in one process share it (runtime/parts.ts).
  const sharedLocks = memory ? createKeyedLocks({ store: memory }) : null
  const log = createLogger({ level: 'error' })
  const told: BudgetAlert[] = []
  const main = newStore()
  const outbox = createOutbox(main, now, () => undefined)
  // Nothing here reads Plane: records are created by the bridge (no card to rebuild from) and cards are never flushed.
  const plane = {} as PlaneClient
  const replica = (): Replica => {
    const store = newStore()
    const locks: KeyedLocks = sharedLocks ?? createKeyedLocks({ store })
    const cards = createCardStore({ store, outbox: createOutbox(store, now, () => undefined), now })
    const teller = createBudgetTeller({ cards, chatId: CHAT, locale: 'fr', nameOf: (id) => id })
    const budget = createBudget({
      store,
      teamUsd: TEAM_BUDGET_USD,
      agents: BUDGET_AGENTS,
      timeZone: TIME_ZONE,
      now,
      tell: async (alert) => {
        told.push(alert)
        return teller(alert)
      },
    })
    const runs = createRunStore({ store, locks, plane, log, locale: 'fr', now, ledger: budget })
    return { runs, budget, cards }
  }
  const replicas = [replica(), replica()]
  return {
    replicas,
    store: main,
    outbox,
    told,
    now,
    advance: (ms) => {
      offset += ms
    },
    async restart(i) {
      replicas[i] = replica()
    },
    async close() {
      if (!memory) {
        for (const store of opened) await store.dispose().catch(() => undefined)
        await dropRedisPrefix(prefix)
      }
    },
  }
}

/** The budget cards waiting in the outbox (the human's messages): their text. */
export async function budgetCards(world: BudgetWorld): Promise<string[]> {
  const items = await world.outbox.pending('telegram', { limit: 10_000 })
  return items
    .filter((item) => item.dedupeKey?.startsWith('budget:'))
    .map((item) => String((item.payload as { text?: string }).text))
}

export type { Card }
