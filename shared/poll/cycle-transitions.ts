/**
 * @module When a cycle starts and ends (NOTIF-05): Plane sends no event when a cycle's dates arrive, so the
 * poll works it out from its dates. Pure.
 */
import { addDays, localDate } from '../commands/render-parts.ts'
import { zoneOffsetMs } from '../time-zone.ts'

/** What the bridge keeps of a cycle between two reads of the list. */
export type CycleDates = {
  id: string
  name: string
  /** v1.2: a date-time (the first instant of the day in the project's zone); older servers: `YYYY-MM-DD`. */
  startDate: string | null
  /** v1.2: a date-time (the last minute of the day in the project's zone); older servers: `YYYY-MM-DD`. */
  endDate: string | null
}

export type CycleTransition = 'started' | 'completed'

export type DueTransition = { transition: CycleTransition; atMs: number }

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/

/**
 * The transition to announce now, if one happened within `lookbackMs`: a cycle the bridge first sees
 * long after its dates passed is not news. Once a cycle has ended, its start is no longer announced.
 */
export function cycleTransitionDue(
  cycle: CycleDates,
  { nowMs, timeZone, lookbackMs }: { nowMs: number; timeZone: string; lookbackMs: number }
): DueTransition | null {
  const bounds = cycleBoundsMs(cycle, timeZone)
  if (!bounds) return null
  if (nowMs >= bounds.endMs)
    return nowMs - bounds.endMs <= lookbackMs
      ? { transition: 'completed', atMs: bounds.endMs }
      : null
  if (nowMs >= bounds.startMs)
    return nowMs - bounds.startMs <= lookbackMs
      ? { transition: 'started', atMs: bounds.startMs }
      : null
  return null
}

/**
 * The first instant of a cycle and the first instant after it. A plain date is a whole day in
 * `timeZone`; a date-time is taken as Plane stored it. Null for a draft (no dates) or unreadable dates.
 */
export function cycleBoundsMs(
  cycle: Pick<CycleDates, 'startDate' | 'endDate'>,
  timeZone: string
): { startMs: number; endMs: number } | null {
  if (!cycle.startDate || !cycle.endDate) return null
  const startMs = DATE_ONLY.test(cycle.startDate)
    ? zonedMidnightMs(cycle.startDate, timeZone)
    : Date.parse(cycle.startDate)
  const endMs = DATE_ONLY.test(cycle.endDate)
    ? zonedMidnightMs(addDays(cycle.endDate, 1), timeZone)
    : Date.parse(cycle.endDate)
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) return null
  return { startMs, endMs }
}

/** The calendar day (`YYYY-MM-DD`, in `timeZone`) a cycle's date names: the day the human wrote in Plane. */
export function cycleDay(date: string, timeZone: string): string {
  return DATE_ONLY.test(date) ? date : localDate(Date.parse(date), timeZone)
}

/** The instant `YYYY-MM-DD` 00:00 begins in `timeZone` (Europe/Paris: 23:00 or 22:00 UTC the day before). */
export function zonedMidnightMs(isoDate: string, timeZone: string): number {
  const asUtc = Date.parse(`${isoDate}T00:00:00Z`)
  let ms = asUtc - zoneOffsetMs(asUtc, timeZone)
  // Across a DST change the offset at the result differs from the first guess's: one correction settles it.
  const offset = zoneOffsetMs(ms, timeZone)
  if (asUtc - offset !== ms) ms = asUtc - offset
  return ms
}

// --- Internal helpers ---
