/** @module create_project (OPENCLAW-17): the Concierge opens a project, provisioned so tasks can be assigned at once. */
import * as z from 'zod'
import { bridgeUserId } from '../../../shared/plane/bridge-user.ts'
import { PLANE_ROLE } from '../../../shared/plane/endpoints/workspace.ts'
import { PlaneApiError } from '../../../shared/plane/errors.ts'
import { ProvisionError } from '../../../shared/provision/errors.ts'
import { markProjectSettingUp, provisionProject } from '../../../shared/provision/project.ts'
import { ToolError } from '../../../shared/tasks/errors.ts'
import { WRITE_HINTS } from '../schemas.ts'
import { defineTool, type ToolContext } from '../tool.ts'
import { repeatableExternalId } from '../writes.ts'

export const createProject = defineTool({
  name: 'create_project',
  title: 'Create a project',
  description:
    'Concierge only. Creates a Plane project and sets it up as the provision job does (every agent a member, the agent:<id> labels, a Blocked state), so create_task can assign agents right away. `identifier` is the task prefix: 1–12 capital letters or digits, e.g. ONB gives ONB-1, ONB-2…; Plane refuses a name or identifier already taken (the refusal says so); the same call again within 10 minutes, after a failure, returns the project it created and finishes its set-up.',
  input: z.object({
    name: z.string().trim().min(1).max(255).describe('The project name.'),
    identifier: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{1,12}$/, 'must be 1–12 letters or digits, e.g. ONB')
      .describe('Task prefix, 1–12 letters or digits, e.g. ONB.'),
    description: z.string().trim().max(10_000).optional().describe('What the project is for.'),
  }),
  output: z.object({
    id: z.string(),
    name: z.string(),
    identifier: z.string(),
    url: z.string().nullable(),
    provisioned: z.boolean(),
    setup: z.array(z.string()),
  }),
  hints: WRITE_HINTS,
  access: 'concierge',
  async handler(input, ctx) {
    // Plane keeps no external id on projects: a repeat is known by the call itself, made within the window.
    const call = await repeatableExternalId(ctx, 'create_project', JSON.stringify(input), 'project')
    let project: { id: string }
    try {
      project = await ctx.writer.projects.create({
        name: input.name,
        identifier: input.identifier,
        ...(input.description ? { description: input.description } : {}),
      })
    } catch (error) {
      if (!(error instanceof PlaneApiError && error.kind === 'conflict')) throw error
      // The same call again, whose first try created the project and then failed (Plane's answer lost, or its
      // set-up): that project, set up now, rather than "choose another name".
      const earlier = call.repeat ? await _sameProject(ctx, input.name, input.identifier) : null
      if (!earlier) {
        // Someone else's project: asking again is not a repeat of a call that made it.
        await call.release().catch(() => undefined)
        throw new ToolError(
          'refused',
          `Plane already has a project named "${input.name}" or with identifier ${input.identifier}: choose another, or create tasks in the existing one.`,
          { rule: 'project_exists' }
        )
      }
      project = earlier
    }
    // Plane's `project.created` delivery comes now: it leaves the set-up to this call.
    await markProjectSettingUp(ctx, project.id)
    if (ctx.ownKey) await _letTheBridgeIn(ctx, project.id, call.repeat)
    // Read back, then set it up (the provision job's plan, for this project only) with the key that made it: the
    // Concierge's own is its project's admin, and its window is its own. With the bridge's, ~30 requests waited
    // behind a poll's share of the bridge key's window: a minute for the first project of the deploy bench.
    const read = await ctx.writer.projects.get(project.id)
    if (read.identifier !== input.identifier)
      throw new ToolError(
        'plane_error',
        `Plane created the project but does not show it back as ${input.identifier}.`
      )
    // Known to create_task at once (no listing on the bridge's key, which a webhook's listing may hold behind the poll).
    ctx.directory.known({
      id: project.id,
      name: read.name,
      identifier: read.identifier ?? null,
      archived: false,
    })
    // The set-up is part of the call the Concierge waits for: at its priority, ahead of background work, as a
    // person's command goes (behind a poll's share of the bridge key's window it took 38.8 s). Each agent's
    // label is made with its own key when it has one: all on one key, a set-up was ~31 of its 60 requests a minute,
    // and a project a minute waited 6-7 s for the previous one's to leave the window.
    const keyVariable = ctx.ownKey ? ctx.me.config.planeTokenEnv : undefined
    const report = await provisionProject({ ...ctx, plane: ctx.writer }, project.id, {
      project: { id: project.id, name: read.name, identifier: read.identifier ?? input.identifier },
      labelsBy: (agentId) => ctx.agentWriters.writerFor(agentId),
      ...(keyVariable ? { keyVariable } : {}),
    }).catch((error: unknown) => {
      // The key that made the project refused mid-set-up (revoked meanwhile), or its user is no longer a Member:
      // the operator's fix, named, and the project is not lost (an internal error said neither).
      if (!(error instanceof ProvisionError)) throw error
      throw new ToolError(
        'plane_error',
        `Project ${read.identifier ?? input.identifier} was created, but its set-up stopped: ${error.message} Then call create_project again with the same input within 10 minutes: it finishes the set-up.`
      )
    })
    const { PLANE_BASE_URL, PLANE_WORKSPACE_SLUG } = ctx.config
    return {
      id: project.id,
      name: read.name,
      identifier: read.identifier ?? input.identifier,
      url:
        PLANE_BASE_URL && PLANE_WORKSPACE_SLUG
          ? `${PLANE_BASE_URL.replace(/\/+$/, '')}/${PLANE_WORKSPACE_SLUG}/projects/${project.id}/issues/`
          : null,
      provisioned: report.blocking.length === 0,
      setup: report.lines,
    }
  },
  summarize: (o) =>
    `Project ${o.identifier} "${o.name}" created${o.provisioned ? ' and set up for the agents' : '; set-up needs a human: see `setup`'}.`,
})

// --- Internal helpers ---

/**
 * A project made with the Concierge's own key is the Concierge's: the bridge's user is not in it, and Plane refuses a
 * non-member every read of it (403). The set-up stopped there (`provisioned: false`, "needs a human"), and /plane
 * status, which lists every project Plane shows the bridge, met that 403 (the deploy bench). The creator is
 * the project's admin: it lets the bridge's user in as Admin, which the set-up needs to add the agents.
 */
async function _letTheBridgeIn(
  ctx: ToolContext,
  projectId: string,
  repeat: boolean
): Promise<void> {
  const bridge = await bridgeUserId(ctx.store, ctx.plane, ctx.config.PLANE_API_KEY)
  // A repeat may find it in already (Plane refuses a second membership with a 400).
  if (repeat && (await ctx.writer.projectMembers.list(projectId)).some((m) => m.id === bridge))
    return
  await ctx.writer.projectMembers.add(projectId, { member: bridge, role: PLANE_ROLE.admin })
}

async function _sameProject(
  ctx: ToolContext,
  name: string,
  identifier: string
): Promise<{ id: string } | null> {
  // Listed with the key that created it: the bridge may not be a member yet (the first try's set-up failed).
  const projects = await ctx.writer.projects.list()
  return (
    projects.find((p) => !p.archived_at && p.identifier === identifier && p.name === name) ?? null
  )
}
