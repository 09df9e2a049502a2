/**
 * What the budget's ledger should say (issue 47), worked out from the tasks as the scenario changed them, without the
 * bridge's code: spent = the cost of tasks finished in the month (the estimate when a finished task reported none; a
 * cancelled task only what it reported), committed = estimates of open tasks not waiting for approval, held = those
 * waiting. Amounts in micro-dollars, months on Paris's wall clock.
 */
import { AGENT_BUDGETS, TEAM_BUDGET_USD, TIME_ZONE } from './budget-world.ts'

export type TaskState = 'pending' | 'active' | 'done' | 'cancelled'
export type ModelTask = {
  id: string
  projectId: string
  agentId: string | null
  estimate: number | null
  cost: number | null
  state: TaskState
  /** `approval` or `budget`: waiting for the human before anyone starts it. */
  waitsFor: 'approval' | 'budget' | null
  /** The month it finished in (done or cancelled). */
  finishedMonth: string | null
}

export type Totals = { spent: number; committed: number; waiting: number }
export type Scope = 'team' | 'agent:imhotep'
export const SCOPES: readonly Scope[] = ['team', 'agent:imhotep']

const monthFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
})
export const monthAt = (ms: number) => monthFormat.format(ms).slice(0, 7)
export const micros = (usd: number) => Math.round(usd * 1_000_000)

export function totals(
  tasks: Iterable<ModelTask>,
  month: string,
  filter: (t: ModelTask) => boolean = () => true
): Totals {
  const out = { spent: 0, committed: 0, waiting: 0 }
  for (const t of tasks) {
    if (!filter(t)) continue
    const open = t.state === 'pending' || t.state === 'active'
    if (open && t.estimate !== null) out[t.waitsFor ? 'waiting' : 'committed'] += micros(t.estimate)
    if (t.finishedMonth !== month) continue
    if (t.state === 'done' && (t.cost ?? t.estimate) !== null)
      out.spent += micros((t.cost ?? t.estimate) as number)
    if (t.state === 'cancelled' && t.cost !== null) out.spent += micros(t.cost)
  }
  return out
}

export function scopeTotals(tasks: Iterable<ModelTask>, month: string, scope: Scope): Totals {
  return scope === 'team'
    ? totals(tasks, month)
    : totals(tasks, month, (t) => t.agentId === scope.slice('agent:'.length))
}

/** The scope's budget for the month after `raises` steps of 20 %, in micro-dollars. */
export function budgetOf(scope: Scope, raises: number): number {
  const base = scope === 'team' ? TEAM_BUDGET_USD : (AGENT_BUDGETS.imhotep as number)
  return micros(base * (1 + 0.2 * raises))
}

/** The threshold reached by spent + committed: 100, 80, or null. */
export function levelAt(used: number, budget: number): 80 | 100 | null {
  if (used >= budget) return 100
  return used * 100 >= budget * 80 ? 80 : null
}
