/** The Redis the tests use: REDIS_URL (set by .ci/run) or the machine's 127.0.0.1:6379. Never skipped. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0'
