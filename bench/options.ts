/** @module Benchmark options from the environment: BENCH_QUICK for a short smoke run, BENCH_FILTER to pick benches or cases. */
import { fileURLToPath } from 'node:url'

export type BenchOptions = {
  /** Short rounds: proves every bench still runs (CI smoke), the numbers are only indicative. */
  quick: boolean
  /** Case-insensitive substring of a bench name or a case name; undefined runs everything. */
  filter: string | undefined
  rounds: number
  /** Wall time of one round of one case; the op count varies, the duration does not. */
  roundMs: number
  /** Untimed run of each case before the rounds: JIT, connection pools and caches settle first. */
  warmupMs: number
  resultsDir: string
}

// Full: 5 rounds of 1.5 s keep `npm run bench` under 3 minutes with fourteen cases in all.
const FULL = { rounds: 5, roundMs: 1500, warmupMs: 1000 }
// Quick: enough ops for a p99 to exist, short enough for the whole suite to stay under 30 s.
const QUICK = { rounds: 3, roundMs: 200, warmupMs: 150 }

export function readBenchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true'
  const filter = env.BENCH_FILTER?.trim() || undefined
  return {
    quick,
    filter: filter?.toLowerCase(),
    ...(quick ? QUICK : FULL),
    resultsDir: fileURLToPath(new URL('./results/', import.meta.url)),
  }
}

/** Whether a bench or case name passes BENCH_FILTER. */
export function matchesFilter(name: string, filter: string | undefined): boolean {
  return filter === undefined || name.toLowerCase().includes(filter)
}
