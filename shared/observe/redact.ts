/** @module Secret redaction for log lines and error messages: secrets never leave the process. */

export const REDACTED = '[redacted]'

/** Minimum length a value must have to be redacted by value (shorter ones would mangle ordinary text). */
const MIN_SECRET_LENGTH = 6

/** Key names whose values are always redacted in structured data, whatever the value. */
const SECRET_KEY_PATTERN =
  /(token|secret|password|passwd|api[-_]?key|authorization|signature|cookie)/i

/** Telegram puts the bot token in the URL path (`/bot<token>/method`): redact it wherever it shows. */
const TELEGRAM_TOKEN_IN_PATH = /\/bot\d+:[A-Za-z0-9_-]+/g

export type Redactor = {
  /** Replace every known secret (and token-shaped URL segment) in a string. */
  text(input: string): string
  /** Deep-copy structured data, replacing secret-named keys and known secret values. */
  value<T>(input: T): T
  /** Register more secret values (e.g. agent tokens loaded later). */
  add(...secrets: Array<string | undefined>): void
}

/**
 * Build a redactor that knows the given secret values.
 * @example createRedactor([config.PLANE_API_KEY]).text(`failed with key ${key}`) // 'failed with key [redacted]'
 */
export function createRedactor(secrets: Iterable<string | undefined> = []): Redactor {
  const known = new Set<string>()
  const add = (...values: Array<string | undefined>) => {
    for (const v of values) if (v && v.length >= MIN_SECRET_LENGTH) known.add(v)
  }
  add(...secrets)

  const text = (input: string): string => {
    let out = input.replace(TELEGRAM_TOKEN_IN_PATH, `/bot${REDACTED}`)
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    return out
  }

  const value = <T>(input: T): T => _redactValue(input, text, new WeakSet()) as T

  return { text, value, add }
}

// --- Internal helpers ---

function _redactValue(input: unknown, text: (s: string) => string, seen: WeakSet<object>): unknown {
  if (typeof input === 'string') return text(input)
  if (input === null || typeof input !== 'object') return input
  if (seen.has(input)) return '[circular]'
  seen.add(input)
  if (input instanceof Error) {
    return { name: input.name, message: text(input.message) }
  }
  if (Array.isArray(input)) return input.map((v) => _redactValue(v, text, seen))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(input)) {
    out[k] =
      SECRET_KEY_PATTERN.test(k) && v != null && v !== '' ? REDACTED : _redactValue(v, text, seen)
  }
  return out
}
