/**
 * @module The ingest bench's results: per case the medians over rounds, ratios to the reference measured in the
 * same rounds, memory and drain time, each next to its issue-14 goal with ✓ or ✗. A case that saw any non-2xx,
 * connection error, timeout or unexpected answer is INVALID: its rate is never shown as a result.
 */
import type { LoadResult } from './ingest-children.ts'
import { formatTable } from './report.ts'
import { median, range } from './stats.ts'

/** Issue 46: plane-bridge's p99 at a fixed rate within this many times the floor's at the same rate. */
export const FIXED_RATE_P99_GOAL = 2

/** Issue 14's memory goals. */
export const GOALS = {
  idleRssBytes: 80 * 1024 * 1024,
  loadRssBytes: 150 * 1024 * 1024,
} as const

/** One timed run of one case: what autocannon saw, and the server's CPU share over the same time. */
export type RoundResult = LoadResult & {
  /** Server CPU seconds during the load ÷ its duration: near 1, the server's core was the limit. */
  serverCpuShare: number
}

export type DrainResult = {
  /** Deliveries in the inbox when the load stopped (null: its size could not be read). */
  backlog: number | null
  /** From the load's end until the inbox was empty; null when it was not within the limit. */
  ms: number | null
  /** Left in the inbox when the wait gave up. */
  left: number | null
}

export type Memory = {
  /** VmRSS one second after the server answered, before any request. */
  startBytes: number
  /** VmRSS at rest after the warm-up (every server idle for at least 30 s), before the timed rounds: the idle figure. */
  idleBytes: number | null
  /** VmRSS after the last round and its drain. */
  afterBytes: number | null
  /** VmHWM at the end: the most the process ever held. */
  peakBytes: number | null
}

export type CaseOutcome = {
  name: string
  /** The ratio goal: at least `min` × the req/s of case `against` (shown as `label`) in the same round. */
  goal: { min: number; against: string; label: string } | null
  /**
   * `bridge`: plane-bridge, held to p99 ≤ 20 ms and the RSS goals; `floor`: a reference with no goal of its own,
   * still named in the summary with its ratio; `bare`: the baseline.
   */
  server: 'bare' | 'floor' | 'bridge'
  rounds: RoundResult[]
  /** Per round: this case's req/s ÷ the baseline's in the same round. */
  ratios: number[]
  /** Per round: this case's req/s ÷ `goal.against`'s in the same round (the same as `ratios` for the baseline). */
  goalRatios: number[]
  drains: DrainResult[]
  memory: Memory | null
  /**
   * The steady rate's segments after the rounds (issue 46: p99 at 1,000 req/s), for the cases that take it: as many
   * as the rounds, interleaved with the other case's, each from rest.
   */
  fixedRate: { rate: number; rounds: RoundResult[] } | null
  skipped?: string
}

export type Summary = {
  reqPerSec: number
  spread: number
  p50Ms: number
  p99Ms: number
  failures: number
  ratio: number | null
  ratioRange: { min: number; max: number } | null
  goalRatio: number | null
  serverCpu: number
  loadCpu: number
}

export function summarize(c: CaseOutcome): Summary {
  const rates = c.rounds.map((r) => r.reqPerSec)
  const spread = rates.length > 0 ? (range(rates).max - range(rates).min) / 2 / median(rates) : 0
  return {
    reqPerSec: median(rates),
    spread,
    p50Ms: median(c.rounds.map((r) => r.p50Ms)),
    p99Ms: median(c.rounds.map((r) => r.p99Ms)),
    failures: c.rounds.reduce((n, r) => n + failuresOf(r), 0),
    ratio: c.ratios.length > 0 ? median(c.ratios) : null,
    ratioRange: c.ratios.length > 0 ? range(c.ratios) : null,
    goalRatio: c.goalRatios.length > 0 ? median(c.goalRatios) : null,
    serverCpu: median(c.rounds.map((r) => r.serverCpuShare)),
    loadCpu: median(c.rounds.map((r) => r.loadCpuShare)),
  }
}

/** Answers that make a round's rate meaningless: not 2xx, no answer, or not the answer expected. */
export function failuresOf(r: LoadResult): number {
  return r.non2xx + r.errors + r.timeouts + r.unexpected
}

const COLUMNS = [
  'case',
  'req/s',
  '±',
  'p50',
  'p99',
  'failed',
  'CPU srv/gen',
  '× base (min–max)',
  'goal',
  'p99 at a fixed rate',
  'RSS start/idle → after (peak)',
  'RSS goals',
  'drain (backlog)',
]

export function formatIngestTable(header: string, cases: readonly CaseOutcome[]): string {
  const floor = cases.find((c) => c.server === 'floor') ?? null
  const rows = cases.map((c) =>
    c.skipped === undefined ? _row(c, summarize(c), floor) : [c.name, `skipped: ${c.skipped}`]
  )
  return `${header}\n${formatTable(COLUMNS, rows)}\n`
}

/**
 * Issue 46: plane-bridge's p99 at the fixed rate within FIXED_RATE_P99_GOAL × the floor's at the same rate; null
 * when either was not measured (or failed).
 */
export function fixedRateVerdict(
  c: CaseOutcome,
  floor: CaseOutcome | null,
  times: number
): { p99Ms: number; floorP99Ms: number; holds: boolean } | null {
  const mine = c.fixedRate?.rounds ?? []
  const theirs = floor?.fixedRate?.rounds ?? []
  if (mine.length === 0 || theirs.length === 0) return null
  if ([...mine, ...theirs].some((r) => failuresOf(r) > 0)) return null
  const p99Ms = median(mine.map((r) => r.p99Ms))
  const floorP99Ms = median(theirs.map((r) => r.p99Ms))
  return { p99Ms, floorP99Ms, holds: p99Ms <= times * Math.max(1, floorP99Ms) }
}

/** One line per case for the suite's summary: ratio and verdicts, or why there are none. */
export function ingestSummary(cases: readonly CaseOutcome[]): string {
  const floor = cases.find((c) => c.server === 'floor') ?? null
  const parts = cases
    .filter((c) => c.goal !== null || c.server === 'floor' || c.skipped !== undefined)
    .map((c) => {
      if (c.skipped !== undefined) return `${c.name} skipped`
      const s = summarize(c)
      if (s.failures > 0) return `${c.name} INVALID (${s.failures} failed)`
      if (c.goal === null) return `${c.name} ${_ratio(s.ratio)}× base, p99 ${s.p99Ms} ms`
      const fixed = c.server === 'bridge' ? fixedRateVerdict(c, floor, FIXED_RATE_P99_GOAL) : null
      const latency = fixed
        ? `, p99 at ${c.fixedRate?.rate}/s ${fixed.p99Ms} ms (floor ${fixed.floorP99Ms} ms) ${_mark(fixed.holds)}`
        : ''
      return `${c.name} ${_ratio(s.goalRatio)}× ${c.goal?.label} ${_goalMark(c, s)}${latency}`
    })
  return parts.join('; ')
}

// --- Internal helpers ---

/** The median p99 of the steady-rate segments, and their range when there are several. */
function _fixedP99(rounds: readonly RoundResult[]): string {
  const p99s = rounds.map((r) => r.p99Ms)
  const { min, max } = range(p99s)
  return `${median(p99s)} ms${rounds.length > 1 ? ` (${min}–${max})` : ''}`
}

function _row(c: CaseOutcome, s: Summary, floor: CaseOutcome | null): string[] {
  const invalid = s.failures > 0
  const ratio =
    s.ratio === null || s.ratioRange === null
      ? '—'
      : invalid
        ? 'INVALID'
        : `${_ratio(s.ratio)} (${_ratio(s.ratioRange.min)}–${_ratio(s.ratioRange.max)})`
  const goal =
    c.goal === null
      ? ''
      : `${invalid ? 'INVALID' : _ratio(s.goalRatio)} ≥ ${c.goal.min}× ${c.goal.label} ${_goalMark(c, s)}`
  const fixed = c.fixedRate
  const verdict = c.server === 'bridge' ? fixedRateVerdict(c, floor, FIXED_RATE_P99_GOAL) : null
  const p99 =
    fixed === null || fixed.rounds.length === 0
      ? ''
      : fixed.rounds.some((r) => failuresOf(r) > 0)
        ? `${fixed.rate}/s: INVALID`
        : `${fixed.rate}/s: ${_fixedP99(fixed.rounds)}, CPU ${median(fixed.rounds.map((r) => r.serverCpuShare)).toFixed(2)}${verdict ? `, ≤ ${FIXED_RATE_P99_GOAL}× floor ${_mark(verdict.holds)}` : ''}`
  return [
    c.name,
    _count(s.reqPerSec),
    `${(s.spread * 100).toFixed(0)}%`,
    `${s.p50Ms} ms`,
    `${s.p99Ms} ms`,
    String(s.failures),
    `${s.serverCpu.toFixed(2)}/${s.loadCpu.toFixed(2)}`,
    ratio,
    goal,
    p99,
    _memory(c.memory),
    c.server === 'bridge' ? _rssGoals(c.memory) : '',
    c.server === 'bridge' ? _drains(c.drains) : '',
  ]
}

function _goalMark(c: CaseOutcome, s: Summary): string {
  if (c.goal === null) return ''
  if (s.failures > 0 || s.goalRatio === null) return '✗'
  return _mark(s.goalRatio >= c.goal.min)
}

function _rssGoals(m: Memory | null): string {
  if (m === null || m.idleBytes === null || m.peakBytes === null) return '?'
  const idle = _mark(m.idleBytes <= GOALS.idleRssBytes)
  const load = _mark(m.peakBytes <= GOALS.loadRssBytes)
  return `idle ≤ 80 ${idle}, load ≤ 150 ${load}`
}

function _drains(drains: readonly DrainResult[]): string {
  if (drains.length === 0) return '—'
  const backlog = drains.map((d) => d.backlog).filter((b): b is number => b !== null)
  const times = drains.map((d) => d.ms)
  const notDrained = times.filter((t) => t === null).length
  const done = times.filter((t): t is number => t !== null)
  const time =
    done.length === 0 ? 'never' : `${_seconds(median(done))} (max ${_seconds(Math.max(...done))})`
  const left = notDrained > 0 ? `, ${notDrained} not drained` : ''
  const queued = backlog.length > 0 ? ` (${_count(median(backlog))})` : ' (?)'
  return `${time}${queued}${left}`
}

function _memory(m: Memory | null): string {
  if (m === null) return '—'
  const mb = (b: number | null) => (b === null ? '?' : (b / 1024 / 1024).toFixed(0))
  return `${mb(m.startBytes)}/${mb(m.idleBytes)} → ${mb(m.afterBytes)} (${mb(m.peakBytes)}) MB`
}

function _mark(ok: boolean): string {
  return ok ? '✓' : '✗'
}

function _ratio(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return 'n/a'
  return r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)
}

function _count(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'
}

function _seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
