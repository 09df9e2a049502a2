/** @module The human's alert when Plane fails the bridge: a refused key or a wrong workspace at once, Plane down from the 2nd cycle. */
import type { Services } from '../core/function.ts'
import { diagnosePlaneFailure } from '../plane/diagnose.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { escapeHtml } from '../telegram/html.ts'
import { type AlertParts, clearAlert, raiseAlert } from './alerts.ts'

/** Plane refusing the bridge's key or workspace: said at once (nothing works until a person acts). */
export const KEY_ALERT = 'plane-key'
/** Plane not answering: said when a second cycle in a row fails (a restart of Plane is not news). */
export const DOWN_ALERT = 'plane-down'
const DOWN_COUNT = 'poll:plane-down'

/** One alert per condition, saying which setting to fix and how. */
export async function alertPlaneFailure(
  parts: AlertParts & Pick<Services, 'config'>,
  error: unknown
): Promise<void> {
  if (!(error instanceof PlaneApiError)) return
  const fr = parts.config.LOCALE !== 'en'
  const slug = parts.config.PLANE_WORKSPACE_SLUG ?? ''
  const diagnosis = diagnosePlaneFailure(error, { slug })
  // "Plane GET /… failed: 403 auth (Given API token is not valid)" → "403 : Given API token is not valid"
  const said = /\(([^)]*)\)$/.exec(error.message)?.[1]
  const status = escapeHtml(
    said ? `${error.status}${fr ? ' : ' : ': '}${said}` : String(error.status)
  )
  if (diagnosis.cause === 'key') {
    await raiseAlert(parts, {
      key: KEY_ALERT,
      html: fr
        ? `⚠️ Plane refuse la clé PLANE_API_KEY (${status}) : régénérez-la dans Plane (Profil → Jetons d’API), mettez-la dans les réglages de plane-bridge et redémarrez-le. Rien n’est suivi d’ici là.`
        : `⚠️ Plane refuses the PLANE_API_KEY key (${status}): regenerate it in Plane (Profile → API tokens), put it in plane-bridge's settings and restart it. Nothing is followed until then.`,
    })
    return
  }
  if (diagnosis.cause === 'workspace') {
    const name = escapeHtml(slug)
    await raiseAlert(parts, {
      key: KEY_ALERT,
      html: fr
        ? `⚠️ Plane ne connaît pas l’espace de travail « ${name} » pour la clé du bridge (${status}) : corrigez PLANE_WORKSPACE_SLUG (le mot après l’hôte dans les adresses de Plane), ou faites du compte de la clé un membre Admin de cet espace, puis redémarrez plane-bridge. Rien n’est suivi d’ici là.`
        : `⚠️ Plane does not know the workspace "${name}" for the bridge's key (${status}): fix PLANE_WORKSPACE_SLUG (the word after the host in Plane's URLs), or make the key's user an Admin member there, then restart plane-bridge. Nothing is followed until then.`,
    })
    return
  }
  if (error.kind !== 'unavailable') return
  const failures = await parts.store.increment(DOWN_COUNT, 24 * 60 * 60)
  if (failures < 2) return
  await raiseAlert(parts, {
    key: DOWN_ALERT,
    html: fr
      ? `⚠️ Plane ne répond pas (${escapeHtml(error.message)}) : le suivi est suspendu depuis deux passages. Vérifiez que Plane tourne ; plane-bridge reprendra seul.`
      : `⚠️ Plane does not answer (${escapeHtml(error.message)}): following has been paused for two cycles. Check that Plane runs; plane-bridge resumes on its own.`,
  })
}

/** Plane answered the bridge: the next failure is news again. */
export async function clearPlaneAlerts(parts: Pick<Services, 'store'>): Promise<void> {
  await clearAlert(parts.store, KEY_ALERT)
  await clearAlert(parts.store, DOWN_ALERT)
  await parts.store.delete(DOWN_COUNT)
}
