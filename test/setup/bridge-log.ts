/**
 * A test that fails keeps the end of its latest runtimes' logs in its meta (`bridgeLog`), which the timing report
 * prints with the failure: a CI log shows what the bridge said, not only which assertion failed (a failure under
 * CI load is seldom replayed on a quiet machine).
 */
import { expect, onTestFailed } from 'vitest'
import { onRuntimeLog } from '../../sim/e2e/services.ts'

/** Lines kept per runtime, and of how many of the test's latest runtimes (a property test builds hundreds). */
const LINES = 40
const RUNTIMES = 3
const LINE_CHARS = 300

/** The latest runtimes' logs of the test running in this worker. */
let current: { test: string; logs: (readonly string[])[] } | null = null

onRuntimeLog((rawLogs) => {
  const test = expect.getState().currentTestName
  if (!test) return
  if (current?.test === test) {
    current.logs.push(rawLogs)
    if (current.logs.length > RUNTIMES) current.logs.shift()
    return
  }
  const mine = { test, logs: [rawLogs] }
  current = mine
  try {
    _keepOnFailure(mine)
  } catch {
    // Built in a hook outside any test (beforeAll): no test to attach to.
  }
})

function _keepOnFailure(mine: { logs: (readonly string[])[] }): void {
  onTestFailed(({ task }) => {
    task.meta.bridgeLog = mine.logs.flatMap((logs, i) => {
      const said = logs.filter((l) => !l.includes('"level":"debug"'))
      const lines = said.slice(-LINES).map((l) => l.slice(0, LINE_CHARS))
      return [`--- runtime ${i + 1}: ${said.length} lines, the last ${lines.length}`, ...lines]
    })
  })
}
