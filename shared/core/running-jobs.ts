/**
 * @module The cron and job functions running in this runtime, by name: a second tick of one still running does not
 * even reach the store (its lock covers replicas). Built once per runtime with its services.
 */

export type RunningJobs = {
  /** Marks the job running; false when it already is (the run is an overlap). */
  start(name: string): boolean
  /** The run ended, however it ended. */
  end(name: string): void
}

export function createRunningJobs(): RunningJobs {
  const running = new Set<string>()
  return {
    start: function startJob(name) {
      if (running.has(name)) return false
      running.add(name)
      return true
    },
    end: function endJob(name) {
      running.delete(name)
    },
  }
}
