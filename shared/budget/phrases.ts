/** @module What the budget says to the human (OPENCLAW-11): amounts, months, the status and digest line, alerts. fr/en. */
import type { Locale } from '../notify/i18n.ts'

/** Every text argument is already HTML-escaped (names) or built here. */
export type BudgetPhrases = {
  /** `1 234 $`, `12,5 $` / `$1,234`, `$12.5`: whole dollars from 100 up, cents below. */
  usd(amount: number): string
  /** `juillet 2026` / `July 2026` for `2026-07`. */
  month(month: string): string
  team: string
  /** The one line of /plane status and the digest. */
  line(parts: LineParts): string
  /** The month's forecast at the current pace (the digest). */
  forecast(month: string, projected: string, budget: string): string
  /** Part of the spent amount stands for tasks finished without a reported cost. */
  estimatedPart(amount: string): string
  paused: string
  rebuilding: string
  waitingForApproval(count: number, amount: string): string
  byAgent: string
  byProject: string
  mostExpensive: string
  /** One line of a breakdown: spent, committed, and the budget and what is left when the scope has one. */
  scopeLine(name: string, parts: Omit<LineParts, 'month' | 'percent'>): string
  noSpending: string
  /** /plane budget when BUDGET_MONTHLY_USD is unset. */
  none: string
  /** The alert at 80 % or 100 % of a scope's budget, counting committed work. */
  alert(level: 80 | 100, who: string, parts: LineParts): string
  /** The line an alert card gains once acted on. */
  raised(budget: string, by: string, time: string): string
  pausedUntil(month: string, by: string, time: string): string
}

export type LineParts = {
  month: string
  spent: string
  committed: string
  /** Null: this scope has no budget of its own. */
  budget: string | null
  left: string | null
  /** Spent plus committed, in percent of the budget. */
  percent: number | null
  /** Over the budget (or at it): the line says so. */
  over?: boolean
}

const FR_MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
]
const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

// Intl formatters are made once (the architecture test's one exception to module-level objects).
const FR_WHOLE = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 })
const FR_CENTS = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 })
const EN_WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const EN_CENTS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })

function _monthName(names: readonly string[], month: string): string {
  const [year, m] = month.split('-')
  return `${names[Number(m) - 1] ?? m} ${year}`
}

const fr: BudgetPhrases = {
  usd(amount) {
    const format = Math.abs(amount) >= 100 ? FR_WHOLE : FR_CENTS
    const text = `${format.format(Math.abs(amount))} $`
    return amount < 0 && text !== '0 $' ? `−${text}` : text
  },
  month: (month) => _monthName(FR_MONTHS, month),
  team: 'l’équipe',
  line: (p) =>
    `💰 <b>Budget ${p.month}</b> : ${p.spent} dépensés + ${p.committed} engagés${p.budget ? ` sur ${p.budget} — reste ${p.left} (${p.percent} %)${p.over ? ' ⚠️' : ''}` : ''}`,
  forecast: (month, projected, budget) =>
    `📈 Au rythme actuel : ~${projected} dépensés fin ${month} (budget ${budget}).`,
  estimatedPart: (amount) => `dont ${amount} estimés (tâches finies sans coût déclaré)`,
  paused: '⏸ Nouvelles tâches retenues pour votre accord.',
  rebuilding: '(reconstruction depuis Plane en cours : chiffres partiels)',
  waitingForApproval: (count, amount) =>
    `🛂 ${count} ${count > 1 ? 'tâches attendent' : 'tâche attend'} votre accord : ${amount}.`,
  byAgent: 'Par agent',
  byProject: 'Par projet',
  mostExpensive: 'Tâches ouvertes les plus chères',
  scopeLine: (name, p) =>
    `• ${name} — ${p.spent} + ${p.committed} engagés${p.budget ? ` sur ${p.budget} — reste ${p.left}${p.over ? ' ⚠️' : ''}` : ''}`,
  noSpending: 'Rien de dépensé ni d’engagé ce mois-ci.',
  none: 'Aucun budget n’est défini (réglage <code>BUDGET_MONTHLY_USD</code>) : rien n’est compté.',
  alert: (level, who, p) =>
    level === 100
      ? `🛑 <b>Budget atteint</b> — ${who}, ${p.month} : ${p.spent} dépensés + ${p.committed} engagés sur ${p.budget} (reste ${p.left}).\nLes nouvelles tâches attendront votre accord (label needs-approval) ; celles en cours continuent.`
      : `⚠️ <b>Budget à 80 %</b> — ${who}, ${p.month} : ${p.spent} dépensés + ${p.committed} engagés sur ${p.budget} (reste ${p.left}).\nÀ 100 %, les nouvelles tâches attendront votre accord.`,
  raised: (budget, by, time) => `➕ Budget porté à ${budget} par ${by} à ${time}`,
  pausedUntil: (month, by, time) =>
    `⏸ Nouvelles tâches retenues jusqu’à fin ${month} (${by}, ${time})`,
}

const en: BudgetPhrases = {
  usd(amount) {
    const format = Math.abs(amount) >= 100 ? EN_WHOLE : EN_CENTS
    const text = `$${format.format(Math.abs(amount))}`
    return amount < 0 && text !== '$0' ? `-${text}` : text
  },
  month: (month) => _monthName(EN_MONTHS, month),
  team: 'the team',
  line: (p) =>
    `💰 <b>Budget ${p.month}</b>: ${p.spent} spent + ${p.committed} committed${p.budget ? ` of ${p.budget} — ${p.left} left (${p.percent}%)${p.over ? ' ⚠️' : ''}` : ''}`,
  forecast: (month, projected, budget) =>
    `📈 At the current pace: ~${projected} spent by the end of ${month} (budget ${budget}).`,
  estimatedPart: (amount) => `${amount} of it estimated (tasks finished without a reported cost)`,
  paused: '⏸ New tasks are held for your approval.',
  rebuilding: '(being rebuilt from Plane: partial figures)',
  waitingForApproval: (count, amount) =>
    `🛂 ${count} ${count > 1 ? 'tasks wait' : 'task waits'} for your approval: ${amount}.`,
  byAgent: 'By agent',
  byProject: 'By project',
  mostExpensive: 'Most expensive open tasks',
  scopeLine: (name, p) =>
    `• ${name} — ${p.spent} + ${p.committed} committed${p.budget ? ` of ${p.budget} — ${p.left} left${p.over ? ' ⚠️' : ''}` : ''}`,
  noSpending: 'Nothing spent or committed this month.',
  none: 'No budget is set (setting <code>BUDGET_MONTHLY_USD</code>): nothing is counted.',
  alert: (level, who, p) =>
    level === 100
      ? `🛑 <b>Budget reached</b> — ${who}, ${p.month}: ${p.spent} spent + ${p.committed} committed of ${p.budget} (${p.left} left).\nNew tasks will wait for your approval (label needs-approval); those under way go on.`
      : `⚠️ <b>Budget at 80%</b> — ${who}, ${p.month}: ${p.spent} spent + ${p.committed} committed of ${p.budget} (${p.left} left).\nAt 100%, new tasks will wait for your approval.`,
  raised: (budget, by, time) => `➕ Budget raised to ${budget} by ${by} at ${time}`,
  pausedUntil: (month, by, time) => `⏸ New tasks held until the end of ${month} (${by}, ${time})`,
}

export function budgetPhrasesFor(locale: Locale): BudgetPhrases {
  return locale === 'en' ? en : fr
}
