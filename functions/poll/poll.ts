/** @module cron every 5 minutes — the poll cycle: shared listings, reconciliation through the pipeline, per-agent ticks. */
import { defineCronFunction, type Services } from '../../shared/function.ts'
import { PlaneApiError } from '../../shared/plane/errors.ts'
import { type AlertParts, clearAlert, raiseAlert } from '../../shared/poll/alerts.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { escapeHtml } from '../../shared/telegram/html.ts'

/** Plane refusing the bridge's key: said at once (nothing works until a person acts). */
const KEY_ALERT = 'plane-key'
/** Plane not answering: said when a second cycle in a row fails (a restart of Plane is not news). */
const DOWN_ALERT = 'plane-down'
const DOWN_COUNT = 'poll:plane-down'

export const pollFunction = defineCronFunction({
  name: 'poll',
  description:
    'Polls Plane for changes webhooks missed and for tasks assigned to agents (OPENCLAW-09).',
  schedule: '*/5 * * * *',
  scheduleSetting: 'POLL_SCHEDULE',
  maxDurationSeconds: 240,
  requires: ['PLANE_BASE_URL', 'PLANE_API_KEY', 'PLANE_WORKSPACE_SLUG'],
  run: async function poll(ctx) {
    const parts = { ...ctx, ...ctx.bridge }
    const report = await runPollCycle(parts).catch(async (error: unknown) => {
      await alertPlaneFailure(parts, error)
      throw error
    })
    await clearAlert(ctx.store, KEY_ALERT)
    await clearAlert(ctx.store, DOWN_ALERT)
    await ctx.store.delete(DOWN_COUNT)
    const failed = [
      ...report.failedProjects.map((p) => `project ${p}`),
      ...report.failedAgents.map((a) => `agent ${a}`),
    ]
    const comments = report.commentsRead > 0 ? `, ${report.commentsRead} tasks' comments read` : ''
    const deleted = report.deleted.length > 0 ? `, ${report.deleted.length} deleted in Plane` : ''
    const summary = `${report.projects} projects, ${report.read} items read, ${report.changed} changed, ${report.wakes} wake-ups${comments}${deleted}, ${report.planeRequests} Plane requests`
    // What could be read was handled; a listing or an agent that failed still makes the run a failure.
    if (failed.length > 0) throw new Error(`${summary}; failed: ${failed.join(', ')}`)
    return { summary, ...report }
  },
})

/** One alert per condition, saying what to do: a rejected key at once, Plane down from the 2nd cycle. */
export async function alertPlaneFailure(
  parts: AlertParts & Pick<Services, 'config'>,
  error: unknown
) {
  if (!(error instanceof PlaneApiError)) return
  const fr = parts.config.LOCALE !== 'en'
  if (error.kind === 'auth' || error.kind === 'forbidden') {
    // "Plane GET /… failed: 403 auth (Given API token is not valid)" → "403 : Given API token is not valid"
    const said = /\(([^)]*)\)$/.exec(error.message)?.[1]
    const detail = escapeHtml(said ? `${error.status} : ${said}` : String(error.status))
    await raiseAlert(parts, {
      key: KEY_ALERT,
      html: fr
        ? `⚠️ Plane refuse la clé PLANE_API_KEY (${detail}) : régénérez-la dans Plane (Profil → Jetons d’API), mettez-la dans les réglages de plane-bridge et redémarrez-le. Rien n’est suivi d’ici là.`
        : `⚠️ Plane refuses the PLANE_API_KEY key (${detail}): regenerate it in Plane (Profile → API tokens), put it in plane-bridge's settings and restart it. Nothing is followed until then.`,
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
