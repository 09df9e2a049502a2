/** One scenario from start to quiescence: a fresh world, the steps, late deliveries, a poll, every window closed. */
import { expect } from 'vitest'
import { checkInvariants } from './check.ts'
import { createScenario, type Step } from './scenario.ts'
import { createWorld, type PlaneVersion, type SeedTask, type StoreKind } from './world.ts'

export type ScenarioInput = { version: PlaneVersion; tasks: SeedTask[]; steps: Step[] }

export async function playScenario(
  store: StoreKind,
  { version, tasks, steps }: ScenarioInput
): Promise<void> {
  const world = await createWorld({ store, version, tasks })
  const scenario = createScenario(world)
  try {
    for (const step of steps) await scenario.play(step)
    await scenario.settle()
    const violations = await checkInvariants(world, scenario)
    expect(
      violations,
      `Plane v${version}, ${tasks.length} tasks before the deploy; steps:\n  ${scenario.log.join('\n  ')}\nviolations:\n  ${violations.join('\n  ')}\n`
    ).toEqual([])
  } finally {
    await world.close()
  }
}
