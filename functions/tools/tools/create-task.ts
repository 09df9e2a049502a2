/** @module create_task (OPENCLAW-08/11): the Concierge turns a request into an assigned Plane task. */
import * as z from 'zod'
import { AGENT_LABEL_PREFIX, APPROVAL_LABEL } from '../../../shared/agents/task-vocabulary.ts'
import { budgetNote } from '../../../shared/budget/note.ts'
import { errorMessage } from '../../../shared/observe/errors.ts'
import { PlaneUnsupportedError } from '../../../shared/plane/errors.ts'
import { ROLE_MEMBER } from '../../../shared/provision/plan.ts'
import { labelIdsFor, withKeptLabels } from '../../../shared/runs/agent-labels.ts'
import { medianFinishedCost } from '../../../shared/runs/costs.ts'
import { recordDependent } from '../../../shared/runs/dependents.ts'
import { BRIDGE_EXTERNAL_SOURCE } from '../../../shared/runs/records.ts'
import { ToolError } from '../../../shared/tasks/errors.ts'
import { stateFor, statusOf } from '../../../shared/tasks/status.ts'
import { type LoadedTask, readTask, rereadTask, resolveTask } from '../../../shared/tasks/tasks.ts'
import { markdownToHtml } from '../../../shared/text/markdown.ts'
import { presentRun } from '../present.ts'
import { PRIORITIES, projectOut, runOut, taskName, WRITE_HINTS } from '../schemas.ts'
import { taskUrl } from '../tasks.ts'
import { defineTool, type ToolContext } from '../tool.ts'
import { repeatableExternalId } from '../writes.ts'

/** OPENCLAW-11: a new task's confidence when the Concierge gives none. */
export const DEFAULT_CONFIDENCE = 0.8
export const createTask = defineTool({
  name: 'create_task',
  title: 'Create a task',
  description:
    "Concierge only. Creates a task in a Plane project and gives it to an agent: assigns the agent's Plane user and its agent:<id> label, records `dependencies` (task references that must be done before it can start; kept by the bridge so the rule holds on every Plane version; a cancelled task is refused as a dependency), `cost_estimate` (default: the median cost of the agent's last 10 finished tasks, when known) and `confidence` (default 0.8). The agent is woken once. `approval: true` holds the task for the human's approval (label needs-approval) before it can start; so does a task past the month's budget (BUDGET_MONTHLY_USD, or the agent's own, counting its estimate) or while the human holds new work: then `approval_reason` is `budget` and `budget_note` says why, to tell the human. The same call again within 10 minutes returns the task it created instead of a second one. `project` is the project's identifier (ONB), name or id; `description` is Markdown; `due_date` is YYYY-MM-DD.",
  input: z.object({
    project: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .describe('Identifier (e.g. ONB), name or id of the project.'),
    title: z.string().trim().min(1).max(255).describe('The task title.'),
    description: z.string().trim().max(50_000).optional().describe('What to do, in Markdown.'),
    assignee: z
      .string()
      .trim()
      .toLowerCase()
      .max(64)
      .optional()
      .describe("The agent's id in the registry, e.g. imhotep."),
    priority: z.enum(PRIORITIES).optional().describe('urgent, high, medium, low or none.'),
    due_date: z.iso.date('must be a date as YYYY-MM-DD').optional().describe('YYYY-MM-DD.'),
    dependencies: z
      .array(taskName)
      .max(20)
      .default([])
      .describe('References of the tasks that must be done first, e.g. ["ONB-3"].'),
    labels: z.array(z.string().trim().min(1).max(255)).max(20).default([]).describe('Label names.'),
    cost_estimate: z.number().min(0).max(1_000_000).optional().describe('Estimated cost in USD.'),
    confidence: z.number().min(0).max(1).optional().describe('0 to 1; default 0.8.'),
    approval: z.boolean().default(false).describe('Hold the task for the human to approve first.'),
  }),
  output: z
    .object({
      id: z.string(),
      ref: z.string().nullable(),
      title: z.string(),
      project: projectOut,
      assignee: z.string().nullable(),
      labels: z.array(z.string()),
      dependencies: z.array(z.string()),
      relations: z.enum(['recorded', 'bridge_only', 'none']),
      approval_pending: z.boolean(),
      approval_reason: z.enum(['requested', 'budget']).nullable(),
      budget_note: z.string().nullable(),
      url: z.string().nullable(),
    })
    .extend(runOut.shape),
  hints: WRITE_HINTS,
  access: 'concierge',
  async handler(input, ctx) {
    const project = await _project(ctx, input.project)
    const agent = input.assignee ? await _agent(ctx, input.assignee) : null
    const deps = await _dependencies(ctx, input.dependencies)
    const estimate =
      input.cost_estimate ?? (agent ? await medianFinishedCost(ctx.store, agent.id) : null)
    // OPENCLAW-11: past the month's budget (counting this task), or while the human paused new work, a new task
    // waits for the human's approval; tasks under way are never stopped.
    const overBudget = ctx.budget ? await ctx.budget.gateFor(agent?.id ?? null, estimate) : null
    const approval = input.approval || overBudget !== null
    const labelNames = [
      ...(agent ? [`${AGENT_LABEL_PREFIX}${agent.id}`] : []),
      ...input.labels,
      ...(approval ? [APPROVAL_LABEL] : []),
    ]
    // Plane's default state is often Backlog; a task given to an agent is to do.
    const todo = await stateFor(ctx, project.id, 'todo')
    // A retry of a call whose answer was lost gets the first call's task, not a second one.
    const { externalId } = await repeatableExternalId(
      ctx,
      'create_task',
      JSON.stringify(input),
      'task'
    )
    // The project's labels as kept: listed again only for a name they lack or a label Plane refuses; listed (and a
    // missing one made) with the Concierge's own key, as its states are. A key whose user is not a member of the
    // project lists none there (Plane filters, no 403); making a label it cannot then read back (404) is done again
    // with the bridge's key.
    const labels = ctx.labels
    const created = await withKeptLabels(labels, project.id, async () =>
      ctx.writer.workItems.create(project.id, {
        name: input.title,
        state: todo.id,
        ...(input.description ? { description_html: markdownToHtml(input.description) } : {}),
        ...(input.priority ? { priority: input.priority } : {}),
        ...(input.due_date ? { target_date: input.due_date } : {}),
        ...(agent ? { assignees: [agent.planeUserId] } : {}),
        labels: await readTask(ctx, (plane) => labelIdsFor(plane, project.id, labelNames, labels)),
        external_source: BRIDGE_EXTERNAL_SOURCE,
        external_id: externalId,
      })
    )
    const identifier = project.identifier
    const ref0 =
      identifier && created.sequence_id != null ? `${identifier}-${created.sequence_id}` : null
    let task = await rereadTask(ctx, { key: { id: created.id, projectId: project.id, ref: ref0 } })
    if (agent && !task.snapshot.assigneeIds.includes(agent.planeUserId))
      task = await _fixAssignee(ctx, task, agent)

    const relations = await _relations(ctx, project.id, task.key.id, deps)
    const record = await ctx.runs.update(
      task.key,
      (r) => ({
        ...r,
        ref: task.ref,
        agentId: agent?.id ?? null,
        dependencies: deps.map((d) => d.ref ?? d.key.id),
        dependencyIds: deps.map((d) => d.key.id),
        costEstimate: estimate,
        confidence: input.confidence ?? DEFAULT_CONFIDENCE,
        lastActivityAt: new Date(ctx.now()).toISOString(),
        waitsFor: overBudget ? 'budget' : approval ? 'approval' : null,
      }),
      { agentName: agent?.name ?? null, created: true }
    )
    // The reverse link, so finishing (or cancelling) a dependency reaches this task on every Plane version.
    for (const dep of deps) await recordDependent(ctx.store, dep.key.id, task.key.id, ctx.now())
    await ctx.pipeline.sightTask(task.snapshot, {
      source: 'bridge',
      created: true,
      description: task.item.description_html ?? null,
      actor: { id: ctx.me.planeUserId, name: ctx.me.name },
    })
    ctx.kick()
    return {
      id: task.key.id,
      ref: task.ref,
      title: task.snapshot.name,
      project: { id: project.id, identifier: project.identifier, name: project.name },
      assignee: agent?.id ?? null,
      labels: task.snapshot.labels,
      dependencies: record.dependencies,
      relations,
      approval_pending: approval,
      approval_reason: overBudget ? ('budget' as const) : approval ? ('requested' as const) : null,
      budget_note: overBudget ? budgetNote(overBudget) : null,
      url: taskUrl(ctx, task),
      ...presentRun(record, ctx.now()),
    }
  },
  summarize: (o) =>
    `Created ${o.ref ?? o.id} "${o.title}" in ${o.project.identifier ?? o.project.name}${o.assignee ? `, assigned to ${o.assignee}` : ''}${o.dependencies.length ? `, after ${o.dependencies.join(', ')}` : ''}${o.approval_pending ? ', waiting for approval' : ''}.${o.budget_note ? ` ${o.budget_note}` : ''}`,
})

// --- Internal helpers ---

/**
 * The tasks the new one waits for, each found by its reference; one not found is a wrong input, and a cancelled one
 * is refused: it is never done, so a task waiting for it would wait forever (OPENCLAW-14).
 */
async function _dependencies(ctx: ToolContext, refs: readonly string[]): Promise<LoadedTask[]> {
  const deps: LoadedTask[] = []
  for (const ref of refs) {
    try {
      deps.push(await resolveTask(ctx, ref, { touch: false }))
    } catch (error) {
      if (error instanceof ToolError && error.code === 'not_found')
        throw new ToolError('invalid_input', `dependencies: there is no task ${ref}.`, {
          fields: [{ field: 'dependencies', message: `no task ${ref}` }],
        })
      throw error
    }
  }
  const cancelled = deps.filter((d) => statusOf(d.snapshot.state) === 'cancelled')
  if (cancelled.length > 0)
    throw new ToolError(
      'refused',
      `Cannot make the task depend on ${cancelled.map((d) => d.ref ?? d.key.id).join(', ')}: cancelled, it will never be done. Leave it out, or reopen it first.`,
      { rule: 'dependencies', cancelled_dependencies: cancelled.map((d) => d.ref ?? d.key.id) }
    )
  return deps
}

/** Plane's `blocked_by` relations to the dependencies, where the instance has them; the answer says where they are kept. */
async function _relations(
  ctx: ToolContext,
  projectId: string,
  taskId: string,
  deps: readonly LoadedTask[]
): Promise<'recorded' | 'bridge_only' | 'none'> {
  if (deps.length === 0) return 'none'
  // Known (the poll's probe, kept an hour for every process) to have none: no request that can only answer 404. A
  // probe that fails now (the task is made already) leaves it to the write's own answer, as before.
  const known = await ctx.plane.capabilities().catch(() => null)
  if (known && !known.relations) return 'bridge_only'
  try {
    await ctx.writer.relations.create(projectId, taskId, {
      relation_type: 'blocked_by',
      issues: deps.map((d) => d.key.id),
    })
    return 'recorded'
  } catch (error) {
    // Plane v1.2 has no relations: the bridge's record alone holds them ('bridge_only').
    if (!(error instanceof PlaneUnsupportedError)) throw error
    return 'bridge_only'
  }
}

async function _project(ctx: ToolContext, wanted: string) {
  const all = (await ctx.directory.projects()).filter((p) => !p.archived)
  const key = wanted.toLowerCase()
  const found =
    all.find((p) => p.id === wanted) ??
    all.find((p) => p.identifier?.toLowerCase() === key) ??
    all.find((p) => p.name.toLowerCase() === key)
  if (found) return found
  await ctx.directory.refresh()
  const again = (await ctx.directory.projects()).find(
    (p) =>
      !p.archived &&
      (p.id === wanted || p.identifier?.toLowerCase() === key || p.name.toLowerCase() === key)
  )
  if (again) return again
  const known = all.map((p) => p.identifier ?? p.name).join(', ') || 'none'
  throw new ToolError(
    'not_found',
    `No project "${wanted}". Projects: ${known}. create_project makes a new one.`
  )
}

async function _agent(ctx: ToolContext, id: string) {
  const agent = await ctx.directory.agentById(id)
  if (agent) return agent
  const known = ctx.agents.map((a) => a.id)
  const inRegistry = known.includes(id)
  throw new ToolError(
    'invalid_input',
    inRegistry
      ? `assignee: agent "${id}" has no Plane user in the workspace yet; the operator must invite it and run provision.`
      : `assignee: no agent "${id}". Agents: ${known.join(', ')}.`,
    { fields: [{ field: 'assignee', message: inRegistry ? 'no Plane user' : 'unknown agent' }] }
  )
}

/**
 * Plane drops an assignee who is not a project member, silently (makeplane/plane#9517): make the agent a
 * member and assign again, or refuse with the fix.
 */
async function _fixAssignee(
  ctx: ToolContext,
  task: LoadedTask,
  agent: { id: string; name: string; planeUserId: string }
): Promise<LoadedTask> {
  const name = task.ref ?? task.key.id
  try {
    await ctx.plane.projectMembers.add(task.key.projectId, {
      member: agent.planeUserId,
      role: ROLE_MEMBER,
    })
    await ctx.writer.workItems.update(task.key.projectId, task.key.id, {
      assignees: [...new Set([...task.snapshot.assigneeIds, agent.planeUserId])],
    })
  } catch (error) {
    ctx.log.warn('could not make the agent a project member', {
      task: task.key.id,
      agent: agent.id,
      error: errorMessage(error),
    })
  }
  const again = await rereadTask(ctx, task)
  if (again.snapshot.assigneeIds.includes(agent.planeUserId)) return again
  throw new ToolError(
    'refused',
    `${name} was created but Plane dropped ${agent.name} as assignee: ${agent.name} is not a member of project ${task.project.identifier ?? task.project.name} and the bridge could not add them. Run \`npm run job -- provision\` (or add them in Plane), then assign ${name} again. The label agent:${agent.id} is on the task, so the agent still sees it.`,
    { rule: 'assignee_dropped', task: name }
  )
}
