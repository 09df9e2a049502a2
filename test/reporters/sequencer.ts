/**
 * The order files start in (issue 29): the long ones first, whatever project they belong to, so the run's wall
 * time is the work spread over the workers rather than a long file started last. Vitest's own order (longest first
 * by its cache in node_modules/.vite) needs a previous run: a fresh clone in CI has none, and then ran these files
 * wherever the glob put them (the real OpenClaw CLI suites near the end). The list is the CI timing report's
 * slowest files (`.cache/test-timings.json`), longest first; every other file keeps vitest's order after them.
 */
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * Path prefixes, longest file first (seconds in `npm test` on a 2-core machine, 2026-11-28: 533 s wall, the suite
 * CPU-bound at 88 % of both cores). The OpenClaw files alternate with in-process sweeps so that the first four
 * workers do not all wait on OpenClaw's processes; the fault sweeps and the file store's invariants that ended the
 * run (their files had started wherever the glob put them) are listed too, so short files fill the end instead.
 */
export const LONG_FILES: readonly string[] = [
  'test/openclaw-cli/one-gateway.test.ts', // 228
  'test/invariants/redis.test.ts', // 194
  'test/openclaw-cli/openclaw-cli.test.ts', // 164
  'test/faults/tool-write.fault.test.ts', // 113
  'test/openclaw-cli/openclaw-gateway.test.ts', // 105
  'test/faults/redis.fault.test.ts', // 105
  'test/openclaw-cli/one-gateway-2026-2.test.ts', // 95
  'test/runtime/process.test.ts', // 84
  'test/invariants/memory.test.ts', // 61
  'test/faults/live-view.fault.test.ts', // 43
  'test/faults/wake.fault.test.ts', // 41
  'test/faults/bootstrap.fault.test.ts', // 37
  'test/invariants/fs.test.ts', // 36
  'test/e2e/human-actions.test.ts', // 27, on each Plane version
  'test/e2e/telegram-refusals.test.ts', // 24, on each Plane version
  'test/e2e/delivery.test.ts', // 23, on each Plane version
  'test/faults/command.fault.test.ts', // 22
  'test/e2e/agent-runs.test.ts', // 20, on each Plane version
  'test/runtime/jobs.test.ts', // 19
  'test/faults/held-chat.fault.test.ts', // 19
  'test/store.contract.test.ts', // 19
]

/** A file's place in LONG_FILES (the CLI-heavy ones interleaved with in-process sweeps), or after them all. */
export function rankOf(file: string): number {
  const index = LONG_FILES.findIndex((prefix) => file.startsWith(prefix))
  return index === -1 ? LONG_FILES.length : index
}

export default class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const root = this.ctx.config.root
    return sorted
      .map((spec, index) => ({ spec, index, rank: rankOf(relative(root, spec.moduleId)) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .map(({ spec }) => spec)
  }
}
