/**
 * A clock that the code's own waits move instead of sleeping (issue 29): real time plus an offset that each
 * `sleep(ms)` and `advance(ms)` adds to. Given to the bridge (`now`, `sleep`) and to the Plane simulator (`now`),
 * Plane's throttle and the bridge's window count on the same time, so a run under Plane's real limit prints what a
 * real one would and takes the simulators' time.
 */
export type VirtualClock = {
  now(): number
  /** Resolves at once, the clock moved on by `ms`. */
  sleep(ms: number): Promise<void>
  /** Move the clock on and do nothing else (a process that is not running). */
  advance(ms: number): void
}

export function virtualClock(): VirtualClock {
  let offset = 0
  return {
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      offset += Math.max(0, ms)
    },
    advance: (ms) => {
      offset += Math.max(0, ms)
    },
  }
}
