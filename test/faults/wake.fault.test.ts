/** Issue 14's single-fault sweep for one flow (assignment → wake); the sweep itself is in sweep.ts. */
import { describe, it } from 'vitest'
import { assignmentToWake } from './flows.ts'
import { everyFault } from './sweep.ts'

describe('exactly once under any single store fault', () => {
  it(
    `should deliver ${assignmentToWake.name} once (at most once more) whichever store operation fails`,
    () => everyFault(assignmentToWake),
    600_000
  )
})
