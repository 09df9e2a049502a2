/**
 * @module cron every 5 minutes — the budget's upkeep (OPENCLAW-11): tasks a dead process left half-placed in the ledger
 * settled from their records, the ledger rebuilt from Plane's run cards when the store lost it (over several runs if it
 * must), then the thresholds checked (a new month, a lowered budget: news no task's change would tell).
 */
import { keepLedger } from '../../shared/budget/rebuild.ts'
import { defineCronFunction } from '../../shared/core/function.ts'

/** A run leaves the rest of a rebuild to the next one after this long (the poll's slot is 5 minutes too). */
const REBUILD_SLICE_MS = 3 * 60 * 1000

export const budgetFunction = defineCronFunction({
  name: 'budget',
  description:
    "Keeps the month's budget ledger (OPENCLAW-11): rebuilds it from Plane's run cards when the store lost it, and tells the 80 % / 100 % thresholds crossed.",
  schedule: '*/5 * * * *',
  maxDurationSeconds: 240,
  requires: ['BUDGET_MONTHLY_USD', 'PLANE_BASE_URL', 'PLANE_API_KEY', 'PLANE_WORKSPACE_SLUG'],
  parts: ['budget', 'runs', 'plane', 'directory', 'kick'],
  run: async function budget(ctx) {
    const { budget, runs, plane } = ctx
    if (!budget || !runs || !plane) throw new Error('the budget needs BUDGET_MONTHLY_USD and Plane')
    const upkeep = await keepLedger({
      store: ctx.store,
      budget,
      runs,
      plane,
      directory: ctx.directory,
      agentIds: ctx.agents.map((a) => a.id),
      log: ctx.log,
      now: ctx.now,
      deadline: ctx.now() + REBUILD_SLICE_MS,
    })
    const told = await budget.check()
    if (told > 0) ctx.kick()
    const rebuilt = upkeep.rebuilt > 0 || !upkeep.complete
    return {
      summary: `${upkeep.settled} settled${rebuilt ? `, ${upkeep.rebuilt} tasks rebuilt from their cards${upkeep.complete ? '' : ' (more next run)'}` : ''}, ${told} threshold(s) told`,
      ...upkeep,
      told,
    }
  },
})
