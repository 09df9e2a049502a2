import { describe, expect, it } from 'vitest'
import {
  type CycleDates,
  cycleBoundsMs,
  cycleDay,
  cycleTransitionDue,
  zonedMidnightMs,
} from './cycle-transitions.ts'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
const at = (iso: string) => Date.parse(iso)
const cycle = (startDate: string | null, endDate: string | null): CycleDates => ({
  id: 'c1',
  name: 'Sprint 3',
  startDate,
  endDate,
})
const paris = { timeZone: 'Europe/Paris', lookbackMs: DAY }

describe('zonedMidnightMs', () => {
  it('should find when a day begins in a time zone, summer and winter', () => {
    expect(zonedMidnightMs('2026-11-23', 'Europe/Paris')).toBe(at('2026-11-22T23:00:00Z'))
    expect(zonedMidnightMs('2026-07-01', 'Europe/Paris')).toBe(at('2026-06-30T22:00:00Z'))
    expect(zonedMidnightMs('2026-11-23', 'UTC')).toBe(at('2026-11-23T00:00:00Z'))
    expect(zonedMidnightMs('2026-11-23', 'America/New_York')).toBe(at('2026-11-23T05:00:00Z'))
  })

  it('should settle on the right instant on the day clocks change', () => {
    // 29 March 2026: Paris goes from +01:00 to +02:00 at 02:00; midnight is still +01:00.
    expect(zonedMidnightMs('2026-03-29', 'Europe/Paris')).toBe(at('2026-03-28T23:00:00Z'))
    expect(zonedMidnightMs('2026-03-30', 'Europe/Paris')).toBe(at('2026-03-29T22:00:00Z'))
  })
})

describe('cycleBoundsMs', () => {
  it('should take Plane v1.2 date-times as stored, and plain dates as whole days in TIMEZONE', () => {
    expect(
      cycleBoundsMs(cycle('2026-11-22T23:00:00Z', '2026-12-06T22:59:00Z'), 'Europe/Paris')
    ).toEqual({ startMs: at('2026-11-22T23:00:00Z'), endMs: at('2026-12-06T22:59:00Z') })
    expect(cycleBoundsMs(cycle('2026-11-23', '2026-12-06'), 'Europe/Paris')).toEqual({
      startMs: at('2026-11-22T23:00:00Z'),
      endMs: at('2026-12-06T23:00:00Z'),
    })
  })

  it('should give nothing for a draft or unreadable dates', () => {
    expect(cycleBoundsMs(cycle(null, null), 'UTC')).toBeNull()
    expect(cycleBoundsMs(cycle('2026-11-23', null), 'UTC')).toBeNull()
    expect(cycleBoundsMs(cycle('soon', '2026-12-06'), 'UTC')).toBeNull()
  })
})

describe('cycleTransitionDue', () => {
  const sprint = cycle('2026-11-22T23:00:00Z', '2026-12-06T22:59:00Z')

  it('should say nothing before the start', () => {
    expect(cycleTransitionDue(sprint, { nowMs: at('2026-11-22T22:59:59Z'), ...paris })).toBeNull()
  })

  it('should say started from the start, within the window only', () => {
    expect(cycleTransitionDue(sprint, { nowMs: at('2026-11-22T23:05:00Z'), ...paris })).toEqual({
      transition: 'started',
      atMs: at('2026-11-22T23:00:00Z'),
    })
    expect(
      cycleTransitionDue(sprint, { nowMs: at('2026-11-22T23:00:00Z') + DAY + 1, ...paris })
    ).toBeNull()
  })

  it('should say completed once the end has passed, and no longer started', () => {
    expect(cycleTransitionDue(sprint, { nowMs: at('2026-12-06T23:00:00Z'), ...paris })).toEqual({
      transition: 'completed',
      atMs: at('2026-12-06T22:59:00Z'),
    })
    expect(cycleTransitionDue(sprint, { nowMs: at('2026-12-09T00:00:00Z'), ...paris })).toBeNull()
  })

  it('should count a plain end date as the whole day in TIMEZONE', () => {
    const plain = cycle('2026-12-06', '2026-12-06')
    expect(
      cycleTransitionDue(plain, { nowMs: at('2026-12-06T22:30:00Z'), ...paris })?.transition
    ).toBe('started')
    expect(
      cycleTransitionDue(plain, { nowMs: at('2026-12-06T23:00:00Z'), ...paris })?.transition
    ).toBe('completed')
  })
})

describe('cycleDay', () => {
  it('should name the day in TIMEZONE, the way the human wrote it in Plane', () => {
    expect(cycleDay('2026-11-22T23:00:00Z', 'Europe/Paris')).toBe('2026-11-23')
    expect(cycleDay('2026-12-06T22:59:00+00:00', 'Europe/Paris')).toBe('2026-12-06')
    expect(cycleDay('2026-12-06', 'Europe/Paris')).toBe('2026-12-06')
  })
})
