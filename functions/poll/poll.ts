/** @module cron every 5 minutes — the poll cycle: shared listings, reconciliation through the pipeline, per-agent ticks. */
import { defineCronFunction } from '../../shared/core/function.ts'
import { POLL_CYCLE_PARTS, runPollCycle } from '../../shared/poll/cycle.ts'
import { alertPlaneFailure, clearPlaneAlerts } from '../../shared/poll/plane-alerts.ts'

export const pollFunction = defineCronFunction({
  name: 'poll',
  description:
    'Polls Plane for changes webhooks missed and for tasks assigned to agents (OPENCLAW-09).',
  schedule: '*/5 * * * *',
  scheduleSetting: 'POLL_SCHEDULE',
  maxDurationSeconds: 240,
  requires: ['PLANE_BASE_URL', 'PLANE_API_KEY', 'PLANE_WORKSPACE_SLUG'],
  parts: POLL_CYCLE_PARTS,
  run: async function poll(ctx) {
    const report = await runPollCycle(ctx).catch(async (error: unknown) => {
      await alertPlaneFailure(ctx, error)
      throw error
    })
    await clearPlaneAlerts(ctx)
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
