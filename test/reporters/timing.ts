/**
 * The suite's timing report (issue 29): after the run, the slowest files and tests, and how many tests and
 * assertions ran, printed after vitest's own summary and written to `.cache/test-timings.json` (gitignored).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'
import { NOT_RUN } from '../helpers/machine.ts'
import { OPENCLAW_DOWNLOAD, OPENCLAW_VERSIONS, openClawCacheDir } from '../openclaw-cli/install.ts'

const SHOWN = 15
const OUT = resolve(import.meta.dirname, '../../.cache/test-timings.json')

type Timed = { name: string; seconds: number; tests?: number }

export default class TimingReporter implements Reporter {
  private started = Date.now()

  onTestRunStart(): void {
    this.started = Date.now()
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const root = resolve(import.meta.dirname, '../..')
    const files: Timed[] = []
    const tests: Timed[] = []
    let assertions = 0
    // A test that neither passed, failed nor was skipped never ran: its worker died under it.
    const unfinished: string[] = []
    const failed: string[] = []
    // Tests the machine could not run (a tool missing: test/helpers/machine.ts), by what was missing.
    const notRun = new Map<string, string[]>()
    for (const module of modules) {
      const file = `${relative(root, module.moduleId)} [${module.project.name}]`
      let count = 0
      for (const test of module.children.allTests()) {
        count++
        const result = test.result()
        if (result.state === 'pending') unfinished.push(`${file} > ${test.fullName}`)
        if (result.state === 'skipped' && result.note?.startsWith(NOT_RUN)) {
          const why = result.note.slice(NOT_RUN.length).trim()
          notRun.set(why, [...(notRun.get(why) ?? []), `${file} > ${test.fullName}`])
        }
        if (result.state === 'failed')
          failed.push(
            _failure(`${file} > ${test.fullName}`, result.errors, test.meta().bridgeLog ?? [])
          )
        assertions += test.meta().assertions ?? 0
        tests.push({ name: `${file} > ${test.fullName}`, seconds: _s(test.diagnostic()?.duration) })
      }
      // A file or suite that failed outside its tests (a `beforeAll`, the collection): its tests only say skipped.
      for (const suite of [module, ...module.children.allSuites()]) {
        const errors = suite.errors()
        if (errors.length === 0) continue
        const where = suite.type === 'module' ? '' : ` > ${suite.fullName}`
        failed.push(
          _failure(`${file}${where} (outside its tests: a hook or the collection)`, errors, [])
        )
      }
      files.push({ name: file, seconds: _s(module.diagnostic().duration), tests: count })
    }
    const slowest = (list: Timed[]) =>
      [...list].sort((a, b) => b.seconds - a.seconds).slice(0, SHOWN)
    const wall = (Date.now() - this.started) / 1000
    const lines = [
      '',
      `Timing: ${modules.length} files, ${tests.length} tests, ${assertions} assertions, ${wall.toFixed(0)} s wall`,
      `Slowest ${SHOWN} files (s, tests):`,
      ...slowest(files).map(
        (f) => `  ${f.seconds.toFixed(1).padStart(6)} ${String(f.tests).padStart(4)}  ${f.name}`
      ),
      `Slowest ${SHOWN} tests (s):`,
      ...slowest(tests).map((t) => `  ${t.seconds.toFixed(1).padStart(6)}  ${t.name}`),
      ...(unfinished.length > 0
        ? [
            `Never finished (${unfinished.length}):`,
            ...unfinished.slice(0, SHOWN).map((n) => `  ${n}`),
          ]
        : []),
      // vitest's own account of the failures goes to stderr, and a CI log has been seen without it: the first
      // lines of each error again here (a property test's seed and path among them), so the log can be replayed.
      ...(failed.length > 0 ? [`Failed (${failed.length}):`, ...failed] : []),
      ...notRunLines(notRun),
      ...downloadLines(),
      '',
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
    mkdirSync(resolve(OUT, '..'), { recursive: true })
    writeFileSync(
      OUT,
      `${JSON.stringify({ wallSeconds: wall, counts: { files: files.length, tests: tests.length, assertions }, files, tests }, null, 1)}\n`
    )
  }
}

/** Issue 45: what this machine lacks is said at the end of the run, with the line that installs it. */
function notRunLines(notRun: ReadonlyMap<string, string[]>): string[] {
  if (notRun.size === 0) return []
  const count = [...notRun.values()].reduce((n, tests) => n + tests.length, 0)
  return [
    `Not run on this machine (${count} tests; CI runs them, .ci/run installs what they need):`,
    ...[...notRun].flatMap(([why, tests]) => [
      `  ${why}: ${tests.length} tests, in ${[...new Set(tests.map((t) => t.split(' > ')[0]))].join(', ')}`,
    ]),
  ]
}

/** Issue 45: the run's one large download, said where it is kept (the README says it too). */
function downloadLines(): string[] {
  const dirs = OPENCLAW_VERSIONS.map((version) => openClawCacheDir(version)).filter((dir) =>
    existsSync(dir)
  )
  if (dirs.length === 0) return []
  return [
    `The real OpenClaw for test/openclaw-cli/ is kept in ${dirs.join(' and ')} (${OPENCLAW_DOWNLOAD}, from the npm registry once per machine; OPENCLAW_CACHE_DIR moves them, OPENCLAW_CLI_TESTS=off leaves those tests out).`,
  ]
}

const FAILURE_LINES = 30
const CAUSE_LINES = 15

type ReportedError = { message?: string; stack?: string; cause?: unknown }

function _failure(
  name: string,
  errors: ReadonlyArray<ReportedError> | undefined,
  bridgeLog: readonly string[]
): string {
  const text = (errors ?? []).map((e) => e.stack ?? e.message ?? '').join('\n')
  const lines = text.split('\n').slice(0, FAILURE_LINES)
  // What failed inside (a property's own assertion is fast-check's `cause`): its first lines too, or a seed is
  // printed without the invariant it broke.
  const causes = (errors ?? []).flatMap((e) => _causes(e.cause, 3))
  // What the bridge logged in that test (sim/e2e/services.ts): a failure under load is seldom replayed.
  const logged = bridgeLog.length > 0 ? ['Bridge log:', ...bridgeLog] : []
  return [`  ${name}`, ...[...lines, ...causes, ...logged].map((line) => `    ${line}`)].join('\n')
}

function _causes(cause: unknown, depth: number): string[] {
  if (depth === 0 || !cause || typeof cause !== 'object') return []
  const { message, cause: deeper } = cause as ReportedError
  const head = String(message ?? '')
    .split('\n')
    .slice(0, CAUSE_LINES)
  return [`Caused by: ${head[0] ?? ''}`, ...head.slice(1), ..._causes(deeper, depth - 1)]
}

function _s(ms: number | undefined): number {
  return (ms ?? 0) / 1000
}
