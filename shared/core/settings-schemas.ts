/**
 * @module The kinds of value settings take (settings.ts): text, http and Redis URLs, comma lists, cron expressions,
 * time zones, Plane's rate limits, bounded integers, each refused with a message that says what it must be.
 */
import * as z from 'zod'
import { parseRateLimit } from '../plane/key-names.ts'
import { isTimeZone } from '../time-zone.ts'
import { isCronExpression } from './cron.ts'

export const optionalText = z.string().trim().min(1).optional()

export const httpUrl = z
  .string()
  .trim()
  .refine((s) => _isUrl(s, ['http:', 'https:']), 'must be an http:// or https:// URL')
  .transform((s) => s.replace(/\/+$/, ''))

export const redisUrl = z
  .string()
  .trim()
  .refine(
    (s) => _isUrl(s, ['redis:', 'rediss:']),
    'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/1'
  )

/** `a, b,c` → ['a', 'b', 'c'] (empty items dropped). */
export const commaList = z
  .string()
  .trim()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
  )

export const cronExpression = z
  .string()
  .trim()
  .refine(isCronExpression, 'must be a cron expression, e.g. */5 * * * *')

export const timezone = z
  .string()
  .trim()
  .refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Paris or UTC')

// Plane's own format for API_KEY_RATE_LIMIT (DRF's parse_rate): `60/minute`, `100/min`, `3600/hour`.
export const rateLimit = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const parsed = parseRateLimit(text)
    if (!parsed) {
      ctx.addIssue({
        code: 'custom',
        message: "must read like Plane's API_KEY_RATE_LIMIT, e.g. 60/minute",
      })
      return z.NEVER
    }
    return parsed
  })

export const positiveInt = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be an integer between ${min} and ${max}` })
    .int(`must be an integer between ${min} and ${max}`)
    .min(min, `must be an integer between ${min} and ${max}`)
    .max(max, `must be an integer between ${min} and ${max}`)

// --- Internal helpers ---

function _isUrl(s: string, protocols: readonly string[]): boolean {
  try {
    const u = new URL(s)
    return protocols.includes(u.protocol) && u.hostname !== ''
  } catch {
    // Not a URL: the schema's own message names the setting.
    return false
  }
}
