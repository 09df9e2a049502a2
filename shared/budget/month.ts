/** @module Calendar months in TIMEZONE (OPENCLAW-11): which month an instant falls in, and how far into it. Pure. */
import { zonedParts } from '../time-zone.ts'

/** `YYYY-MM`: the month of an instant on `timeZone`'s wall clock. */
export function monthOf(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone)
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}`
}

/** Days in a `YYYY-MM` month (28 to 31). */
export function daysInMonth(month: string): number {
  const [year, m] = month.split('-').map(Number)
  return new Date(Date.UTC(year ?? 1970, m ?? 1, 0)).getUTCDate()
}

/**
 * How much of the month has gone by at `ms`, in days (a fraction: the 1st at noon is 0.5), at least an hour's worth
 * so a pace read on the month's first minutes is not a division by almost nothing.
 */
export function daysElapsed(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone)
  const elapsed = p.day - 1 + (p.hour + p.minute / 60) / 24
  return Math.max(1 / 24, elapsed)
}

/** The month after a `YYYY-MM` month. */
export function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number)
  const next = new Date(Date.UTC(year ?? 1970, m ?? 1, 1))
  return `${String(next.getUTCFullYear()).padStart(4, '0')}-${String(next.getUTCMonth() + 1).padStart(2, '0')}`
}
