/** Issue 14's single-fault sweep for one flow (tool write → notification); the sweep itself is in sweep.ts. */
import { describe, it } from 'vitest'
import { toolWriteToNotification } from './flows.ts'
import { everyFault } from './sweep.ts'

describe('exactly once under any single store fault', () => {
  it(
    `should deliver ${toolWriteToNotification.name} once (at most once more) whichever store operation fails`,
    () => everyFault(toolWriteToNotification),
    600_000
  )
})
