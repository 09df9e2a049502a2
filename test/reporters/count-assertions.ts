/** Each test's `expect` calls go into its meta, so the timing report can say how many assertions the suite makes. */
import { afterEach, expect } from 'vitest'

declare module 'vitest' {
  interface TaskMeta {
    assertions?: number
    /** The end of the bridge's log in a failed test (sim/e2e/services.ts). */
    bridgeLog?: string[]
  }
}

afterEach((context) => {
  context.task.meta.assertions = expect.getState().assertionCalls
})
