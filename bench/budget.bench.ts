/**
 * @module What the budget (OPENCLAW-11) adds to a run record's update on Redis, one at a time: nothing moves (a tool
 * call's heartbeat: one read of the task's placement), and a task's money moves (its placement replaced, then the
 * month's thresholds checked, a sum over every open task and the month's finished ones: 15,000 of them here, ten
 * agents finishing 50 tasks a day), against the same update with no budget set.
 */
import { randomUUID } from 'node:crypto'
import { createBudget } from '../shared/budget/budget.ts'
import { createLogger } from '../shared/observe/log.ts'
import type { PlaneClient } from '../shared/plane/client.ts'
import { createRunStore, type RunLedger, type RunStore } from '../shared/runs/records.ts'
import { createKeyedLocks } from '../shared/store/keyed-lock.ts'
import type { Store } from '../shared/store/store.ts'
import { type Case, defineBench } from './harness.ts'
import { redisStoreFixture } from './store-fixtures.ts'

/** Tasks already in the month's ledger when the rounds start (spent this month, or open). */
const MONTH_TASKS = 15_000
const TASKS = 200
const redis = redisStoreFixture()
/** The month is filled once, by the first case that needs it (the cases share one Redis prefix). */
let filled: Promise<void> | null = null

export const budgetBench = defineBench({
  name: 'budget',
  description: `a run record's update on Redis with the budget's ledger (${MONTH_TASKS.toLocaleString('en-US')} tasks in the month) vs without`,
  concurrency: 1,
  baseline: updateCase('record update, no budget', { budget: false, moves: false }),
  cases: [
    updateCase('record update, budget: nothing moves', { budget: true, moves: false }),
    updateCase('record update, budget: the task’s money moves', { budget: true, moves: true }),
  ],
})

function updateCase(name: string, { budget, moves }: { budget: boolean; moves: boolean }): Case {
  let runs: RunStore
  let n = 0
  const keys = Array.from({ length: TASKS }, () => ({
    id: randomUUID(),
    projectId: 'bench',
    ref: null,
  }))
  return {
    name,
    async setup() {
      const store: Store = await redis.open()
      const ledger: RunLedger | undefined = budget
        ? createBudget({ store, teamUsd: 1e9, agents: [], timeZone: 'UTC', now: Date.now })
        : undefined
      runs = createRunStore({
        store,
        locks: createKeyedLocks({ store }),
        plane: {} as PlaneClient,
        log: createLogger({ level: 'error' }),
        locale: 'fr',
        now: Date.now,
        ...(ledger ? { ledger } : {}),
      })
      if (budget) {
        filled ??= _fillMonth(runs)
        await filled
      }
      for (const key of keys)
        await runs.update(key, (r) => ({ ...r, agentId: 'imhotep', costEstimate: 1 }), {
          agentName: null,
          created: true,
        })
    },
    run: async function updateRecord() {
      const key = keys[n++ % TASKS] as (typeof keys)[number]
      // Moving: the estimate changes each time, so the task's placement is replaced and the thresholds checked.
      await runs.update(
        key,
        (r) => ({
          ...r,
          lastActivityAt: new Date().toISOString(),
          ...(moves ? { costEstimate: n % 97 } : {}),
        }),
        { agentName: null, card: false }
      )
    },
    teardown: () => redis.close(),
  }
}

/** The month's other tasks, placed once (half finished this month, half open), under a prefix of this run's own. */
async function _fillMonth(runs: RunStore): Promise<void> {
  const at = new Date().toISOString()
  for (let i = 0; i < MONTH_TASKS; i++)
    await runs.update(
      { id: randomUUID(), projectId: 'bench', ref: `B-${i}` },
      (r) => ({
        ...r,
        agentId: i % 10 === 0 ? null : `agent${i % 10}`,
        costEstimate: 2,
        ...(i % 2 ? { state: 'done' as const, finishedAt: at, cost: 1.5 } : {}),
      }),
      { agentName: null, created: true, card: false }
    )
}
