/** Issue 14's single-fault sweep for the live view's flow (progress → live message); the sweep is in sweep.ts. */
import { describe, it } from 'vitest'
import { progressToLive } from './flows.ts'
import { everyFault } from './sweep.ts'

describe('exactly once under any single store fault', () => {
  it(
    `should deliver ${progressToLive.name} once (at most once more) whichever store operation fails`,
    () => everyFault(progressToLive),
    600_000
  )
})
