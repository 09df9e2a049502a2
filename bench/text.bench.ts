/**
 * @module How long one call to a parser of outside text blocks the event loop (issue 38), for each adversarial input
 * of test/abuse/text-cases.ts at 10 KiB, 100 KiB, 200 KiB and 1 MiB, today's parsers against the ones they replaced
 * (text-baseline.ts) in the same run. Goal: no call on up to 200 KiB blocks more than 50 ms.
 *
 * Not a ratio bench of ops/s: the calls are synchronous, so a call's duration is exactly how long it holds the event
 * loop; the worst of a few calls is reported, with the old one's worst as a multiple of it. Calls run in a vm
 * context whose timeout stops an old parser that would otherwise hold the process for minutes or hours (measured:
 * more than 15 min for 36 KB); a stopped call shows as "> cap", and larger sizes of that case are not tried.
 */
import { availableParallelism, loadavg } from 'node:os'
import { createContext, Script } from 'node:vm'
import { parseConfidence } from '../shared/notify/confidence.ts'
import { parseRunCard } from '../shared/runs/run-card.ts'
import { htmlToText } from '../shared/text/html-text.ts'
import { markdownToHtml } from '../shared/text/markdown.ts'
import { ABUSE_CASES, type TextFunctionName } from '../test/abuse/text-cases.ts'
import type { BenchOptions } from './options.ts'
import { formatTable } from './report.ts'
import { defineTableBench, type TableBenchResult } from './table-bench.ts'
import {
  oldHtmlToText,
  oldMarkdownToHtml,
  oldParseConfidence,
  oldParseRunCard,
} from './text-baseline.ts'

const KIB = 1024
const SIZES = [
  { label: '10 KiB', chars: 10 * KIB },
  { label: '100 KiB', chars: 100 * KIB },
  { label: '200 KiB', chars: 200 * KIB },
  { label: '1 MiB', chars: 1024 * KIB },
] as const
/** Issue 38's goal: no single call on up to 200 KiB blocks the loop longer than this. */
const GOAL_MS = 50
const GOAL_MAX_CHARS = 200 * KIB
/** Calls per case and size (the worst is kept); an old call that takes more than 200 ms is not repeated. */
const CALLS = { full: 5, quick: 2 }
const REPEAT_BELOW_MS = 200
/** Longest an old call may run before the vm stops it. */
const CAP_MS = { full: 2_000, quick: 200 }

type Parse = (text: string) => unknown
const IMPLEMENTATIONS: Record<TextFunctionName, { now: Parse; old: Parse; short: string }> = {
  htmlToText: { now: htmlToText, old: oldHtmlToText, short: 'html' },
  markdownToHtml: { now: markdownToHtml, old: oldMarkdownToHtml, short: 'md' },
  parseConfidence: { now: parseConfidence, old: oldParseConfidence, short: 'confidence' },
  parseRunCard: { now: parseRunCard, old: oldParseRunCard, short: 'run card' },
}

/**
 * The worst call's wall time in ms (null when the cap stopped one), the most CPU time one call used (the process's,
 * GC threads included), and how many calls completed.
 */
type Block = { worstMs: number | null; worstCpuMs: number; calls: number }
type TextRow = {
  fn: TextFunctionName
  name: string
  sizes: Array<{ chars: number; now: Block; old: Block | null }>
}

export const textBench = defineTableBench({ name: 'text', run: runTextBench })

async function runTextBench(options: BenchOptions): Promise<TableBenchResult> {
  const startedAt = new Date()
  const environment = {
    node: process.version,
    cpus: availableParallelism(),
    // Read before the load: it says how busy the machine was without this bench.
    loadAverage1m: Number(loadavg()[0]?.toFixed(2) ?? Number.NaN),
  }
  const calls = options.quick ? CALLS.quick : CALLS.full
  const capMs = options.quick ? CAP_MS.quick : CAP_MS.full
  const rows: TextRow[] = []
  for (const [i, abuse] of ABUSE_CASES.entries()) {
    process.stderr.write(`text: ${i + 1}/${ABUSE_CASES.length} ${abuse.fn}: ${abuse.name}\n`)
    const impl = IMPLEMENTATIONS[abuse.fn]
    const row: TextRow = { fn: abuse.fn, name: abuse.name, sizes: [] }
    let oldStopped = false
    // Untimed, on 1 KiB: the JIT compiles the scanners and V8 the regular expressions before the first timed call.
    const warm = abuse.text(KIB)
    _worstBlock(impl.now, warm, 1, 0, capMs * 10)
    _worstBlock(impl.old, warm, 1, 0, capMs)
    for (const size of SIZES) {
      const input = abuse.text(size.chars)
      // New first: a stopped old call leaves nothing behind that could slow the new one down.
      const now = _worstBlock(impl.now, input, calls, Number.POSITIVE_INFINITY, capMs * 10)
      const old = oldStopped ? null : _worstBlock(impl.old, input, calls, REPEAT_BELOW_MS, capMs)
      if (old?.worstMs === null) oldStopped = true
      row.sizes.push({ chars: size.chars, now, old })
    }
    rows.push(row)
  }
  const verdict = _verdict(rows)
  const header =
    `text: worst event-loop block of one call per input (ms of wall time; cpu: the most CPU time one call used), ` +
    `today's parser and × the old one's worst, ` +
    `${calls} calls each, old calls stopped at ${capMs} ms ("> cap"; larger sizes then not tried); ` +
    `Node ${environment.node}, ${environment.cpus} CPUs, load ${environment.loadAverage1m}` +
    (options.quick ? ' (QUICK: fewer calls, low cap)' : '')
  const table = formatTable(
    ['case', ...SIZES.flatMap((s) => [s.label, 'cpu', '× old'])],
    rows.map((r) => [
      `${IMPLEMENTATIONS[r.fn].short}: ${r.name}`,
      ...r.sizes.flatMap((s) => [
        _ms(s.now.worstMs),
        _ms(s.now.worstCpuMs),
        _ratio(s.now, s.old, capMs),
      ]),
    ])
  )
  return {
    table: `${header}\n${table}\n  ${verdict.text}`,
    summary: verdict.text,
    json: {
      name: 'text',
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      settings: {
        quick: options.quick,
        calls,
        capMs,
        goalMs: GOAL_MS,
        goalMaxChars: GOAL_MAX_CHARS,
      },
      environment,
      rows,
      held: verdict.held,
    },
  }
}

// --- Internal helpers ---

/**
 * The worst of `calls` calls of `parse(input)`, each timed around the call only, inside a vm context whose timeout
 * (`capMs`) stops a call that runs away. Calls after one longer than `repeatBelowMs` are skipped.
 */
function _worstBlock(
  parse: Parse,
  input: string,
  calls: number,
  repeatBelowMs: number,
  capMs: number
): Block {
  const context = createContext({
    parse,
    input,
    clock: performance,
    cpu: process.cpuUsage,
    result: { ms: 0, cpuMs: 0 },
  })
  let worst = 0
  let worstCpu = 0
  let done = 0
  while (done < calls) {
    try {
      CALL.runInContext(context, { timeout: capMs })
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
        return { worstMs: null, worstCpuMs: worstCpu, calls: done }
      throw error
    }
    const { ms, cpuMs } = context.result as { ms: number; cpuMs: number }
    worst = Math.max(worst, ms)
    worstCpu = Math.max(worstCpu, cpuMs)
    done++
    if (ms > repeatBelowMs) break
  }
  return { worstMs: worst, worstCpuMs: worstCpu, calls: done }
}

// Wall time is what the event loop waits; CPU time tells it from the time other processes took the core.
const CALL = new Script(`{
  const c = cpu(); const t = clock.now(); parse(input); result.ms = clock.now() - t
  const d = cpu(c); result.cpuMs = (d.user + d.system) / 1000
}`)

function _verdict(rows: readonly TextRow[]): { held: boolean; text: string } {
  let worst = { ms: 0, where: '' }
  let worstCpu = { ms: 0, where: '' }
  let worstMiB = { ms: 0, where: '' }
  for (const row of rows)
    for (const s of row.sizes) {
      const ms = s.now.worstMs ?? Number.POSITIVE_INFINITY
      const where = `${IMPLEMENTATIONS[row.fn].short}: ${row.name}`
      if (s.chars <= GOAL_MAX_CHARS && ms > worst.ms) worst = { ms, where }
      if (s.chars <= GOAL_MAX_CHARS && s.now.worstCpuMs > worstCpu.ms)
        worstCpu = { ms: s.now.worstCpuMs, where }
      if (s.chars > GOAL_MAX_CHARS && ms > worstMiB.ms) worstMiB = { ms, where }
    }
  const held = worst.ms <= GOAL_MS
  return {
    held,
    text:
      `worst block up to 200 KiB ${_ms(worst.ms)} ms (${worst.where}), goal ≤ ${GOAL_MS} ms — ` +
      `${held ? 'held' : 'MISSED'}; most CPU in one call up to 200 KiB ${_ms(worstCpu.ms)} ms ` +
      `(${worstCpu.where}); at 1 MiB ${_ms(worstMiB.ms)} ms (${worstMiB.where})`,
  }
}

function _ms(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'stopped'
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1)
}

/** The old call's worst as a multiple of today's; "> N×" when the cap stopped it, "> cap" when a smaller size was stopped. */
function _ratio(now: Block, old: Block | null, capMs: number): string {
  if (old === null) return '> cap'
  const base = Math.max(now.worstMs ?? Number.POSITIVE_INFINITY, 0.01)
  if (old.worstMs === null) return `> ${_times(capMs / base)}`
  return _times(old.worstMs / base)
}

function _times(ratio: number): string {
  return ratio >= 10 ? `${Math.round(ratio).toLocaleString('en-US')}×` : `${ratio.toFixed(1)}×`
}
