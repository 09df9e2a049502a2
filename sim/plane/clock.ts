/** @module Simulator clock: strictly increasing Django-style UTC timestamps from an injectable ms clock. */

export type SimClock = {
  /** Current time in ms (the injected clock, unmodified). */
  nowMs(): number
  /**
   * A write timestamp, strictly greater than every earlier one, so `order_by=-updated_at` orders two
   * writes made in the same millisecond. Postgres keeps microseconds, and so do we.
   */
  stamp(): string
  /** Today's date (UTC) as `YYYY-MM-DD`. */
  today(): string
}

export function createSimClock(now: () => number): SimClock {
  let lastMicros = 0
  return {
    nowMs: function nowMs() {
      return now()
    },
    stamp: function stamp() {
      lastMicros = Math.max(Math.floor(now()) * 1000, lastMicros + 1)
      return formatMicros(lastMicros)
    },
    today: function today() {
      return new Date(now()).toISOString().slice(0, 10)
    },
  }
}

/**
 * DRF renders `datetime.isoformat()` with `+00:00` replaced by `Z`; Python drops the fraction
 * entirely when microseconds are 0 (`…T10:00:00Z`), so clients must accept both forms.
 */
export function formatMicros(micros: number): string {
  const ms = Math.floor(micros / 1000)
  const fraction = (micros % 1000) + (ms % 1000) * 1000
  const base = new Date(ms).toISOString().slice(0, 19)
  return fraction === 0 ? `${base}Z` : `${base}.${String(fraction).padStart(6, '0')}Z`
}

/** Parse a timestamp produced by `formatMicros` back to microseconds (for ordering). */
export function parseMicros(iso: string): number {
  const match = /^(.{19})(?:\.(\d{1,6}))?Z$/.exec(iso)
  if (!match) return Date.parse(iso) * 1000
  const [, base = '', fraction = ''] = match
  return Date.parse(`${base}Z`) * 1000 + Number(fraction.padEnd(6, '0'))
}
