/** @module DRF `SimpleRateThrottle` as Plane's `ApiKeyRateThrottle` uses it (plane-api.md §5). */

export type RateDecision =
  | { allowed: true; remaining: number; resetS: number }
  | { allowed: false; retryAfterS: number }

export type RateLimiterOptions = {
  /** Requests per window; `API_KEY_RATE_LIMIT` default 60/minute. */
  limit: number
  windowMs?: number
  now: () => number
}

export type RateLimiter = {
  check(key: string): RateDecision
  reset(): void
  /** Change `API_KEY_RATE_LIMIT` from now on (a bench seeds unthrottled, then measures with Plane's limit). */
  setLimit(limit: number): void
}

/**
 * A sliding window over the timestamps of *allowed* requests only (rejected ones are not recorded).
 * The 429 wait is the time until the oldest recorded request leaves the window, rounded up
 * (`Throttled.wait = math.ceil(wait)`). Allowed responses get `X-RateLimit-Remaining` (requests
 * left after this one) and `X-RateLimit-Reset` = `int(now + 60)`, not a true reset time.
 */
export function createRateLimiter({
  limit: initialLimit,
  windowMs = 60_000,
  now,
}: RateLimiterOptions): RateLimiter {
  // Newest first, like DRF's history list.
  const histories = new Map<string, number[]>()
  let limit = initialLimit

  return {
    check: function checkRateLimit(key) {
      const at = now()
      const history = (histories.get(key) ?? []).filter((stamp) => stamp > at - windowMs)
      histories.set(key, history)
      if (history.length >= limit) {
        const oldest = history[history.length - 1] ?? at
        const waitMs = windowMs - (at - oldest)
        // DRF: wait = remaining_duration / (num_requests - len(history) + 1).
        const available = limit - history.length + 1
        const wait = available > 0 ? waitMs / available : waitMs
        return { allowed: false, retryAfterS: Math.max(1, Math.ceil(wait / 1000)) }
      }
      history.unshift(at)
      return {
        allowed: true,
        remaining: Math.max(0, limit - history.length),
        resetS: Math.floor((at + windowMs) / 1000),
      }
    },
    reset: function resetRateLimits() {
      histories.clear()
    },
    setLimit: function setRateLimit(next) {
      limit = next
    },
  }
}
