/** @module Retry with a fixed backoff schedule, honouring a server-given wait (Retry-After, retry_after). */

/** What a failed attempt means for the next one. */
export type RetryDecision =
  | { retry: false }
  /** Retry; `afterMs` (from Retry-After / retry_after) replaces the schedule's delay for this attempt. */
  | { retry: true; afterMs?: number }

export type RetryOptions = {
  /** Delay before each retry, in order; its length is the number of retries. OPENCLAW-15: 1 s, 5 s, 15 s. */
  delaysMs?: readonly number[]
  /** Classify an error; anything not retryable is rethrown at once. */
  classify: (error: unknown) => RetryDecision
  /** Longest server-given wait we accept before giving up instead (a 1 h Retry-After is not worth blocking on). */
  maxWaitMs?: number
  /** Injectable for tests (fake timers work with the default too). */
  sleep?: (ms: number) => Promise<void>
  /** Called before each wait, e.g. to log or count retries. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void
}

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 15_000] as const

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** `wait(ms)` (real time by default), ended early when `signal` aborts: at once if it already has. */
export function sleepUnless(
  signal: AbortSignal | undefined,
  ms: number,
  wait: (ms: number) => Promise<void> = sleep
): Promise<void> {
  if (!signal) return wait(ms)
  if (signal.aborted) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
    wait(ms).then(done, done)
  })
}

/**
 * Run `attempt` until it succeeds, a non-retryable error occurs, or the schedule is exhausted.
 * @example await withRetry(() => plane.get('/users/me/'), { classify: classifyPlaneRetry })
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  {
    delaysMs = DEFAULT_RETRY_DELAYS_MS,
    classify,
    maxWaitMs = 120_000,
    sleep: wait = sleep,
    onRetry,
  }: RetryOptions
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n + 1)
    } catch (error) {
      const decision = classify(error)
      const scheduled = delaysMs[n]
      if (!decision.retry || scheduled === undefined) throw error
      const delayMs = decision.afterMs ?? scheduled
      if (delayMs > maxWaitMs) throw error
      onRetry?.({ attempt: n + 1, delayMs, error })
      await wait(delayMs)
    }
  }
}

/** Parse an HTTP `Retry-After` header (delta-seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(
  header: string | null | undefined,
  now = Date.now()
): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
