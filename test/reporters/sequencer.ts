/**
 * The order files start in (issue 29): the long ones first, whatever project they belong to, so the run's wall
 * time is the work spread over the workers rather than a long file started last. Vitest's own order (longest first
 * by its cache in node_modules/.vite) needs a previous run: a fresh clone in CI has none, and then ran these files
 * wherever the glob put them (the real OpenClaw CLI suites near the end). The list is the CI timing report's
 * slowest files (`.cache/test-timings.json`), longest first; every other file keeps vitest's order after them.
 */
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/** Path prefixes, longest file first (seconds on a loaded 2-core machine, CI of 2026-11-25). */
export const LONG_FILES: readonly string[] = [
  'test/openclaw-cli/one-gateway.test.ts', // 252
  'test/faults/tool-write.fault.test.ts', // 112
  'test/openclaw-cli/openclaw-cli.test.ts', // 161
  'test/faults/redis.fault.test.ts', // 96
  'test/invariants/redis.test.ts', // 90
  'test/openclaw-cli/openclaw-gateway.test.ts', // 75
  'test/openclaw-cli/one-gateway-2026-2.test.ts', // 49 beside the other OpenClaw files (2026-11-27)
  'test/invariants/memory.test.ts', // 70
  'test/runtime/process.test.ts', // 45
  'test/faults/wake.fault.test.ts', // 39
  'test/e2e/delivery.test.ts', // 29, on each Plane version
  'test/faults/webhook.fault.test.ts', // 26
  'test/runtime/jobs.test.ts', // 20
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
