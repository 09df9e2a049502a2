/**
 * @module The composition root's runs: the month's budget (OPENCLAW-11), the run records, what one agent may send the
 * human, the run tracker, a project's finish, and the dependents' side of a closed or deleted task.
 */
import { createBudgetTeller } from '../shared/budget/alerts.ts'
import { type Budget, createBudget } from '../shared/budget/budget.ts'
import type { Services } from '../shared/core/function.ts'
import type { Parts } from '../shared/core/parts.ts'
import type { TaskSnapshot } from '../shared/events.ts'
import { createTaskSnapshots } from '../shared/index/task-snapshots.ts'
import { type AgentQuota, createAgentQuota } from '../shared/notify/quota.ts'
import type { DeletedTaskParts } from '../shared/pipeline/deleted.ts'
import { blockForCancelledDependency } from '../shared/poll/dependencies.ts'
import { createProjectFinish, type ProjectFinish } from '../shared/projects/finish.ts'
import { createRunStore } from '../shared/runs/records.ts'
import { createRunTracker } from '../shared/runs/tracker.ts'

export type RunPartsOptions = Pick<
  Parts,
  'plane' | 'openclaw' | 'directory' | 'outbox' | 'cards' | 'chatId' | 'locks'
> & {
  /** The scheduler's run cards step, built after the runs. */
  writeRunCards: () => void
  /** The parts once built: the dependents' side reads them as a task closes or is deleted, not before. */
  parts: () => Parts
}

export type RunParts = Pick<Parts, 'budget' | 'runs' | 'snapshots' | 'tracker'> & {
  quota: AgentQuota
  projectFinish: ProjectFinish | null
  /** The dependents' side of a closed or deleted task: the poll's blocking rule, Plane at an agent's priority. */
  dependents: DeletedTaskParts['dependents']
}

export function buildRunParts(services: Services, options: RunPartsOptions): RunParts {
  const { config, store, log, metrics, background, now } = services
  const { plane, openclaw, directory, outbox, chatId, locks, writeRunCards, parts } = options
  const budget = _budgetOf(services, options)
  const runs = plane
    ? createRunStore({
        store,
        locks,
        plane,
        nameOf: async (id) => (await directory.agentById(id))?.name ?? null,
        log,
        locale: config.LOCALE,
        now,
        // Cards are written by the flush step once their coalescing delay has passed.
        // A weak timer: cards are no one's wait (the notify cron writes what a stopping process left).
        onCardMarked: (dueInMs) =>
          background.later('cards', Math.max(50, dueInMs), async () => writeRunCards(), {
            weak: true,
          }),
        ...(budget ? { ledger: budget } : {}),
      })
    : null
  // What one agent may send the human on its own: the pipeline and the run tracker share it.
  const quota = createAgentQuota({
    store,
    perPeriod: config.AGENT_MESSAGES_PER_WINDOW,
    periodMs: config.AGENT_MESSAGES_WINDOW_S * 1000,
    now,
  })
  // What the pipeline stored of each task, read below it: the tracker does not call back into the pipeline.
  const snapshots = createTaskSnapshots({ store })
  const tracker = createRunTracker({
    quota,
    store,
    outbox,
    runs,
    directory,
    snapshot: snapshots.get,
    // A wake's own read (a lost record's run card), ahead of background work like the directory's.
    cardReads: plane?.withPriority('agent') ?? null,
    locale: config.LOCALE,
    chatId,
    wakeAgents: openclaw !== null,
    checkinMs: config.WAKE_CHECKIN_SECONDS * 1000,
    attempts: config.WAKE_ATTEMPTS,
    staleMs: config.RUN_STALE_MINUTES * 60_000,
    sessionKeyPrefix: config.OPENCLAW_SESSION_KEY_PREFIX,
    planeBaseUrl: config.PLANE_BASE_URL,
    workspaceSlug: config.PLANE_WORKSPACE_SLUG,
    log,
    metrics: metrics.registry,
    now,
    finishDue: (projectId) => projectFinish?.finishDue(projectId) ?? Promise.resolve(),
  })
  // A project's finish: read once its last open task closes.
  const projectFinish =
    plane && runs
      ? createProjectFinish({
          ...{ store, outbox, tracker, chatId, locale: config.LOCALE, log, now },
          read: { plane, runs, store, budget, directory, config },
        })
      : null
  const dependents = {
    plane: plane?.withPriority('agent') ?? null,
    tracker,
    directory,
    told: (taskId: string) => parts().pipeline.told(taskId),
    blockForCancelled: (dependent: TaskSnapshot, dependency: TaskSnapshot) =>
      blockForCancelledDependency({ ...services, ...parts() }, dependent, dependency),
  }
  return { budget, runs, quota, snapshots, tracker, projectFinish, dependents }
}

// --- Internal helpers ---

/** OPENCLAW-11: with BUDGET_MONTHLY_USD, every run record's money goes through the budget's ledger. */
function _budgetOf(
  services: Services,
  { cards, chatId }: Pick<Parts, 'cards' | 'chatId'>
): Budget | null {
  const { config, store, now } = services
  return config.BUDGET_MONTHLY_USD === undefined
    ? null
    : createBudget({
        store,
        teamUsd: config.BUDGET_MONTHLY_USD,
        agents: services.agents,
        timeZone: config.TIMEZONE,
        now,
        ...(chatId
          ? {
              tell: createBudgetTeller({
                cards,
                chatId,
                locale: config.LOCALE,
                nameOf: (id) => services.agents.find((a) => a.id === id)?.name ?? id,
              }),
            }
          : {}),
      })
}
