/** @module How values sit in the store: an envelope carrying the expiry, so TTLs hold on drivers that ignore them. */
import type { DequeuedItem, QueuedItem, WindowTakeOptions } from './types.ts'

// unstorage's memory and fs drivers ignore `ttl` (toolchain.md §3): the expiry travels with the value.
export type Envelope = { $v: unknown; $e: number | null }

export function wrap(value: unknown, ttlSeconds: number | undefined, nowMs: number): Envelope {
  return { $v: value, $e: ttlSeconds ? nowMs + ttlSeconds * 1000 : null }
}

/** Unwrap a stored item; values written outside the envelope (a raw Redis INCR counter) come back as they are. */
export function unwrap(raw: unknown, nowMs: number): { value: unknown; expired: boolean } {
  if (raw === null || raw === undefined) return { value: null, expired: false }
  if (_isEnvelope(raw)) {
    const expired = raw.$e !== null && raw.$e <= nowMs
    return { value: expired ? null : raw.$v, expired }
  }
  return { value: raw, expired: false }
}

/** Keys are `segment:segment`; segments are safe on every driver (file names, Redis, KV). */
export function isValidKey(key: string): boolean {
  // A segment of `.` or `..` found by a second pattern, not by splitting: every store operation checks its keys.
  return KEY_PATTERN.test(key) && !DOT_SEGMENT.test(key)
}

/** Runs a store operation, telling `onError` (metrics, logs) of a failure before it is rethrown. */
export function reportingErrors(onError?: (operation: string, error: unknown) => void) {
  return async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      onError?.(operation, error)
      throw error
    }
  }
}

export function assertKey(key: string): void {
  if (!isValidKey(key)) throw new TypeError(`invalid store key "${key}"`)
}

/** How much a counter is raised by: a whole number ≥ 1. */
export function assertIncrement(by: number): void {
  if (!Number.isSafeInteger(by) || by < 1) throw new TypeError(`invalid increment ${by}`)
}

/** What `claimAndEnqueue` is given, checked as each of its parts would be on its own. */
export function assertQueuedClaim(
  claim: { key: string; ttlSeconds: number },
  item: QueuedItem
): void {
  assertKey(claim.key)
  assertTtl(claim.ttlSeconds)
  assertKey(item.sortedSet)
  assertKey(item.key)
  assertScore(item.score)
  if (item.ttlSeconds !== undefined) assertTtl(item.ttlSeconds)
}

/** What `dequeue` is given: two keys. */
export function assertDequeued(item: DequeuedItem): void {
  assertKey(item.sortedSet)
  assertKey(item.key)
}

export function assertTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
    throw new RangeError(`ttlSeconds must be a whole number ≥ 1, got ${ttlSeconds}`)
}

export function assertScore(score: number): void {
  if (!Number.isFinite(score)) throw new RangeError(`index score must be finite, got ${score}`)
}

/** A window's clock, span (whole milliseconds, as Redis's PEXPIRE takes) and ceiling (whole starts, at least one). */
export function assertWindow({ nowMs, windowMs, ceiling }: WindowTakeOptions): void {
  if (!Number.isFinite(nowMs)) throw new RangeError(`window clock must be finite, got ${nowMs}`)
  if (!Number.isInteger(windowMs) || windowMs < 1)
    throw new RangeError(`window span must be a whole number of milliseconds ≥ 1, got ${windowMs}`)
  if (!Number.isInteger(ceiling) || ceiling < 1)
    throw new RangeError(`window ceiling must be a whole number ≥ 1, got ${ceiling}`)
}

/** SCAN's MATCH is a glob: a key holding `*`, `?` or `[` must match itself only. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

const KEY_PATTERN = /^[A-Za-z0-9_.@+=-]+(:[A-Za-z0-9_.@+=-]+)*$/
/** A whole segment that is `.` or `..` (a path step on the fs driver). */
const DOT_SEGMENT = /(?:^|:)\.\.?(?::|$)/

function _isEnvelope(raw: unknown): raw is Envelope {
  return typeof raw === 'object' && raw !== null && '$v' in raw && '$e' in raw
}

/**
 * One lock's operations in the order they were called, each after the last one settled: a release sent while a
 * heartbeat's extension is unanswered compares the value that extension wrote, not the one it replaced.
 */
export function inCallOrder(): <T>(operation: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve()
  return (operation) => {
    const next = tail.then(operation, operation)
    tail = next.catch(() => undefined)
    return next
  }
}
