/**
 * @module The workspace as the /plane commands and the digest see it (NOTIF-06, NOTIF-08): projects, tasks with
 * their state group, agents and blocked flag, current cycles. Built from Plane lists by a pure function.
 */
import type { BudgetView } from '../budget/budget.ts'
import { isBlockedName } from '../notify/policy.ts'

/** Plane's state groups (plane-api.md §3.2); anything newer is `other`. */
export const STATE_GROUPS = ['backlog', 'unstarted', 'started', 'completed', 'cancelled'] as const
export type StateGroup = (typeof STATE_GROUPS)[number] | 'other'

/** What the loader keeps of one work item (cached in the store, so small and JSON-safe). */
export type TaskRecord = {
  id: string
  name: string
  sequenceId: number | null
  stateName: string
  stateGroup: string
  assigneeIds: string[]
  labelNames: string[]
  targetDate: string | null
  completedAt: string | null
  updatedAt: string | null
}

export type ProjectRecord = {
  id: string
  name: string
  identifier: string | null
  archived: boolean
}

export type CycleRecord = { name: string; startDate: string | null; endDate: string | null }

/** An agent of the registry, with its Plane user when the directory could resolve it. */
export type AgentRecord = { id: string; name: string; planeUserId: string | null }

export type TaskView = {
  id: string
  projectId: string
  projectName: string
  projectIdentifier: string | null
  sequenceId: number | null
  /** `ONB-12`, or null without an identifier or sequence id. */
  ref: string | null
  name: string
  stateName: string
  group: StateGroup
  /** A blocked state or a blocked label (the same words as NOTIF-05's policy). */
  blocked: boolean
  /** Agent ids: assignees that are agents' Plane users, plus `agent:<id>` labels (OPENCLAW-10). */
  agentIds: string[]
  /** Display names of the assignees that are not agents. */
  people: string[]
  targetDate: string | null
  completedAt: string | null
  updatedAt: string | null
}

export type ProjectView = {
  id: string
  name: string
  identifier: string | null
  tasks: TaskView[]
  /** The page cap stopped the listing: counts are lower bounds. */
  truncated: boolean
  cycle: CycleRecord | null
}

/** A review waiting for the human (low confidence, bridge metadata). */
export type ReviewView = {
  taskRef: string | null
  taskName: string
  agentId: string
  confidence: number
}

/** A task waiting for the human's approval before its agent may start (bridge metadata). */
export type ApprovalView = {
  taskId: string
  taskRef: string | null
  agentId: string | null
  /** When the human was asked (ms). */
  since: number
}

/** A running timer (bridge metadata). */
export type TimerView = {
  agentId: string
  taskRef: string | null
  taskName: string
  startedAt: number
}

/** An agent's run under way (bridge metadata): woken, seen (not started), working, waiting, or quiet. */
export type RunView = {
  taskId: string
  agentId: string
  state: 'pending' | 'seen' | 'active' | 'awaiting' | 'stale'
  /** When the run entered this state (ms). */
  since: number
}

/** A task's progress as its agent last reported it (the live view's record), shown beside the task. */
export type ProgressView = { taskId: string; percent: number | null; step: string | null }

export type WorkspaceView = {
  projects: ProjectView[]
  agents: AgentRecord[]
  /** Bridge metadata; empty until the bridge records it (shown only when present). */
  reviews: ReviewView[]
  approvals: ApprovalView[]
  timers: TimerView[]
  runs: RunView[]
  /** Progress of the tasks under way, as the live view shows it. */
  progress: ProgressView[]
  /** Today's assignment → check-in delays (seconds), for the digest's p95. */
  checkinSeconds: number[]
  /** The month's budget (OPENCLAW-11); absent when BUDGET_MONTHLY_USD is unset. */
  budget?: BudgetView | null
}

export type WorkspaceViewInput = {
  projects: readonly ProjectRecord[]
  tasks: Readonly<Record<string, { tasks: readonly TaskRecord[]; truncated: boolean }>>
  cycles?: Readonly<Record<string, CycleRecord | null>>
  agents: readonly AgentRecord[]
  /** Display names of Plane users (agents are named from the registry). */
  userNames: Readonly<Record<string, string>>
  reviews?: readonly ReviewView[]
  approvals?: readonly ApprovalView[]
  timers?: readonly TimerView[]
  runs?: readonly RunView[]
  progress?: readonly ProgressView[]
  checkinSeconds?: readonly number[]
  budget?: BudgetView | null
}

const AGENT_LABEL = /^agent:\s*([A-Za-z0-9_.-]+)$/i

/** Normalize Plane's lists into the view every reply is rendered from. Archived projects are left out. */
export function buildWorkspaceView(input: WorkspaceViewInput): WorkspaceView {
  const byPlaneUser = new Map(
    input.agents.filter((a) => a.planeUserId).map((a) => [a.planeUserId as string, a])
  )
  const agentIds = new Set(input.agents.map((a) => a.id))
  const projects = input.projects
    .filter((p) => !p.archived)
    .map((p): ProjectView => {
      const listed = input.tasks[p.id] ?? { tasks: [], truncated: false }
      return {
        id: p.id,
        name: p.name,
        identifier: p.identifier,
        truncated: listed.truncated,
        cycle: input.cycles?.[p.id] ?? null,
        tasks: listed.tasks.map((t) => _taskView(t, p, byPlaneUser, agentIds, input.userNames)),
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name))
  return {
    projects,
    agents: [...input.agents],
    reviews: [...(input.reviews ?? [])],
    approvals: [...(input.approvals ?? [])],
    timers: [...(input.timers ?? [])],
    runs: [...(input.runs ?? [])],
    progress: [...(input.progress ?? [])],
    checkinSeconds: [...(input.checkinSeconds ?? [])],
    ...(input.budget ? { budget: input.budget } : {}),
  }
}

export function isOpen(task: Pick<TaskView, 'group'>): boolean {
  return task.group !== 'completed' && task.group !== 'cancelled'
}

export function allTasks(workspace: WorkspaceView): TaskView[] {
  return workspace.projects.flatMap((p) => p.tasks)
}

/** The workspace's tasks by id and by reference (the first of each, as a search in `allTasks` finds it). */
export type TaskLookup = {
  byId: ReadonlyMap<string, TaskView>
  byRef: ReadonlyMap<string, TaskView>
}

/**
 * Built once for a reply's many lines: a line per run, approval or review searching every task was 500 searches of
 * 3,000 tasks, the event loop held a second under a deploy's first poll (the deploy bench's /plane status).
 */
export function taskLookup(workspace: WorkspaceView): TaskLookup {
  const byId = new Map<string, TaskView>()
  const byRef = new Map<string, TaskView>()
  for (const task of allTasks(workspace)) {
    if (!byId.has(task.id)) byId.set(task.id, task)
    if (task.ref !== null && !byRef.has(task.ref)) byRef.set(task.ref, task)
  }
  return { byId, byRef }
}

// --- Internal helpers ---

function _taskView(
  t: TaskRecord,
  project: ProjectRecord,
  byPlaneUser: Map<string, AgentRecord>,
  agentIds: Set<string>,
  userNames: Readonly<Record<string, string>>
): TaskView {
  const agents: string[] = []
  const people: string[] = []
  for (const id of t.assigneeIds) {
    const agent = byPlaneUser.get(id)
    if (agent) agents.push(agent.id)
    else people.push(userNames[id] ?? id)
  }
  for (const label of t.labelNames) {
    const id = AGENT_LABEL.exec(label.trim())?.[1]?.toLowerCase()
    if (id && agentIds.has(id)) agents.push(id)
  }
  const group = (STATE_GROUPS as readonly string[]).includes(t.stateGroup)
    ? (t.stateGroup as StateGroup)
    : 'other'
  return {
    id: t.id,
    projectId: project.id,
    projectName: project.name,
    projectIdentifier: project.identifier,
    sequenceId: t.sequenceId,
    ref:
      project.identifier && t.sequenceId !== null ? `${project.identifier}-${t.sequenceId}` : null,
    name: t.name,
    stateName: t.stateName,
    group,
    blocked: isBlockedName(t.stateName) || t.labelNames.some(isBlockedName),
    agentIds: [...new Set(agents)],
    people,
    targetDate: t.targetDate ? t.targetDate.slice(0, 10) : null,
    completedAt: t.completedAt,
    updatedAt: t.updatedAt,
  }
}
