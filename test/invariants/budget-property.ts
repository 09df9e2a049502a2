/**
 * Issue 47's property, as fast-check runs it (the style of issue 28's `property.ts`): random scenarios of the budget's
 * ledger played on a store, then what must hold at quiescence — the ledger equals the model (each month's spent, the
 * committed and held, by agent and by project), nothing left half-placed, each threshold told once per month and
 * budget, never one the month did not reach, and what it reached told. PROPERTY_RUNS, PROPERTY_SEED, PROPERTY_PATH
 * as for the other suite.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { levelOf } from '../../shared/budget/budget.ts'
import { budgetOf, levelAt, micros, type Scope, totals } from './budget-model.ts'
import {
  type BudgetScenario,
  type BudgetStep,
  budgetStepArb,
  createBudgetScenario,
} from './budget-scenario.ts'
import {
  type BudgetStoreKind,
  type BudgetWorld,
  budgetCards,
  createBudgetWorld,
} from './budget-world.ts'

/** The memory store plays a scenario in ~10 ms, Redis in ~100 ms: more runs where they are cheap. */
const RUNS: Record<BudgetStoreKind, number> = {
  memory: Number(process.env.PROPERTY_RUNS) || 300,
  redis: Number(process.env.PROPERTY_RUNS) || 100,
}
const SEED = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined
const PATH = process.env.PROPERTY_PATH

export async function playBudgetScenario(
  store: BudgetStoreKind,
  steps: BudgetStep[]
): Promise<void> {
  const world = await createBudgetWorld(store)
  const scenario = createBudgetScenario(world)
  try {
    const months = new Set([scenario.month()])
    for (const step of steps) {
      await scenario.play(step)
      months.add(scenario.month())
    }
    await scenario.tick()
    const violations = [...scenario.violations, ...(await checkBudget(world, scenario, months))]
    expect(
      violations,
      `steps:\n  ${scenario.log.join('\n  ')}\nviolations:\n  ${violations.join('\n  ')}\n`
    ).toEqual([])
  } finally {
    await world.close()
  }
}

export async function checkBudget(
  world: BudgetWorld,
  scenario: BudgetScenario,
  months: ReadonlySet<string>
): Promise<string[]> {
  const violations: string[] = []
  const budget = world.replicas[0]?.budget
  if (!budget) return ['no replica']
  /** Micro-dollars as the ledger's lines hold them. */
  const same = (what: string, got: number, want: number) => {
    if (got !== want) violations.push(`${what}: ledger ${got / 1e6} $, expected ${want / 1e6} $`)
  }
  /** Dollars as the view gives them. */
  const sameUsd = (what: string, got: number, want: number) => same(what, micros(got), want)
  // 1. The ledger equals the model: every month's spent, the committed and the held, by scope and by project.
  for (const month of months) {
    const lines = await budget.ledger.read(month)
    const want = totals(scenario.tasks, month)
    same(
      `${month} spent`,
      lines.spent.reduce((n, l) => n + l.micros, 0),
      want.spent
    )
    same(
      'committed',
      lines.open.reduce((n, l) => n + l.micros, 0),
      want.committed
    )
    same(
      'waiting',
      lines.waiting.reduce((n, l) => n + l.micros, 0),
      want.waiting
    )
  }
  const view = await budget.view()
  const agents = new Map(view.agents.map((f) => [f.agentId, f]))
  for (const [scope, f, want] of [
    ['team', view.team, totals(scenario.tasks, view.month)],
    ...['imhotep', 'thot'].map(
      (id) =>
        [id, agents.get(id), totals(scenario.tasks, view.month, (t) => t.agentId === id)] as const
    ),
  ] as const) {
    if (!f) {
      if (want.spent + want.committed + want.waiting > 0)
        violations.push(`${scope}: missing from the view`)
      continue
    }
    sameUsd(`${scope} spent`, f.spentUsd, want.spent)
    sameUsd(`${scope} committed`, f.committedUsd, want.committed)
    sameUsd(`${scope} waiting`, f.waitingUsd, want.waiting)
  }
  for (const p of view.projects) {
    const want = totals(scenario.tasks, view.month, (t) => t.projectId === p.projectId)
    sameUsd(`project ${p.projectId.slice(0, 8)} spent`, p.spentUsd, want.spent)
    sameUsd(`project ${p.projectId.slice(0, 8)} committed`, p.committedUsd, want.committed)
  }
  const marked = await budget.ledger.marked()
  if (marked.length > 0) violations.push(`${marked.length} task(s) left half-placed`)

  // 2. Each threshold told once per month, scope and budget, and only one the month could reach.
  const told = new Map<string, number>()
  for (const alert of world.told) {
    const key = `${alert.month} ${alert.figures.scope} ${alert.level} ${alert.figures.raises}`
    told.set(key, (told.get(key) ?? 0) + 1)
    const reached =
      scenario.reach.get(`${alert.month} ${alert.figures.scope} ${alert.figures.raises}`) ?? 0
    const limit = budgetOf(alert.figures.scope as Scope, alert.figures.raises)
    const level = levelOf({
      ...alert.figures,
      budgetUsd: limit / 1e6,
      spentUsd: reached / 1e6,
      committedUsd: 0,
    })
    if (level === null || level < alert.level)
      violations.push(
        `told ${key}, but ${alert.month} reached ${reached / 1e6} $ of ${limit / 1e6} $`
      )
    const raised = scenario.raisedAt.get(
      `${alert.month} ${alert.figures.scope} ${alert.figures.raises}`
    )
    if (raised !== undefined && (levelAt(raised, limit) ?? 0) >= alert.level)
      violations.push(
        `told ${key}, which the raise already covered (${raised / 1e6} $ of ${limit / 1e6} $)`
      )
  }
  for (const [key, n] of told) if (n > 1) violations.push(`told ${key} ${n} times`)
  const cards = await budgetCards(world)
  if (cards.length !== world.told.length)
    violations.push(`${cards.length} budget card(s) queued for ${world.told.length} alert(s) told`)
  return violations
}

/** The property on one store, as a vitest test. */
export function describeBudgetLedger(store: BudgetStoreKind): void {
  describe(`the budget's ledger over random interleavings (${store} store)`, () => {
    it(`should equal the model and tell each threshold once over ${RUNS[store]} random scenarios`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(budgetStepArb, { minLength: 1, maxLength: 40, size: 'max' }),
          (steps) => playBudgetScenario(store, steps)
        ),
        {
          numRuns: RUNS[store],
          ...(SEED !== undefined ? { seed: SEED } : {}),
          ...(PATH ? { path: PATH } : {}),
        }
      )
    }, 600_000)
  })
}
