/** @module Runs a list of benches one after another, reports each, and decides the exit code (1 only if one crashed). */
import { type Bench, runBench, selectCases } from './harness.ts'
import { type BenchOptions, matchesFilter } from './options.ts'
import {
  type BenchOutcome,
  formatBenchTable,
  formatSummary,
  writeBenchJson,
  writeJsonResult,
} from './report.ts'
import type { TableBench } from './table-bench.ts'

// Servers and connections are closed by each bench's teardown; this only bounds the run if one is forgotten.
const EXIT_GRACE_MS = 5000

export async function runSuite(
  benches: ReadonlyArray<Bench | TableBench>,
  options: BenchOptions
): Promise<number> {
  const outcomes: BenchOutcome[] = []
  for (const bench of benches) {
    outcomes.push('kind' in bench ? await _runTable(bench, options) : await _runOne(bench, options))
  }
  process.stdout.write(`\n${formatSummary(outcomes)}`)
  return outcomes.some((o) => o.status === 'crashed') ? 1 : 0
}

/** Lets the process end by itself; if something still holds it open after a grace period, says what and exits. */
export function exitWhenIdle(code: number): void {
  process.exitCode = code
  const timer = setTimeout(function forceExit() {
    const open = process.getActiveResourcesInfo().join(', ')
    process.stderr.write(`bench: still open after ${EXIT_GRACE_MS} ms (${open}); exiting\n`)
    process.exit(code)
  }, EXIT_GRACE_MS)
  // Unref'd: it must not itself keep the process alive.
  timer.unref()
}

// --- Internal helpers ---

async function _runOne(bench: Bench, options: BenchOptions): Promise<BenchOutcome> {
  const selected = selectCases(bench, options.filter)
  if (selected === null) return { name: bench.name, status: 'filtered' }
  try {
    const report = await runBench(selected, options)
    process.stdout.write(`\n${formatBenchTable(report)}`)
    const jsonPath = await writeBenchJson(report, options.resultsDir)
    return { name: bench.name, status: 'ok', report, jsonPath }
  } catch (error) {
    // One broken bench must not hide the others' numbers: report it and go on.
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error)
    process.stderr.write(`[${bench.name}] crashed: ${detail}\n`)
    return { name: bench.name, status: 'crashed', error }
  }
}

/** A table bench is all or nothing: BENCH_FILTER selects it by its name only (it has no cases to pick). */
async function _runTable(bench: TableBench, options: BenchOptions): Promise<BenchOutcome> {
  if (!matchesFilter(bench.name, options.filter)) return { name: bench.name, status: 'filtered' }
  try {
    const result = await bench.run(options)
    process.stdout.write(`\n${result.table}`)
    const jsonPath = await writeJsonResult(bench.name, result.json, options.resultsDir)
    return { name: bench.name, status: 'table', summary: result.summary, jsonPath }
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error)
    process.stderr.write(`[${bench.name}] crashed: ${detail}\n`)
    return { name: bench.name, status: 'crashed', error }
  }
}
