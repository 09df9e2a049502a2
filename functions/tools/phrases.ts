/** @module The comments the tools write in Plane, in the deployment's language (LOCALE). Markdown. */
import type { Locale } from '../../shared/notify/i18n.ts'

export type ToolPhrases = {
  started(agent: string): string
  done(agent: string, summary: string, confidence: string, cost: string | null): string
  blocked(agent: string, reason: string): string
  cancelled(agent: string, reason: string | null): string
  backToTodo(agent: string): string
  progress(percent: number | null, text: string): string
  deliverable(name: string, url: string | null, description: string | null): string
  number(value: number): string
}

const fr: ToolPhrases = {
  started: (agent) => `🤖 ${agent} a démarré cette tâche`,
  done: (agent, summary, confidence, cost) =>
    `✅ Terminée par ${agent} : ${summary}\n\nConfiance : ${confidence}${cost ? ` · Coût : ${cost} $` : ''}`,
  blocked: (agent, reason) => `❌ Bloquée (${agent}) : ${reason}`,
  cancelled: (agent, reason) => `🚫 Annulée par ${agent}${reason ? ` : ${reason}` : ''}`,
  backToTodo: (agent) => `↩️ ${agent} a remis cette tâche à faire`,
  progress: (percent, text) => (percent === null ? `⏳ ${text}` : `⏳ ${percent} % — ${text}`),
  deliverable: (name, url, description) =>
    `📎 Livrable : ${url ? `[${name}](${url})` : name}${description ? ` — ${description}` : ''}`,
  number: (value) => String(value).replace('.', ','),
}

const en: ToolPhrases = {
  started: (agent) => `🤖 ${agent} started this task`,
  done: (agent, summary, confidence, cost) =>
    `✅ Done by ${agent}: ${summary}\n\nConfidence: ${confidence}${cost ? ` · Cost: $${cost}` : ''}`,
  blocked: (agent, reason) => `❌ Blocked (${agent}): ${reason}`,
  cancelled: (agent, reason) => `🚫 Cancelled by ${agent}${reason ? `: ${reason}` : ''}`,
  backToTodo: (agent) => `↩️ ${agent} put this task back to do`,
  progress: (percent, text) => (percent === null ? `⏳ ${text}` : `⏳ ${percent}% — ${text}`),
  deliverable: (name, url, description) =>
    `📎 Deliverable: ${url ? `[${name}](${url})` : name}${description ? ` — ${description}` : ''}`,
  number: (value) => String(value),
}

export function toolPhrases(locale: Locale): ToolPhrases {
  return locale === 'en' ? en : fr
}
