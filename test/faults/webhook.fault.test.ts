/** Issue 14's single-fault sweep for one flow (webhook → notification); the sweep itself is in sweep.ts. */
import { describe, it } from 'vitest'
import { webhookToNotification } from './flows.ts'
import { everyFault } from './sweep.ts'

describe('exactly once under any single store fault', () => {
  it(
    `should deliver ${webhookToNotification.name} once (at most once more) whichever store operation fails`,
    () => everyFault(webhookToNotification),
    600_000
  )
})
