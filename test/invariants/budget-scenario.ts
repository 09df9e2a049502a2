/**
 * The budget ledger's scenarios (issue 47): tasks created by the Concierge (some through the budget's gate, as
 * create_task asks it), started, finished with or without a cost, cancelled, reopened, approved, given to another
 * agent; a change told again on another replica (a completion told twice), two changes at once on two replicas, a
 * replica restarted, the month's turn, the budget job's tick, and the human's +20 % and pause. Each step is played
 * against the world and fed to the model; `checkBudget` says what does not hold.
 */
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import type { RunRecord } from '../../shared/runs/types.ts'
import {
  budgetOf,
  levelAt,
  type ModelTask,
  micros,
  monthAt,
  SCOPES,
  type Scope,
  scopeTotals,
} from './budget-model.ts'
import type { BudgetWorld } from './budget-world.ts'

type Agent = 'imhotep' | 'thot' | null
export type Change =
  | { kind: 'create'; agent: Agent; project: 0 | 1; estimate: number | null; approval: boolean }
  | { kind: 'start'; task: number }
  | { kind: 'finish'; task: number; cost: number | null }
  | { kind: 'cancel'; task: number; cost: number | null }
  | { kind: 'reopen'; task: number }
  | { kind: 'approve'; task: number }
  | { kind: 'reassign'; task: number; agent: Agent }

export type BudgetStep =
  | { op: 'change'; change: Change; via: 0 | 1 }
  /** create_task's way: the budget's gate decides whether the new task waits for approval. */
  | { op: 'gated'; agent: Agent; project: 0 | 1; estimate: number | null }
  /** The last change told again, on the other replica. */
  | { op: 'again' }
  /** Two changes at once, one on each replica (`same`: the same change, a completion told twice). */
  | { op: 'both'; a: Change; b: Change; same: boolean }
  | { op: 'monthTurn' }
  | { op: 'tick' }
  | { op: 'restart'; which: 0 | 1 }
  | { op: 'raise'; scope: Scope }
  | { op: 'pause'; scope: Scope }

const agent = fc.constantFrom<Agent>('imhotep', 'imhotep', 'thot', null)
const task = fc.nat({ max: 12 })
const amount = fc.constantFrom<number | null>(null, 3, 7.5, 12, 25, 40)
const change: fc.Arbitrary<Change> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      agent,
      project: fc.constantFrom<0 | 1>(0, 1),
      estimate: amount,
      approval: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('start' as const), task }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('finish' as const), task, cost: amount }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('cancel' as const), task, cost: amount }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), task }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('approve' as const), task }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reassign' as const), task, agent }) }
)
const scope = fc.constantFrom<Scope>(...SCOPES)

export const budgetStepArb: fc.Arbitrary<BudgetStep> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('change' as const),
      change,
      via: fc.constantFrom<0 | 1>(0, 1),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('gated' as const),
      agent,
      project: fc.constantFrom<0 | 1>(0, 1),
      estimate: amount,
    }),
  },
  { weight: 2, arbitrary: fc.constant({ op: 'again' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('both' as const),
      a: change,
      b: change,
      same: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'monthTurn' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'tick' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('restart' as const),
      which: fc.constantFrom<0 | 1>(0, 1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('raise' as const), scope }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pause' as const), scope }) }
)

const PROJECTS = [randomUUID(), randomUUID()] as const
/** Past the end of any month from the 10th: the next month, a few days in. */
const MONTH_TURN_MS = 24 * 24 * 60 * 60 * 1000

export function createBudgetScenario(world: BudgetWorld) {
  const tasks: ModelTask[] = []
  const log: string[] = []
  const violations: string[] = []
  const raises = new Map<string, number>()
  const pauses = new Set<string>()
  /** Highest spent + committed each (month, scope, raises) could show, at any state a check could read. */
  const reach = new Map<string, number>()
  /** Spent + committed when a raise made each (month, scope, raises) budget. */
  const raisedAt = new Map<string, number>()
  let last: Change | null = null
  const month = () => monthAt(world.now())
  const raisesOf = (s: Scope) => raises.get(`${month()} ${s}`) ?? 0

  const noteReach = (states: ModelTask[][]) => {
    for (const state of states)
      for (const s of SCOPES) {
        const t = scopeTotals(state, month(), s)
        const key = `${month()} ${s} ${raisesOf(s)}`
        reach.set(key, Math.max(reach.get(key) ?? 0, t.spent + t.committed))
      }
  }

  /** The change as the tools and the tracker make it, for the model and for the run store alike. */
  const apply = (c: Change, t: ModelTask): ModelTask => {
    const open = t.state === 'pending' || t.state === 'active'
    switch (c.kind) {
      case 'create':
        return t
      case 'start':
        return open && !t.waitsFor ? { ...t, state: 'active' } : t
      case 'finish':
        // A repeat keeps the first finish (update_task_status: `finishedAt` of the first call).
        if (t.state === 'done') return { ...t, cost: c.cost ?? t.cost }
        return open && !t.waitsFor
          ? { ...t, state: 'done', cost: c.cost ?? t.cost, finishedMonth: month() }
          : t
      case 'cancel':
        if (t.state === 'cancelled') return { ...t, cost: c.cost ?? t.cost }
        return open
          ? { ...t, state: 'cancelled', cost: c.cost ?? t.cost, finishedMonth: month() }
          : t
      case 'reopen':
        return open ? t : { ...t, state: 'active', waitsFor: null, finishedMonth: null }
      case 'approve':
        return { ...t, waitsFor: null }
      case 'reassign':
        return open ? { ...t, agentId: c.agent } : t
    }
  }
  const toRecord =
    (t: ModelTask) =>
    (r: RunRecord): RunRecord => ({
      ...r,
      agentId: t.agentId,
      costEstimate: t.estimate,
      cost: t.cost,
      waitsFor: t.waitsFor,
      state: t.state,
      finishedAt:
        t.state === 'done' || t.state === 'cancelled'
          ? r.state === t.state && r.finishedAt
            ? r.finishedAt
            : new Date(world.now()).toISOString()
          : null,
    })

  /**
   * Plays one change on replica `via` (of the task at `index`, else the one the change names); returns the model's
   * task after it, or null when it names none.
   */
  const change = async (c: Change, via: 0 | 1, waitsFor?: 'budget', index?: number) => {
    const replica = world.replicas[via] as BudgetWorld['replicas'][number]
    if (c.kind === 'create') {
      const t: ModelTask = {
        id: randomUUID(),
        projectId: PROJECTS[c.project],
        agentId: c.agent,
        estimate: c.estimate,
        cost: null,
        state: 'pending',
        waitsFor: waitsFor ?? (c.approval ? 'approval' : null),
        finishedMonth: null,
      }
      tasks.push(t)
      await replica.runs.update(_key(t), toRecord(t), { agentName: null, created: true })
      return t
    }
    const at = index ?? _indexOf(c, tasks.length)
    const before = tasks[at]
    if (!before) return null
    const after = apply(c, before)
    tasks[at] = after
    await replica.runs.update(_key(after), toRecord(after), { agentName: null })
    return after
  }

  /** What the month has reached must have been told (or passed over by a raise that covers it). */
  const mustBeTold = async (when: string) => {
    for (const s of SCOPES) {
      const t = scopeTotals(tasks, month(), s)
      const level = levelAt(t.spent + t.committed, budgetOf(s, raisesOf(s)))
      const key = `budget:told:${month()}:${s}:${level}:${raisesOf(s)}`
      if (level !== null && !(await world.store.has(key)))
        violations.push(
          `${month()} ${s}: at ${level} % with ${raisesOf(s)} raise(s), not told ${when}`
        )
    }
  }
  /** The budget job's run: the month's thresholds checked. */
  const tick = async () => {
    await world.replicas[0]?.budget.check()
    await mustBeTold('after the budget job')
  }
  /** Where each task's money counts, as the model has it: a change of it makes the bridge check its thresholds. */
  const placements = () =>
    tasks
      .flatMap((t) => {
        const open = t.state === 'pending' || t.state === 'active'
        const amount = open ? t.estimate : t.state === 'done' ? (t.cost ?? t.estimate) : t.cost
        if (amount === null) return []
        const where = open
          ? t.waitsFor
            ? 'waiting'
            : 'open'
          : `${t.finishedMonth}${t.cost === null}`
        return [`${t.id}:${where}:${amount}:${t.agentId}`]
      })
      .join(',')

  return {
    log,
    violations,
    tasks,
    async play(step: BudgetStep) {
      log.push(JSON.stringify(step))
      const placed = placements()
      await _play(step)
      // A change of the ledger is checked at once: the human hears of a threshold when it is crossed.
      if (placements() !== placed) await mustBeTold(`right after ${step.op}`)
    },
    tick,
    reach,
    raisedAt,
    month,
  }

  async function _play(step: BudgetStep) {
    switch (step.op) {
      case 'change':
        last = step.change
        await change(step.change, step.via)
        noteReach([tasks])
        return
      case 'gated': {
        const gate = await world.replicas[0]?.budget.gateFor(step.agent, step.estimate)
        const expected = _expectedGate(tasks, month(), step.agent, step.estimate, raisesOf, pauses)
        if ((gate ? gate.scope : null) !== expected)
          violations.push(
            `gate for ${step.agent} at ${step.estimate}: ${gate?.scope ?? 'open'}, expected ${expected ?? 'open'}`
          )
        const c: Change = {
          kind: 'create',
          agent: step.agent,
          project: step.project,
          estimate: step.estimate,
          approval: false,
        }
        last = null
        await change(c, 0, gate ? 'budget' : undefined)
        noteReach([tasks])
        return
      }
      case 'again':
        // Told again: the same change, on the other replica; a creation is not repeated (a new task).
        if (last && last.kind !== 'create') await change(last, 1)
        // The repeat lands on the task its index names now, which may be another one (an approval of a new task).
        noteReach([tasks])
        return
      case 'both': {
        const a = step.a
        const b = step.same ? step.a : step.b
        const before = [...tasks]
        const ia = _indexOf(a, before.length)
        const ib = step.same ? ia : _indexOf(b, before.length)
        // Two changes of one task at once land in either order: only the same change, or two tasks, is modelled.
        if (!step.same && ia === ib && ia !== -1)
          return void log.push('  (skipped: one task, two changes)')
        if (step.same && a.kind === 'create') return void log.push('  (skipped: a creation twice)')
        const [ta, tb] = await Promise.all([
          change(a, 0, undefined, ia),
          change(b, 1, undefined, ib),
        ])
        // Each state in between, in either order, is one a check may read.
        const only = (c: Change, i: number, t: ModelTask | null) =>
          c.kind === 'create'
            ? t
              ? [...before, t]
              : before
            : before.map((x, j) => (j === i ? apply(c, x) : x))
        noteReach([only(a, ia, ta), step.same ? before : only(b, ib, tb), tasks])
        last = a
        return
      }
      case 'monthTurn':
        // The job runs within every month (every 5 minutes): whatever the month reached is told before it ends.
        await tick()
        world.advance(MONTH_TURN_MS)
        noteReach([tasks])
        return
      case 'tick':
        await tick()
        return
      case 'restart':
        await world.restart(step.which)
        return
      case 'raise': {
        await world.replicas[1]?.budget.raise(month(), step.scope, randomUUID())
        raises.set(`${month()} ${step.scope}`, raisesOf(step.scope) + 1)
        pauses.delete(`${month()} ${step.scope}`)
        // What the new budget already covers is not news: only a crossing after the raise is told.
        const t = scopeTotals(tasks, month(), step.scope)
        raisedAt.set(`${month()} ${step.scope} ${raisesOf(step.scope)}`, t.spent + t.committed)
        // The new budget is one a check may read the same totals against.
        noteReach([tasks])
        return
      }
      case 'pause':
        await world.replicas[0]?.budget.pause(month(), step.scope)
        pauses.add(`${month()} ${step.scope}`)
        return
    }
  }
}

export type BudgetScenario = ReturnType<typeof createBudgetScenario>

// --- Internal helpers ---

/** The task a change names (-1 for a creation, or no task yet). */
function _indexOf(c: Change, count: number): number {
  return c.kind === 'create' || count === 0 ? -1 : c.task % count
}

function _key(t: ModelTask) {
  return { id: t.id, projectId: t.projectId, ref: null }
}

/** create_task's gate as the model sees it: the team first, then the agent's own budget. */
function _expectedGate(
  tasks: ModelTask[],
  month: string,
  agentId: Agent,
  estimate: number | null,
  raisesOf: (s: Scope) => number,
  holds: ReadonlySet<string>
): Scope | null {
  for (const s of SCOPES) {
    if (s !== 'team' && s !== `agent:${agentId}`) continue
    if (holds.has(`${month} ${s}`)) return s
    const t = scopeTotals(tasks, month, s)
    const used = t.spent + t.committed
    const budget = budgetOf(s, raisesOf(s))
    if (used >= budget || used + micros(estimate ?? 0) > budget) return s
  }
  return null
}
