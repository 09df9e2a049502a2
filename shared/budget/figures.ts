/** @module A scope's figures for a month: its budget with the raises, what is spent, committed, waiting for approval and left, and the threshold reached. */
import { type LedgerLine, type LedgerMonth, MICROS_PER_USD, toMicros } from './ledger.ts'

/** `team`, or `agent:<id>`: whose budget. */
export type BudgetScope = string
export const TEAM_SCOPE = 'team'
export const agentScope = (agentId: string): BudgetScope => `agent:${agentId}`

/** One scope's month. Amounts in USD; null budget: the scope has none of its own (an agent without one). */
export type ScopeFigures = {
  scope: BudgetScope
  agentId: string | null
  budgetUsd: number | null
  /** Steps of RAISE_STEP the human added this month. */
  raises: number
  spentUsd: number
  /** Part of `spentUsd` that stands for tasks finished without a reported cost (their estimate). */
  estimatedUsd: number
  committedUsd: number
  /** Estimates of new tasks waiting for the human's approval: not committed until approved. */
  waitingUsd: number
  waitingCount: number
  leftUsd: number | null
  /** Spent plus committed, in percent of the budget (rounded). */
  percent: number | null
  /** The human chose to pause new work this month. */
  paused: boolean
}

/** A raise adds this share of the scope's budget for the month. */
export const RAISE_STEP = 0.2
export const THRESHOLDS = [80, 100] as const

/** The threshold a scope's spent plus committed has reached, or null (below 80 %, or no budget). */
export function levelOf(f: ScopeFigures): 80 | 100 | null {
  if (f.budgetUsd === null || f.budgetUsd <= 0) return null
  const used = toMicros(f.spentUsd) + toMicros(f.committedUsd)
  const limit = toMicros(f.budgetUsd)
  if (used >= limit) return 100
  return used * 100 >= limit * 80 ? 80 : null
}

/** Micro-dollars as dollars. */
export function usd(micros: number): number {
  return micros / MICROS_PER_USD
}

/** A scope's figures from its budget, its raises, its pause and its ledger lines of the month. */
export function computeFigures(
  scope: BudgetScope,
  agentId: string | null,
  base: number | null,
  raises: number,
  paused: boolean,
  lines: LedgerMonth
): ScopeFigures {
  const sum = (list: LedgerLine[]) => list.reduce((n, l) => n + l.micros, 0)
  const spent = sum(lines.spent)
  const committed = sum(lines.open)
  const budget = base === null ? null : toMicros(base * (1 + RAISE_STEP * raises))
  return {
    scope,
    agentId,
    budgetUsd: budget === null ? null : usd(budget),
    raises,
    spentUsd: usd(spent),
    estimatedUsd: usd(sum(lines.spent.filter((l) => l.estimated))),
    committedUsd: usd(committed),
    waitingUsd: usd(sum(lines.waiting)),
    waitingCount: lines.waiting.length,
    leftUsd: budget === null ? null : usd(budget - spent - committed),
    percent: budget ? Math.round(((spent + committed) * 100) / budget) : null,
    paused,
  }
}
