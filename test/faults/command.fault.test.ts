/** Issue 14's single-fault sweep for one flow (command → reply); the sweep itself is in sweep.ts. */
import { describe, it } from 'vitest'
import { commandToReply } from './flows.ts'
import { everyFault } from './sweep.ts'

describe('exactly once under any single store fault', () => {
  it(
    `should deliver ${commandToReply.name} once (at most once more) whichever store operation fails`,
    () => everyFault(commandToReply),
    600_000
  )
})
