/**
 * Hostile things for the property tests of issue 44: projects, tasks, agents, people and whole workspaces whose every
 * name and text comes from hostile-text.ts.
 */
import fc from 'fast-check'
import type { AgentRef } from '../../shared/agents/registry.ts'
import type { BudgetView, ScopeFigures } from '../../shared/budget/budget.ts'
import type { StateRef, TaskSnapshot } from '../../shared/events.ts'
import type { Locale } from '../../shared/notify/i18n.ts'
import type { ProjectRef } from '../../shared/notify/messages.ts'
import type { TaskNotification } from '../../shared/notify/policy.ts'
import {
  type AgentRecord,
  buildWorkspaceView,
  type ProjectRecord,
  STATE_GROUPS,
  type TaskRecord,
  type WorkspaceView,
} from '../../shared/workspace/workspace-view.ts'
import { hostileComment, hostileName, mixedText } from './hostile-text.ts'

export const NOW = Date.parse('2026-11-21T08:00:00Z')
export const TODAY = '2026-11-21'

export const locale: fc.Arbitrary<Locale> = fc.constantFrom('fr', 'en')

/** Every kind of task notification (NOTIF-05). */
export const TASK_KINDS = [
  'task.completed',
  'task.cancelled',
  'task.blocked',
  'task.created',
  'task.assigned',
  'task.state',
] as const satisfies readonly TaskNotification['kind'][]

/** A Plane id: the drill-down buttons carry it (`p:<uuid>`), so it is always one. */
export const uuid = (n: number, kind = 'd') =>
  `00000000-0000-4000-8000-${kind}${String(n).padStart(11, '0')}`

/** Plane's identifiers are short (12 at most); some hold what escaping must handle anyway. */
export const identifier: fc.Arbitrary<string | null> = fc.constantFrom(
  'ONB',
  'R&D',
  '<P>',
  'ÉQUIPE',
  'ABCDEFGHIJKL',
  null
)

/** A link to Plane as the settings make it: a query string with `&`, sometimes none at all. */
export const taskUrl: fc.Arbitrary<string | null> = fc.constantFrom(
  'https://plane.example/ws/browse/ONB-12/',
  'https://plane.example/w&s/browse/ONB-12/?a=1&b="2"<',
  null
)

export function project(n = 1): fc.Arbitrary<ProjectRef> {
  return fc.record({
    id: fc.constant(uuid(n)),
    name: hostileName,
    identifier,
    archived: fc.boolean(),
  })
}

const stateGroups = [...STATE_GROUPS, 'weird'] as const
export const state: fc.Arbitrary<StateRef> = fc.record({
  id: fc.constant(uuid(1, 'a')),
  name: fc.oneof(fc.constantFrom('Bloqué', 'In Progress', 'Done', 'blocked'), hostileName),
  group: fc.constantFrom(...STATE_GROUPS),
})

export function task(projectId = uuid(1)): fc.Arbitrary<TaskSnapshot> {
  return fc.record({
    id: fc.constant(uuid(1, 'c')),
    projectId: fc.constant(projectId),
    sequenceId: fc.option(fc.integer({ min: 1, max: 99_999 }), { nil: null }),
    name: hostileName,
    state: fc.option(state, { nil: null }),
    assigneeIds: fc.subarray([uuid(1, 'b'), uuid(2, 'b'), uuid(3, 'b')]),
    labels: fc.array(hostileName, { maxLength: 3 }),
    priority: fc.constantFrom('urgent', 'none', '<high>'),
    targetDate: fc.constantFrom(null, TODAY, '2026-11-01'),
    completedAt: fc.constant(null),
    updatedAt: fc.constant('2026-11-21T07:00:00Z'),
  })
}

/**
 * Agents as the registry names them: the operator writes these names, so no 5,000 characters, but tags, `&`, emoji
 * and bidi marks all the same.
 */
export const agentName: fc.Arbitrary<string> = mixedText(12).map((s) => (s.trim() ? s : 'Agent'))

export const agents: fc.Arbitrary<AgentRef[]> = fc
  .array(agentName, { minLength: 1, maxLength: 4 })
  .map((names) =>
    names.map((name, i) => ({
      id: `agent${i}`,
      name,
      role: i === 0 ? 'concierge' : 'member',
      planeUserId: uuid(i + 1, 'b'),
      openclawAgentId: `oc-agent${i}`,
    }))
  )

/** People's display names, by Plane user id (the agents' users among them). */
export const people: fc.Arbitrary<Record<string, string>> = fc
  .array(hostileName, { minLength: 5, maxLength: 5 })
  .map((names) => Object.fromEntries(names.map((n, i) => [uuid(i + 1, 'b'), n])))

/** Dollars: none, fractions of a cent, round figures, and sums no month should reach. */
export const usd: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, 0.004, 0.5, 99.995, 100, 1_000, 1e12),
  fc.double({ min: 0, max: 1e9, noNaN: true })
)

/** A budget scope's figures for the month (OPENCLAW-11): the team's, or an agent's. */
export function scopeFigures(agentId: string | null): fc.Arbitrary<ScopeFigures> {
  return fc.record({
    scope: fc.constant(agentId === null ? 'team' : `agent:${agentId}`),
    agentId: fc.constant(agentId),
    budgetUsd: fc.option(usd, { nil: null }),
    raises: fc.nat(12),
    spentUsd: usd,
    estimatedUsd: usd,
    committedUsd: usd,
    waitingUsd: usd,
    waitingCount: fc.nat(300),
    leftUsd: fc.option(
      fc.oneof(
        usd,
        usd.map((n) => -n)
      ),
      { nil: null }
    ),
    percent: fc.option(fc.nat(100_000), { nil: null }),
    paused: fc.boolean(),
  })
}

const taskRecord = (n: number): fc.Arbitrary<TaskRecord> =>
  fc.record({
    id: fc.constant(uuid(n, 'c')),
    name: hostileName,
    sequenceId: fc.option(fc.integer({ min: 1, max: 9_999 }), { nil: null }),
    stateName: fc.oneof(fc.constantFrom('Bloqué', 'In Progress', 'Todo'), hostileName),
    stateGroup: fc.constantFrom(...stateGroups),
    assigneeIds: fc.subarray([uuid(1, 'b'), uuid(2, 'b'), uuid(4, 'b'), uuid(5, 'b')]),
    labelNames: fc.subarray(['agent:agent0', 'agent:agent1', 'blocked', '<&>']),
    targetDate: fc.constantFrom(null, TODAY, '2026-11-01', '2026-11-23'),
    completedAt: fc.constantFrom(null, '2026-11-21T01:00:00Z'),
    updatedAt: fc.constantFrom(null, '2026-11-20T10:00:00.123456Z'),
  })

/**
 * A workspace of 0 to `maxProjects` projects with hostile names, a few hundred tasks at most, the agents, and what
 * the bridge adds (reviews, approvals, runs, a timer, check-in delays), as the /plane replies and the digest read it.
 */
export function workspace(maxProjects = 150): fc.Arbitrary<WorkspaceView> {
  return fc
    .record({
      count: fc.oneof(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 38, max: 45 }),
        fc.integer({ min: 95, max: maxProjects })
      ),
      names: fc.array(hostileName, { minLength: 3, maxLength: 12 }),
      identifiers: fc.array(identifier, { minLength: 1, maxLength: 6 }),
      tasks: fc.array(taskRecord(0), { maxLength: 12 }),
      tasksPerProject: fc.integer({ min: 0, max: 3 }),
      agents,
      people,
      review: fc.record({ taskName: hostileComment, confidence: fc.double({ min: 0, max: 0.69 }) }),
      cycle: fc.record({
        name: hostileName,
        startDate: fc.constant('2026-11-16'),
        endDate: fc.constant('2026-11-29'),
      }),
      budget: fc.option(
        fc.record({
          daysElapsed: fc.integer({ min: 1, max: 30 }),
          rebuilding: fc.boolean(),
          team: scopeFigures(null),
          agents: fc.array(scopeFigures('agent1'), { maxLength: 4 }),
          amounts: fc.array(usd, { minLength: 1, maxLength: 12 }),
        }),
        { nil: null }
      ),
    })
    .map((w) => {
      // Names and tasks cycle through the few generated: a 150-project workspace costs what a dozen names cost.
      const projects: ProjectRecord[] = Array.from({ length: w.count }, (_, i) => ({
        id: uuid(i + 1),
        name: `${w.names[i % w.names.length] ?? ''}${i >= w.names.length ? ` ${i}` : ''}`,
        identifier: w.identifiers[i % w.identifiers.length] ?? null,
        archived: i % 17 === 16,
      }))
      let n = 0
      const tasks = Object.fromEntries(
        projects.map((p, i) => [
          p.id,
          {
            truncated: i % 11 === 3,
            tasks: Array.from({ length: i < 20 ? w.tasksPerProject : 0 }, () => {
              const t = w.tasks[n % Math.max(1, w.tasks.length)]
              n++
              return t ? { ...t, id: uuid(n, 'c') } : null
            }).filter((t): t is TaskRecord => t !== null),
          },
        ])
      )
      const agentRecords: AgentRecord[] = w.agents.map((a, i) => ({
        id: a.id,
        name: a.name,
        planeUserId: i === 3 ? null : a.planeUserId,
      }))
      const listed = Object.values(tasks).flatMap((t) => t.tasks)
      const firstTask = listed[0]
      const amount = (i: number) => w.budget?.amounts[i % w.budget.amounts.length] ?? 0
      const budget: BudgetView | null = w.budget && {
        month: '2026-11',
        daysElapsed: w.budget.daysElapsed,
        monthDays: 30,
        rebuilding: w.budget.rebuilding,
        team: w.budget.team,
        agents: w.budget.agents.map((f, i) => ({ ...f, agentId: `agent${i}` })),
        projects: projects.slice(0, 12).map((p, i) => ({
          projectId: p.id,
          spentUsd: amount(i),
          committedUsd: amount(i + 1),
        })),
        // The listed tasks, and one the listing does not hold (named by its reference).
        top: [...listed.slice(0, 5), null].map((t, i) => ({
          taskId: t?.id ?? uuid(997, 'c'),
          projectId: projects[0]?.id ?? uuid(1),
          ref: t ? null : 'R&D-9',
          agentId: i % 2 === 0 ? 'agent1' : null,
          amountUsd: amount(i),
        })),
      }
      return buildWorkspaceView({
        projects,
        tasks,
        cycles: Object.fromEntries(projects.map((p) => [p.id, w.cycle])),
        agents: agentRecords,
        userNames: w.people,
        reviews: [
          { taskRef: 'ONB-1', taskName: w.review.taskName, agentId: 'agent1', confidence: 0.5 },
          {
            taskRef: null,
            taskName: w.review.taskName,
            agentId: 'gone',
            confidence: w.review.confidence,
          },
        ],
        approvals: [
          {
            taskId: firstTask?.id ?? uuid(9, 'c'),
            taskRef: 'ONB-2',
            agentId: 'agent1',
            since: NOW,
          },
          { taskId: uuid(999, 'c'), taskRef: null, agentId: null, since: NOW - 86_400_000 },
        ],
        timers: [
          {
            agentId: 'agent1',
            taskRef: 'R&D-3',
            taskName: w.review.taskName,
            startedAt: NOW - 3_600_000,
          },
        ],
        runs: [
          {
            taskId: firstTask?.id ?? uuid(9, 'c'),
            agentId: 'agent1',
            state: 'awaiting',
            since: NOW - 2 * 86_400_000,
          },
          { taskId: uuid(998, 'c'), agentId: 'agent0', state: 'stale', since: NOW - 60_000 },
        ],
        checkinSeconds: [30, 90, 600],
        budget,
      })
    })
}
