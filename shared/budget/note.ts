/** @module Why a new task waits for the human on the budget's account, as the Concierge's tool answer says it (English). */
import type { BudgetGate } from './budget.ts'

/** `Held for the human's approval: the team's budget for 2026-07 is out ($1,050 spent and committed of $1,000).` */
export function budgetNote({ scope, why, figures }: BudgetGate): string {
  const whose = scope === 'team' ? "the team's budget" : `${figures.agentId}'s budget`
  const used = _usd(figures.spentUsd + figures.committedUsd)
  const of = figures.budgetUsd === null ? '' : ` of ${_usd(figures.budgetUsd)}`
  return why === 'paused'
    ? `Held for the human's approval: the human holds new work on ${whose} this month (${used} spent and committed${of}). Tell them; they approve it or raise the budget on Telegram.`
    : `Held for the human's approval: ${whose} for the month cannot cover it (${used} spent and committed${of}, this task's estimate included in the check). Tell them; they approve it or raise the budget on Telegram. Tasks under way go on.`
}

function _usd(amount: number): string {
  return `$${amount.toLocaleString('en-US', { maximumFractionDigits: 2 })}`
}
