/** @module What /plane budget shows: every scope's figures, the month's pace, the projects' money and the most expensive open tasks. */
import { type ScopeFigures, usd } from './figures.ts'
import type { LedgerMonth } from './ledger.ts'
import { daysElapsed, daysInMonth } from './month.ts'

export type BudgetView = {
  month: string
  /** For the forecast at the current pace. */
  daysElapsed: number
  monthDays: number
  /** The ledger is being rebuilt from Plane's run cards (the store was lost): figures are partial. */
  rebuilding: boolean
  team: ScopeFigures
  /** Agents with a budget of their own or money this month, in the registry's order. */
  agents: ScopeFigures[]
  projects: Array<{ projectId: string; spentUsd: number; committedUsd: number }>
  /** The most expensive open tasks (committed), most expensive first. */
  top: Array<{
    taskId: string
    projectId: string
    ref: string | null
    agentId: string | null
    amountUsd: number
  }>
}

/** The open tasks /plane budget lists. */
const TOP_TASKS = 10

export type BudgetViewParts = {
  month: string
  at: number
  timeZone: string
  rebuilding: boolean
  team: ScopeFigures
  agents: ScopeFigures[]
  lines: LedgerMonth
}

/** The view from the figures already made and the month's ledger lines (the projects' totals, the top tasks). */
export function buildBudgetView({
  month,
  at,
  timeZone,
  rebuilding,
  team,
  agents,
  lines,
}: BudgetViewParts): BudgetView {
  const projects = new Map<string, { spent: number; committed: number }>()
  for (const [kind, list] of [
    ['spent', lines.spent],
    ['committed', lines.open],
  ] as const)
    for (const line of list) {
      const p = projects.get(line.projectId) ?? { spent: 0, committed: 0 }
      p[kind] += line.micros
      projects.set(line.projectId, p)
    }
  return {
    month,
    daysElapsed: daysElapsed(at, timeZone),
    monthDays: daysInMonth(month),
    rebuilding,
    team,
    agents,
    projects: [...projects].map(([projectId, p]) => ({
      projectId,
      spentUsd: usd(p.spent),
      committedUsd: usd(p.committed),
    })),
    top: [...lines.open]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, TOP_TASKS)
      .map((l) => ({
        taskId: l.taskId,
        projectId: l.projectId,
        ref: l.ref,
        agentId: l.agentId,
        amountUsd: usd(l.micros),
      })),
  }
}
