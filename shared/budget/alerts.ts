/** @module The budget's alert (OPENCLAW-11): a card with two buttons, +20 % for the month or pause new work. */
import type { CardStore } from '../actions/cards.ts'
import { actionPhrasesFor } from '../actions/phrases.ts'
import type { Locale } from '../notify/i18n.ts'
import { escapeHtml } from '../telegram/html.ts'
import type { BudgetAlert, ScopeFigures } from './budget.ts'
import { type BudgetPhrases, budgetPhrasesFor, type LineParts } from './phrases.ts'

export type BudgetAlertOptions = {
  cards: CardStore
  chatId: string
  locale: Locale
  /** An agent's display name (the registry's). */
  nameOf: (agentId: string) => string
}

/** What the human is told when a threshold is crossed: posted as a card, once (its dedupe key). */
export function createBudgetTeller({ cards, chatId, locale, nameOf }: BudgetAlertOptions) {
  const say = budgetPhrasesFor(locale)
  return async function tellBudgetAlert({ level, month, figures }: BudgetAlert) {
    const who =
      figures.agentId === null ? say.team : `<b>${escapeHtml(nameOf(figures.agentId))}</b>`
    return cards.post(
      {
        kind: 'budget',
        chatId,
        taskId: '',
        projectId: '',
        ref: null,
        agentId: figures.agentId,
        html: say.alert(level, who, lineParts(say, month, figures)),
        budget: { month, scope: figures.scope },
      },
      actionPhrasesFor(locale).buttons,
      `budget:${month}:${figures.scope}:${level}:${figures.raises}`
    )
  }
}

/** The amounts of one scope as the phrases take them. */
export function lineParts(say: BudgetPhrases, month: string, f: ScopeFigures): LineParts {
  return {
    month: say.month(month),
    spent: say.usd(f.spentUsd),
    committed: say.usd(f.committedUsd),
    budget: f.budgetUsd === null ? null : say.usd(f.budgetUsd),
    left: f.leftUsd === null ? null : say.usd(f.leftUsd),
    percent: f.percent,
    over: f.leftUsd !== null && f.leftUsd <= 0,
  }
}
