/**
 * The property of issue 28 as fast-check runs it: random scenarios (the world before the deploy, then up to 24
 * steps) played to quiescence, the invariants of check.ts asserted each time, the failing scenario shrunk to its
 * fewest steps. PROPERTY_RUNS sets the count (default: RUNS_BY_STORE), PROPERTY_SEED and PROPERTY_PATH replay one.
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { playScenario } from './play.ts'
import { stepArb } from './scenario.ts'
import { type PlaneVersion, type SeedTask, STATE_NAMES, type StoreKind } from './world.ts'

/**
 * Scenarios per store in `npm test`. The memory store is the file store's state machine without its journal, so the
 * two share 300: the file store's half adds its journal and a store per process, tailing each other's lines.
 */
const RUNS_BY_STORE: Record<StoreKind, number> = { memory: 150, fs: 150, redis: 300 }
const SEED = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined
const PATH = process.env.PROPERTY_PATH

const seedTaskArb: fc.Arbitrary<SeedTask> = fc.record({
  state: fc.constantFrom(...STATE_NAMES.filter((s) => s !== 'Bloqué')),
  assignee: fc.constantFrom<'imhotep' | 'thot' | null>('imhotep', 'thot', null),
})

export const scenarioArb = fc.record({
  version: fc.constantFrom<PlaneVersion>('1.2', '1.3'),
  tasks: fc.array(seedTaskArb, { minLength: 1, maxLength: 4 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 24 }),
})

/** The property on one store, as a vitest test: a failure prints the seed, the path and the shrunk steps. */
export function describeTellingOnce(store: StoreKind): void {
  const RUNS = Number(process.env.PROPERTY_RUNS) || RUNS_BY_STORE[store]
  describe(`every change told once (${store} store)`, () => {
    it(`should hold the invariants over ${RUNS} random scenarios`, async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, (scenario) => playScenario(store, scenario)),
        {
          numRuns: RUNS,
          ...(SEED !== undefined ? { seed: SEED } : {}),
          ...(PATH ? { path: PATH } : {}),
        }
      )
    }, 900_000)
  })
}
