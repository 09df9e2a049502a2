/** @module The human's answer to a budget alert card (OPENCLAW-11): +20 % for the month, or pause new work. */
import type { Card, CardAction } from '../../shared/actions/cards.ts'
import type { Budget } from '../../shared/budget/budget.ts'
import { budgetPhrasesFor } from '../../shared/budget/phrases.ts'
import { formatTime } from '../../shared/commands/render-parts.ts'
import type { Services } from '../../shared/core/function.ts'
import { escapeHtml } from '../../shared/telegram/html.ts'

/** Carry out a budget card's action; returns the line the card gains. Nothing in Plane changes. */
export async function budgetAction(
  services: Pick<Services, 'config' | 'now'>,
  budget: Budget | null,
  card: Card,
  action: CardAction,
  by: string
): Promise<string> {
  // A card from before BUDGET_MONTHLY_USD was unset: said in the chat, the card left as it is.
  if (!budget || !card.budget) throw new Error('no budget is set (BUDGET_MONTHLY_USD)')
  const say = budgetPhrasesFor(services.config.LOCALE)
  const time = formatTime(services.now(), services.config.TIMEZONE)
  const { month, scope } = card.budget
  if (action === 'raise') {
    const figures = await budget.raise(month, scope, card.id)
    return say.raised(say.usd(figures.budgetUsd ?? 0), escapeHtml(by), time)
  }
  await budget.pause(month, scope)
  return say.pausedUntil(say.month(month), escapeHtml(by), time)
}
