/**
 * @module OPENCLAW-11: what an agent's finished tasks cost, its last ten kept in the store (`run:costs:<agent>`), so a new
 * task's estimate defaults to their median.
 */
import type { Store } from '../store/store.ts'

/** As long as a run record: a cost history outlives any task worth estimating from it. */
const RECORD_TTL_S = 400 * 24 * 60 * 60

/** OPENCLAW-11: the actual costs of an agent's last finished tasks, newest last. */
const COST_HISTORY = 10
const costsKey = (agentId: string) => `run:costs:${agentId}`

export async function recordFinishedCost(
  store: Store,
  agentId: string,
  taskId: string,
  cost: number
) {
  const history =
    (await store.get<Array<{ taskId: string; cost: number }>>(costsKey(agentId))) ?? []
  const next = [...history.filter((h) => h.taskId !== taskId), { taskId, cost }].slice(
    -COST_HISTORY
  )
  await store.set(costsKey(agentId), next, { ttlSeconds: RECORD_TTL_S })
}

/** The median cost of the agent's last 10 finished tasks, or null when none reported a cost. */
export async function medianFinishedCost(store: Store, agentId: string): Promise<number | null> {
  const costs = ((await store.get<Array<{ cost: number }>>(costsKey(agentId))) ?? [])
    .map((h) => h.cost)
    .sort((a, b) => a - b)
  if (costs.length === 0) return null
  const mid = Math.floor(costs.length / 2)
  const median =
    costs.length % 2
      ? (costs[mid] as number)
      : ((costs[mid - 1] as number) + (costs[mid] as number)) / 2
  return Math.round(median * 10_000) / 10_000
}
