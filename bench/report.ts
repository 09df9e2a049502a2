/** @module Presents bench results: a table per bench on stdout, a JSON file per bench, one summary at the end. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { BenchReport, CaseResult } from './harness.ts'

export type BenchOutcome =
  | { name: string; status: 'ok'; report: BenchReport; jsonPath: string }
  /** A bench that is not a ratio against a baseline (table-bench.ts): its own one-line summary. */
  | { name: string; status: 'table'; summary: string; jsonPath: string }
  | { name: string; status: 'crashed'; error: unknown }
  | { name: string; status: 'filtered' }

const COLUMNS = [
  'case',
  'ops/s',
  '±',
  'p50',
  'p99',
  'heap Δ',
  'RSS load',
  '× base',
  'min–max',
  'p50 ×',
]

export function formatBenchTable(report: BenchReport): string {
  const { settings, environment } = report
  const header =
    `${report.name}: ${report.description}\n` +
    `  concurrency ${settings.concurrency}, ${settings.rounds} rounds × ${settings.roundMs} ms ` +
    `(warm-up ${settings.warmupMs} ms)${settings.quick ? ', QUICK: indicative only' : ''}; ` +
    `Node ${environment.node}, ${environment.cpus} CPUs, load ${environment.loadAverage1m}; ` +
    `process RSS ${_megabytes(report.processRss.startBytes)} → ${_megabytes(report.processRss.endBytes)}`
  const rows = [
    _row(report.baseline, ' (baseline)'),
    ...report.cases.map((c) => _row(c, '')),
    ...report.skipped.map((s) => [s.name, `skipped: ${s.reason}`]),
  ]
  return `${header}\n${formatTable(COLUMNS, rows)}\n`
}

/** Writes `<dir>/<name>.json` and returns its path. */
export function writeBenchJson(report: BenchReport, dir: string): Promise<string> {
  return writeJsonResult(report.name, report, dir)
}

/**
 * Writes any bench's result as `<dir>/<name>.json` (the latest run) and returns its path. The same text is kept as
 * `<dir>/history/<name>-<at>.json` (`at`: when it is written, at the bench's end): a goal judged over several runs
 * (issue 64's ingest goals, three runs in a row) needs each run's figures, and the latest file is overwritten by the
 * next run.
 */
export async function writeJsonResult(
  name: string,
  value: unknown,
  dir: string,
  at: Date = new Date()
): Promise<string> {
  const text = `${JSON.stringify(value, null, 2)}\n`
  await mkdir(join(dir, 'history'), { recursive: true })
  const path = join(dir, `${name}.json`)
  await writeFile(path, text)
  await writeFile(join(dir, 'history', `${name}-${historyStamp(at)}.json`), text)
  return path
}

/** A run's time in a file name: ISO to the second, colons out (`2026-11-28T19-17-00Z`). */
export function historyStamp(at: Date): string {
  return `${at.toISOString().slice(0, 19).replaceAll(':', '-')}Z`
}

export function formatSummary(outcomes: readonly BenchOutcome[]): string {
  const lines = ['Summary: × base = case ops/s ÷ baseline ops/s, same rounds (below 1 = slower)']
  for (const outcome of outcomes) {
    if (outcome.status === 'filtered') {
      lines.push(`  ${outcome.name}: not run (BENCH_FILTER)`)
    } else if (outcome.status === 'crashed') {
      lines.push(`  ${outcome.name}: CRASHED: ${_describeError(outcome.error)}`)
    } else if (outcome.status === 'table') {
      lines.push(`  ${outcome.name}: ${outcome.summary}`)
      lines.push(`    → ${relative(process.cwd(), outcome.jsonPath)}`)
    } else {
      const ratios = outcome.report.cases.map((c) => `${c.name} ${_ratio(c.ratio)}×`)
      const skipped = outcome.report.skipped.map((s) => `${s.name} skipped`)
      lines.push(`  ${outcome.name}: ${[...ratios, ...skipped].join('; ') || 'baseline only'}`)
      lines.push(`    → ${relative(process.cwd(), outcome.jsonPath)}`)
    }
  }
  return `${lines.join('\n')}\n`
}

/** A plain-text table (header, rule, rows); also used by the benches that print their own (table-bench.ts). */
export function formatTable(columns: readonly string[], rows: readonly string[][]): string {
  const widths = columns.map((title, i) =>
    Math.max(
      title.length,
      // A short row (a skipped case) sets the name column's width, not the others'.
      ...rows.filter((r) => i === 0 || r.length === columns.length).map((r) => r[i]?.length ?? 0)
    )
  )
  // Names align left, numbers right; a short row (a skipped case) lets its note run on after the name.
  const line = (cells: readonly string[]) =>
    `  ${cells
      .map((cell, i) =>
        i === 0
          ? cell.padEnd(widths[0] ?? 0)
          : cells.length < columns.length
            ? cell
            : cell.padStart(widths[i] ?? 0)
      )
      .join('  ')}`
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

// --- Internal helpers ---

function _row(c: CaseResult, suffix: string): string[] {
  const spread = (c.opsPerSecRange.max - c.opsPerSecRange.min) / 2 / c.opsPerSec
  return [
    `${c.name}${suffix}`,
    _count(c.opsPerSec),
    `${(spread * 100).toFixed(0)}%`,
    _duration(c.p50Ms),
    _duration(c.p99Ms),
    c.heapDeltaBytes === null ? 'n/a' : _bytes(c.heapDeltaBytes),
    _bytes(c.rssUnderLoadBytes),
    _ratio(c.ratio),
    `${_ratio(c.ratioRange.min)}–${_ratio(c.ratioRange.max)}`,
    _ratio(c.p50Ratio),
  ]
}

/** Two decimals near 1; two significant digits for tiny ratios (a Map is 10⁴× faster than a disk write). */
function _ratio(r: number): string {
  if (!Number.isFinite(r)) return 'n/a'
  if (r >= 100) return Math.round(r).toLocaleString('en-US')
  return r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)
}

function _count(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'
}

function _duration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a'
  if (ms < 0.001) return `${(ms * 1e6).toFixed(0)} ns`
  if (ms < 1) return `${(ms * 1e3).toFixed(1)} µs`
  return `${ms.toFixed(2)} ms`
}

function _megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`
}

function _bytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '+'
  const abs = Math.abs(bytes)
  if (abs < 1024 * 1024) return `${sign}${(abs / 1024).toFixed(0)} KB`
  return `${sign}${(abs / 1024 / 1024).toFixed(1)} MB`
}

function _describeError(error: unknown): string {
  if (error instanceof AggregateError) {
    return `${error.message} (${error.errors.map(_describeError).join('; ')})`
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
