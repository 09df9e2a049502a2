/** The single-fault sweep for a held chat's return (held chat → back); the sweep itself is in sweep.ts. */
import { describe, it } from 'vitest'
import { heldChatBack } from './flows.ts'
import { everyFault } from './sweep.ts'

describe('exactly once under any single store fault', () => {
  it(
    `should deliver what waited for a ${heldChatBack.name} once (at most once more) whichever store operation fails`,
    () => everyFault(heldChatBack),
    600_000
  )
})
