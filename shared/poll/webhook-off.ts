/**
 * @module What the bridge says when Plane's webhook is switched off: where to switch it on again, to the
 * human (Telegram HTML, fr/en), to `npm run job -- check` and `/ready` (plain English). Pure.
 */
import type { Locale } from '../notify/i18n.ts'
import { escapeHtml } from '../telegram/html.ts'

/**
 * Plane's page listing the workspace's webhooks, each with its on/off switch (Workspace settings → Webhooks:
 * apps/web `settings/(workspace)/webhooks`, the same in v1.2.2 and v1.3.1); null without PLANE_BASE_URL.
 */
export function webhookSettingsUrl(
  baseUrl: string | undefined,
  workspaceSlug: string | undefined
): string | null {
  if (!baseUrl || !workspaceSlug) return null
  return `${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(workspaceSlug)}/settings/webhooks`
}

export type WebhookOffFacts = {
  /** The last delivery the bridge accepted (epoch ms), or null (none in 30 days). */
  lastReceivedAt: number | null
  now: number
  /** Changes the poll saw that no delivery brought. */
  missed: number
  settingsUrl: string | null
  /** The URL Plane posts to (PLANE_WEBHOOK_URL, else PUBLIC_URL/webhooks/plane), when known. */
  webhookUrl: string | null
}

/** The steps, in plain English (check, /ready). */
export function webhookOffSteps(
  facts: Pick<WebhookOffFacts, 'settingsUrl' | 'webhookUrl'>
): string {
  const page = facts.settingsUrl ?? 'Plane → Workspace settings → Webhooks'
  const row = facts.webhookUrl ? `the row of ${facts.webhookUrl}` : "plane-bridge's row"
  return `open ${page} and switch ${row} on (Plane switches a webhook off after 6 failed deliveries in a row, and mails its creator)`
}

/** The human's message (Telegram HTML), once per time the webhook goes off. */
export function webhookOffMessage(locale: Locale, facts: WebhookOffFacts): string {
  const minutes =
    facts.lastReceivedAt === null ? null : Math.round((facts.now - facts.lastReceivedAt) / 60_000)
  const page = facts.settingsUrl
    ? `<a href="${escapeHtml(facts.settingsUrl)}">${escapeHtml(facts.settingsUrl)}</a>`
    : null
  const url = facts.webhookUrl ? `<code>${escapeHtml(facts.webhookUrl)}</code>` : null
  if (locale === 'en') {
    const since = minutes === null ? 'none since start' : `the last one ${minutes} min ago`
    return [
      `⚠️ Plane has switched off plane-bridge's webhook: ${facts.missed} change(s) seen only by the poll, and no delivery since (${since}).`,
      `To switch it on again: open ${page ?? 'Plane → Workspace settings → Webhooks'}, then turn on the switch of the row ${url ?? 'of plane-bridge'}. Plane switches a webhook off after 6 failed deliveries in a row and mails its creator; if plane-bridge was down, check that /ready answers first.`,
      'Meanwhile the poll catches up every 5 min the changes, comments and deletions of the tasks that matter.',
    ].join('\n')
  }
  const since =
    minutes === null ? 'aucune depuis le démarrage' : `la dernière il y a ${minutes} min`
  return [
    `⚠️ Plane a désactivé le webhook de plane-bridge : ${facts.missed} changement(s) vu(s) seulement par le poll, et plus aucune livraison depuis (${since}).`,
    `Pour le réactiver : ouvrez ${page ?? 'Plane → Paramètres de l’espace de travail → Webhooks'}, puis activez l’interrupteur de la ligne ${url ?? 'de plane-bridge'}. Plane coupe un webhook après 6 livraisons échouées d’affilée et prévient son créateur par e-mail ; si plane-bridge était arrêté, vérifiez d’abord que /ready répond.`,
    'En attendant, le poll rattrape toutes les 5 min les changements, commentaires et suppressions des tâches suivies.',
  ].join('\n')
}
