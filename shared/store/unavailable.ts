/**
 * @module The store did not answer: a Redis command that timed out or found no connection becomes one typed
 * error naming the setting, so a tool call answers 503 with Retry-After and says REDIS_URL, not 500 "internal_error"
 * with ioredis's "Command timed out" in the log. Redis's own refusals of a command (a wrong type, a script error) are
 * bugs of ours, not an outage: they stay as they are.
 */

/** What a caller may tell whoever waits: try again in this many seconds (Redis restarts within about that). */
export const STORE_RETRY_AFTER_S = 30

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError'
  constructor(
    /** The setting that points to the store: `REDIS_URL` (Node), `REDIS_REST_URL` (Workers). */
    readonly setting: string,
    /** Where it was tried, without credentials. */
    readonly location: string,
    /** The driver's own words (`Command timed out`, `connect ECONNREFUSED …`). */
    readonly why: string,
    /** What the operator may do about it. */
    advice = `check that it runs and that ${setting} points to it`
  ) {
    super(`the store does not answer (${setting}: ${location}): ${why}: ${advice}`)
  }
}

/** Replies that mean Redis is there but cannot serve now (auth, loading, failover), not that the command was wrong. */
const UNAVAILABLE_REPLY = /^(NOAUTH|WRONGPASS|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY)\b/

/**
 * `error` as a StoreUnavailableError when it is the connection's (anything but a Redis reply, and the replies above),
 * else null. Our own argument checks (TypeError, RangeError) are never an outage.
 */
export function asStoreUnavailable(
  error: unknown,
  setting: string,
  location: string,
  why: (error: unknown) => string = (e) => (e as Error).message
): StoreUnavailableError | null {
  if (error instanceof StoreUnavailableError) return error
  if (!(error instanceof Error) || error instanceof TypeError || error instanceof RangeError)
    return null
  if (error.name === 'ReplyError' && !UNAVAILABLE_REPLY.test(error.message)) return null
  return new StoreUnavailableError(setting, location, why(error))
}
