/**
 * @module get_team_status (OPENCLAW-17: the Concierge assigns by load and persona): every agent of the registry with
 * its tags, its open tasks by status, its runs (seen, at work, waiting for the human, stale), when it last called a
 * tool, and the month's spend against its budget. Read from the bridge's own index, run records and ledger: no Plane
 * request when the index is fresh.
 */
import * as z from 'zod'
import { isOpenForAgent } from '../../../shared/agents/task-vocabulary.ts'
import type { ScopeFigures } from '../../../shared/budget/budget.ts'
import type { ProjectRef } from '../../../shared/notify/messages.ts'
import type { RunRecord } from '../../../shared/runs/types.ts'
import { ToolError } from '../../../shared/tasks/errors.ts'
import { statusOf } from '../../../shared/tasks/status.ts'
import { freshProjects } from '../fresh-index.ts'
import { READ_HINTS } from '../schemas.ts'
import { defineTool, type ToolContext } from '../tool.ts'

/** References listed per status and agent: the counts say how many there are in all. */
export const TEAM_REFS_MAX = 20
/** Runs listed per agent (pending, active, awaiting, stale), the oldest change first. */
export const TEAM_RUNS_MAX = 20
/** Runs under way read at most (seen ones are counted from their own index). */
const OPEN_RUNS_MAX = 2_000
const REFERENCES = new Intl.Collator('en', { numeric: true })

const runStates = ['pending', 'seen', 'active', 'awaiting', 'stale'] as const
const loads = ['idle', 'queued', 'working', 'waiting', 'stuck'] as const

const refsOut = z.object({
  count: z.number(),
  refs: z.array(z.string()).describe(`At most ${TEAM_REFS_MAX}, in reference order.`),
})

const agentOut = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['concierge', 'member']),
  tags: z.array(z.string()).describe('What the agent is for (its persona), from the registry.'),
  load: z
    .enum(loads)
    .describe(
      'working: a task under way; stuck: no task under way, one gone quiet (stale) or a wake unanswered; waiting: only waiting for the human; queued: open tasks, none started; idle: no open task.'
    ),
  todo: refsOut,
  in_progress: refsOut,
  blocked: refsOut,
  seen_runs: z
    .number()
    .describe(
      'Runs seen (checked in, not started): its queue, whose tasks are in `todo`; counted, not listed.'
    ),
  runs: z
    .array(
      z.object({
        task: z.string(),
        state: z.enum(runStates),
        since: z.string().nullable(),
        last_activity_at: z.string().nullable(),
      })
    )
    .describe(
      `Runs under way or waiting (at most ${TEAM_RUNS_MAX}): pending (woken, no answer), active, awaiting (the human), stale (quiet).`
    ),
  working_since: z.string().nullable().describe('Since when its oldest active run is under way.'),
  last_call_at: z.string().nullable().describe('Its last tool call (to the minute), if known.'),
  budget: z
    .object({
      spent_usd: z.number(),
      committed_usd: z.number(),
      budget_usd: z.number().nullable(),
      left_usd: z.number().nullable(),
      percent: z.number().nullable(),
    })
    .nullable()
    .describe("The month's spend (null when no budget is set, BUDGET_MONTHLY_USD)."),
})

export const getTeamStatus = defineTool({
  name: 'get_team_status',
  title: 'Get team status',
  description: `Your team at a glance, to choose who gets a task: for each agent (or the one named in \`agent\`), its tags (what it is for), its load (working, stuck, waiting, queued, idle), its open tasks by status with their references (at most ${TEAM_REFS_MAX} each, with counts), its runs not finished with their state and since when, its last tool call, and the month's spend against its budget. Prefer an idle or queued agent whose tags fit; avoid one that is stuck (tell the human). \`as_of\` says how fresh the task lists are.`,
  input: z.object({
    agent: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .optional()
      .describe('An agent id or name: only that agent. Default: every agent.'),
  }),
  output: z.object({
    as_of: z.string().describe('The oldest listing of Plane the answer stands on (ISO time).'),
    agents: z.array(agentOut),
  }),
  hints: READ_HINTS,
  access: 'concierge',
  async handler({ agent }, ctx) {
    const wanted = agent?.toLowerCase()
    const team = ctx.agents.filter(
      (a) => !wanted || a.id.toLowerCase() === wanted || a.name.toLowerCase() === wanted
    )
    if (team.length === 0)
      throw new ToolError(
        'not_found',
        `No agent "${agent}". Agents: ${ctx.agents.map((a) => a.id).join(', ')}.`
      )
    const { projects, asOf } = await freshProjects(ctx)
    const [openIds, runs, lastCalls, view] = await Promise.all([
      Promise.all(team.map((a) => ctx.index.openVersions(a.id))),
      ctx.runs.open(OPEN_RUNS_MAX),
      ctx.agentCalls.lastCalls(team.map((a) => a.id)),
      ctx.budget ? ctx.budget.view() : Promise.resolve(null),
    ])
    const seenBy = new Map<string, number>()
    for (const { agentId } of runs.seen) seenBy.set(agentId, (seenBy.get(agentId) ?? 0) + 1)
    // ~2,500 open tasks for ten agents: only the snapshots changed since this process last read them are read.
    const unique = [...new Map(openIds.flat().map((t) => [t.id, t])).values()]
    const found = await ctx.pipeline.snapshotsAt(unique)
    const snapshots = new Map(unique.map((t, i) => [t.id, found[i] ?? null]))
    const byProject = new Map(projects.map((p) => [p.id, p]))
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
    // A run woken this long ago and still pending had every wake unanswered (WAKE_CHECKIN_SECONDS × WAKE_ATTEMPTS).
    const unansweredBefore =
      ctx.now() - ctx.config.WAKE_CHECKIN_SECONDS * ctx.config.WAKE_ATTEMPTS * 1000
    const agents = team.map((member, i) => {
      const tasks = _openTasks(
        (openIds[i] ?? []).map((t) => t.id),
        snapshots,
        byProject
      )
      // A queue listed is hundreds of runs "seen": counted from their index, and the tasks are in `todo`; the
      // runs under way are listed.
      const shown = runs.underWay.filter((r) => r.agentId === member.id && _isRunState(r.state))
      const active = shown.filter((r) => r.state === 'active')
      const since = (r: RunRecord) => Date.parse(r.stateSince ?? '') || null
      return {
        id: member.id,
        name: member.name,
        role: member.role,
        tags: [...member.tags],
        load: _load(tasks, shown, unansweredBefore),
        todo: _refs(tasks, 'todo'),
        in_progress: _refs(tasks, 'in_progress'),
        blocked: _refs(tasks, 'blocked'),
        seen_runs: seenBy.get(member.id) ?? 0,
        runs: shown.slice(0, TEAM_RUNS_MAX).map((r) => ({
          task: r.ref ?? r.taskId,
          state: r.state as (typeof runStates)[number],
          since: iso(since(r)),
          last_activity_at: r.lastActivityAt,
        })),
        working_since: iso(
          active.reduce<number | null>((first, r) => {
            const at = since(r)
            return at !== null && (first === null || at < first) ? at : first
          }, null)
        ),
        last_call_at: iso(lastCalls[i] ?? null),
        budget: view ? _budget(view.agents.find((f) => f.agentId === member.id) ?? null) : null,
      }
    })
    return { as_of: asOf, agents }
  },
  summarize: ({ agents }) =>
    agents
      .map(
        (a) =>
          `${a.name} (${a.id}; ${a.tags.join(', ') || 'no tags'}): ${a.load}, ${a.in_progress.count} in progress, ${a.todo.count} to do, ${a.blocked.count} blocked`
      )
      .join('; '),
})

// --- Internal helpers ---

type OpenTask = { ref: string; status: 'todo' | 'in_progress' | 'blocked' }

/**
 * The agent's open tasks as the index holds them (it files each task under the agents holding it at its last
 * sighting), each still open. Not asked of the directory again per task: hundreds of tasks per agent, ten agents.
 */
function _openTasks(
  ids: readonly string[],
  snapshots: ReadonlyMap<string, Awaited<ReturnType<ToolContext['pipeline']['snapshot']>>>,
  projects: ReadonlyMap<string, ProjectRef>
): OpenTask[] {
  const out: Array<OpenTask & { prefix: string; sequence: number }> = []
  const statuses = new Map<string, ReturnType<typeof statusOf>>()
  for (const id of ids) {
    const snapshot = snapshots.get(id) ?? null
    const project = snapshot ? projects.get(snapshot.projectId) : undefined
    if (!snapshot || !project || !isOpenForAgent(snapshot)) continue
    // A workspace has a few dozen states for thousands of tasks: each told once (its blocked name is a Unicode-aware
    // expression).
    const stateKey = snapshot.state ? `${snapshot.state.group}\u0000${snapshot.state.name}` : ''
    let status = statuses.get(stateKey)
    if (status === undefined) {
      status = statusOf(snapshot.state)
      statuses.set(stateKey, status)
    }
    if (status !== 'todo' && status !== 'in_progress' && status !== 'blocked') continue
    const numbered = Boolean(project.identifier) && snapshot.sequenceId !== null
    const prefix = numbered ? (project.identifier ?? id) : id
    const sequence = numbered ? (snapshot.sequenceId ?? 0) : 0
    out.push({ ref: numbered ? `${prefix}-${sequence}` : id, status, prefix, sequence })
  }
  // Reference order (ONB-2 before ONB-10) without a collator call per comparison (2,500 tasks: ~4 ms a call,
  // profiled): the projects' identifiers ordered once, then each task by its project's rank and its number.
  const rank = new Map(
    [...new Set(out.map((t) => t.prefix))].sort(REFERENCES.compare).map((p, i) => [p, i])
  )
  out.sort(
    (a, b) => (rank.get(a.prefix) ?? 0) - (rank.get(b.prefix) ?? 0) || a.sequence - b.sequence
  )
  return out.map(({ ref, status }) => ({ ref, status }))
}

function _refs(tasks: readonly OpenTask[], status: OpenTask['status']) {
  const refs = tasks.filter((t) => t.status === status).map((t) => t.ref)
  return { count: refs.length, refs: refs.slice(0, TEAM_REFS_MAX) }
}

function _isRunState(state: RunRecord['state']): boolean {
  return (runStates as readonly string[]).includes(state)
}

/**
 * One word for what the agent is doing, the most telling first: at work, then stuck (a run gone quiet, or woken so
 * long ago that every wake went unanswered), waiting for the human, queued, idle.
 */
function _load(
  tasks: readonly OpenTask[],
  runs: readonly RunRecord[],
  unansweredBefore: number
): (typeof loads)[number] {
  const wokenLongAgo = (r: RunRecord) =>
    r.state === 'pending' && (Date.parse(r.stateSince ?? '') || 0) < unansweredBefore
  if (runs.some((r) => r.state === 'active')) return 'working'
  if (runs.some((r) => r.state === 'stale' || wokenLongAgo(r))) return 'stuck'
  if (runs.some((r) => r.state === 'awaiting')) return 'waiting'
  return tasks.length > 0 ? 'queued' : 'idle'
}

function _budget(figures: ScopeFigures | null) {
  return {
    spent_usd: figures?.spentUsd ?? 0,
    committed_usd: figures?.committedUsd ?? 0,
    budget_usd: figures?.budgetUsd ?? null,
    left_usd: figures?.leftUsd ?? null,
    percent: figures?.percent ?? null,
  }
}
