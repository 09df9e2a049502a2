/**
 * @module The index of work items brought up to date before a tool reads it: the runtime's freshener, which lists a
 * stale project once however many calls ask at once, and adopts a deploy's backlog as a poll would.
 */
import type { ProjectRef } from '../../shared/notify/messages.ts'
import { adoptBacklog } from '../../shared/poll/agent-tick.ts'
import { webhooksSilent } from '../../shared/poll/webhook-health.ts'
import type { ToolContext } from './tool.ts'

/**
 * The workspace's open projects, each fresh enough to read from the index; `asOf` the oldest listing stood on;
 * `listings` how many projects were listed for it (0: the index was read as it stood, nothing written to it).
 */
export async function freshProjects(
  ctx: ToolContext
): Promise<{ projects: ProjectRef[]; asOf: string; listings: number }> {
  const projects = (await ctx.directory.projects()).filter((p) => !p.archived)
  const { asOf, listings } = await ctx.freshener.freshen(
    {
      plane: ctx.plane,
      store: ctx.store,
      index: ctx.index,
      pipeline: ctx.pipeline,
      webhooksLive: async () =>
        Boolean(ctx.config.PLANE_WEBHOOK_SECRET) && !(await webhooksSilent(ctx.store)),
      firstSeen: (task) => adoptBacklog(ctx, task),
      now: ctx.now,
    },
    projects.map((p) => p.id)
  )
  return { projects, asOf, listings }
}
