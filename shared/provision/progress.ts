/** @module Progress lines for the terminal while a slow step runs (Plane allows the key 1 req/s, retries wait). */

export type ProgressOptions = {
  /** Where a line goes (`npm run job` prints it on stdout); nothing is printed without it. */
  out: ((line: string) => void) | undefined
  now: () => number
  /** At most one line this often; a step faster than this prints nothing. */
  everyMs?: number
}

/** Reports `done` of `total` for a named step: `projects: 3/12…`. */
export type ProgressStep = (label: string, done: number, total: number) => void

export const PROGRESS_EVERY_MS = 3000

/**
 * A throttled reporter: the first line comes once the run has lasted `everyMs`, the next ones at least
 * `everyMs` apart, so a quick run stays quiet and a slow one shows it is alive.
 * @example const step = createProgress({ out: ctx.progress, now: ctx.now }); step('projects', 3, 12)
 */
export function createProgress({
  out,
  now,
  everyMs = PROGRESS_EVERY_MS,
}: ProgressOptions): ProgressStep {
  let last = now()
  return function reportProgress(label, done, total) {
    if (!out || done >= total) return
    const at = now()
    if (at - last < everyMs) return
    last = at
    out(`${label}: ${done}/${total}…`)
  }
}
