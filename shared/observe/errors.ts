/** @module An error's text, and work whose failure is logged (and counted) but never thrown: one boundary. */
import type { Logger } from './log.ts'
import type { Counter } from './metrics.ts'

/** A failure to count: the counter, and the labels of its series (`{ operation: 'set' }`). */
export type FailureCount = { counter: Counter; labels?: Record<string, string> }

/**
 * The text of anything thrown: an Error's message, or the value as a string (a thrown string, `undefined`).
 * It redacts nothing: the logger redacts every line, and a client's error (http-errors.ts) carries no URL.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Run work whose failure must not stop what follows (a cache write, a record after the fact): a failure is logged
 * as `${what} failed` with `{ error }` at warn, counted when `count` is given, and never thrown.
 * Resolves true when the work succeeded, false when it failed.
 * @example await bestEffort(log, 'digest cache write', () => store.set(key, value))
 */
export async function bestEffort(
  log: Pick<Logger, 'warn'>,
  what: string,
  work: Promise<unknown> | (() => Promise<unknown>),
  count?: FailureCount
): Promise<boolean> {
  try {
    await (typeof work === 'function' ? work() : work)
    return true
  } catch (error) {
    log.warn(`${what} failed`, { error: errorMessage(error) })
    count?.counter.inc(count.labels ?? {})
    return false
  }
}
