/**
 * What a test needs from the machine beyond Node and the README's steps (issue 45: `npm test` on a fresh machine
 * failed on 4 tests needing `promtool`). Such a test is not run where the tool is missing, and says so: its skip note
 * starts with NOT_RUN and names the line that installs it; the timing report lists these at the end of the run. CI
 * (.ci/run) installs every tool and sets TEST_REQUIRE_TOOLS=1: there, a missing tool is a failure, never a skip.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The start of the skip note of a test the machine could not run (test/reporters/timing.ts groups them). */
export const NOT_RUN = 'not run on this machine:'

/** Whether `tool` is an executable on the PATH. */
export function onPath(tool: string, path = process.env.PATH ?? ''): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, tool), constants.X_OK)
        return true
      } catch {
        return false
      }
    })
}

/** CI wants every test run: a missing tool fails there instead of being skipped. */
export function toolsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TEST_REQUIRE_TOOLS === '1'
}

export type MachineNeed = {
  /** What is missing, in a few words: `promtool (Prometheus) is not installed`. */
  what: string
  /** The command that installs it: `apt-get install prometheus`. */
  install: string
}

/** The skip note: what is missing and how to get it. */
export function notRunNote({ what, install }: MachineNeed): string {
  return `${NOT_RUN} ${what} — ${install}`
}

/**
 * In a test or a beforeEach: skip it with the note when `missing`, or fail when tools are required (CI). Does
 * nothing when the machine has what is needed.
 */
export function needMachine(
  ctx: { skip(note?: string): never },
  need: MachineNeed,
  missing: boolean
): void {
  if (!missing) return
  if (toolsRequired())
    throw new Error(`${need.what}, and TEST_REQUIRE_TOOLS=1 wants every test run: ${need.install}`)
  ctx.skip(notRunNote(need))
}
