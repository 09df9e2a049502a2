/**
 * @module The team's budget for the month (OPENCLAW-11): BUDGET_MONTHLY_USD for the team and `monthlyBudgetUsd` for an
 * agent, raised by the human a step at a time, paused on request; what is spent, committed and left, read from the
 * ledger; whether a new task must wait for the human; and the 80 % / 100 % thresholds, each told once per month and
 * budget (a raise makes a new budget: what it already covers is not told again).
 */
import type { RunLedger } from '../runs/records.ts'
import type { Store } from '../store/store.ts'
import { claimAndWrite } from '../store/store.ts'
import {
  agentScope,
  type BudgetScope,
  computeFigures,
  levelOf,
  type ScopeFigures,
  TEAM_SCOPE,
  THRESHOLDS,
} from './figures.ts'
import {
  createLedger,
  entryOf,
  type Ledger,
  type LedgerLine,
  sameEntry,
  toMicros,
} from './ledger.ts'
import { monthOf } from './month.ts'
import { type BudgetView, buildBudgetView } from './view.ts'

export {
  agentScope,
  type BudgetScope,
  levelOf,
  RAISE_STEP,
  type ScopeFigures,
  TEAM_SCOPE,
  THRESHOLDS,
} from './figures.ts'
export type { BudgetView } from './view.ts'

export type BudgetAgent = { id: string; name: string; monthlyBudgetUsd?: number | undefined }

/** Why a new task waits for the human: the scope's budget is out (counting the task), or the human paused new work. */
export type BudgetGate = { scope: BudgetScope; why: 'out' | 'paused'; figures: ScopeFigures }

/** A threshold crossed, to be told once (the alert's card). */
export type BudgetAlert = { level: 80 | 100; month: string; figures: ScopeFigures }

export type Budget = RunLedger & {
  readonly ledger: Ledger
  /** Every scope's figures for the current month, and what the replies show. */
  view(): Promise<BudgetView>
  /** Why a new task for `agentId` estimated at `estimateUsd` must wait for the human; null when it need not. */
  gateFor(agentId: string | null, estimateUsd: number | null): Promise<BudgetGate | null>
  /** Tell each threshold crossed this month that was not told yet; returns how many were told. */
  check(): Promise<number>
  /**
   * The human raised a scope's budget for the month by a step, once per `once` (the card's id: a press handled twice
   * raises once); a pause of it is lifted.
   */
  raise(month: string, scope: BudgetScope, once: string): Promise<ScopeFigures>
  /** The human pauses a scope's new work for the rest of the month. */
  pause(month: string, scope: BudgetScope): Promise<void>
  /** Whether the ledger was built (false: the store lost it, or budgets were just turned on). */
  built(): Promise<boolean>
  markBuilt(): Promise<void>
}

export type BudgetOptions = {
  store: Store
  /** BUDGET_MONTHLY_USD. */
  teamUsd: number
  agents: readonly BudgetAgent[]
  timeZone: string
  now: () => number
  /** Tells the human a threshold crossed (the alert card); without it, nothing is told. */
  tell?: (alert: BudgetAlert) => Promise<unknown>
}
/** Raises, pauses and told thresholds outlive their month. */
const MONTH_TTL_S = 40 * 24 * 60 * 60
const BUILT_KEY = 'budget:ledger:built'
const raisesKey = (month: string) => `budget:raises:${month}`
/** The human's pauses of new work: `holds` is the stored format since the first version, kept as it is. */
const pausesKey = (month: string) => `budget:holds:${month}`
const toldKey = (month: string, scope: BudgetScope, level: number, raises: number) =>
  `budget:told:${month}:${scope}:${level}:${raises}`

export function createBudget({
  store,
  teamUsd,
  agents,
  timeZone,
  now,
  tell,
}: BudgetOptions): Budget {
  const ledger = createLedger({ store, timeZone, now })
  const baseOf = (scope: BudgetScope): number | null =>
    scope === TEAM_SCOPE
      ? teamUsd
      : (agents.find((a) => agentScope(a.id) === scope)?.monthlyBudgetUsd ?? null)
  const scopes = (): BudgetScope[] => [
    TEAM_SCOPE,
    ...agents.filter((a) => a.monthlyBudgetUsd !== undefined).map((a) => agentScope(a.id)),
  ]

  /** What the figures are read from: the ledger's month, the raises and the pauses. */
  const read = async (month: string) => {
    const [lines, raises, pauses] = await Promise.all([
      ledger.read(month),
      store.sortedRange(raisesKey(month), { limit: 10_000 }),
      store.sortedRange(pausesKey(month), { limit: 1_000 }),
    ])
    const raised = (scope: BudgetScope) =>
      raises.filter((r) => r.member.startsWith(`${scope} `)).length
    const paused = (scope: BudgetScope) => pauses.some((h) => h.member === scope)
    return { lines, raised, paused }
  }
  type Read = Awaited<ReturnType<typeof read>>

  const figuresOf = (scope: BudgetScope, { lines, raised, paused }: Read): ScopeFigures => {
    const agentId = scope === TEAM_SCOPE ? null : scope.slice('agent:'.length)
    const mine = (list: LedgerLine[]) =>
      agentId === null ? list : list.filter((l) => l.agentId === agentId)
    return computeFigures(scope, agentId, baseOf(scope), raised(scope), paused(scope), {
      spent: mine(lines.spent),
      open: mine(lines.open),
      waiting: mine(lines.waiting),
    })
  }

  const check = async (): Promise<number> => {
    if (!tell) return 0
    const month = monthOf(now(), timeZone)
    const current = await read(month)
    let told = 0
    for (const scope of scopes()) {
      const f = figuresOf(scope, current)
      const level = levelOf(f)
      if (level === null) continue
      // The highest threshold reached is told; a lower one not told yet is passed over (one message, not two).
      const below = THRESHOLDS.filter((t) => t < level)
      for (const t of below) await store.claim(toldKey(month, scope, t, f.raises), MONTH_TTL_S)
      const sent = await claimAndWrite(
        store,
        toldKey(month, scope, level, f.raises),
        MONTH_TTL_S,
        () => tell({ level, month, figures: f })
      )
      if (sent.claimed) told++
    }
    return told
  }

  return {
    ledger,
    async saving(before, next) {
      // A change of where the task's money counts is marked before the record that says so is saved.
      if (sameEntry(entryOf(before, timeZone), entryOf(next, timeZone))) return false
      await ledger.mark(next.taskId, next.projectId)
      return true
    },
    async saved(record, marked) {
      // Unmarked, the task's money did not move (a heartbeat): nothing to read. A placement left stale by a process
      // that died kept its mark, which the budget job settles; a ledger the store lost is rebuilt by that job.
      if (!marked) return
      if (await ledger.place(record)) await check()
    },
    async view() {
      const at = now()
      const month = monthOf(at, timeZone)
      const current = await read(month)
      const team = figuresOf(TEAM_SCOPE, current)
      const agentFigures = agents
        .map((a) => figuresOf(agentScope(a.id), current))
        .filter((f) => f.budgetUsd !== null || f.spentUsd + f.committedUsd + f.waitingUsd > 0)
      const rebuilding = !(await store.has(BUILT_KEY))
      const parts = { month, at, timeZone, rebuilding, team, agents: agentFigures }
      return buildBudgetView({ ...parts, lines: current.lines })
    },
    async gateFor(agentId, estimateUsd) {
      const current = await read(monthOf(now(), timeZone))
      const extra = toMicros(estimateUsd ?? 0)
      for (const scope of [TEAM_SCOPE, ...(agentId ? [agentScope(agentId)] : [])]) {
        const f = figuresOf(scope, current)
        if (f.budgetUsd === null) continue
        if (f.paused) return { scope, why: 'paused', figures: f }
        const used = toMicros(f.spentUsd) + toMicros(f.committedUsd)
        const limit = toMicros(f.budgetUsd)
        if (used >= limit || used + extra > limit) return { scope, why: 'out', figures: f }
      }
      return null
    },
    check,
    async raise(month, scope, once) {
      await store.sortedAdd(raisesKey(month), `${scope} ${once}`, now(), {
        ttlSeconds: MONTH_TTL_S,
      })
      await store.sortedRemove(pausesKey(month), scope)
      const f = figuresOf(scope, await read(month))
      // The new budget is not told for what it already covers: only a later crossing is news.
      const level = levelOf(f)
      for (const t of THRESHOLDS)
        if (level !== null && t <= level)
          await store.claim(toldKey(month, scope, t, f.raises), MONTH_TTL_S)
      return f
    },
    async pause(month, scope) {
      await store.sortedAdd(pausesKey(month), scope, now(), { ttlSeconds: MONTH_TTL_S })
    },
    built: () => store.has(BUILT_KEY),
    markBuilt: () => store.set(BUILT_KEY, { at: now() }),
  }
}
