/**
 * @module A bench that is not a ratio against a baseline: it runs its scenario once and reports a table of its own
 * (e.g. requests per poll cycle, where the count is the result and no baseline would mean anything).
 */
import type { BenchOptions } from './options.ts'

export type TableBenchResult = {
  /** Printed on stdout as it is: a header line and the table. */
  table: string
  /** One line for the suite's summary at the end. */
  summary: string
  /** Written to `results/<name>.json`. */
  json: unknown
}

export type TableBench = {
  kind: 'table'
  name: string
  run(options: BenchOptions): Promise<TableBenchResult>
}

/** @example export const pollBench = defineTableBench({ name: 'poll', run: runPollBench }) */
export function defineTableBench(definition: Omit<TableBench, 'kind'>): TableBench {
  return Object.freeze({ kind: 'table', ...definition })
}
