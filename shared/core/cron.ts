/**
 * @module Cron expressions for both runtimes: parse (validate) one, and tell whether a minute matches it in a
 * time zone. Five fields, the classic syntax croner reads the same way (numbers, `*`, ranges, steps, lists,
 * month and weekday names, 7 = Sunday; day of month and day of week both restricted: either matches), or six
 * with croner's leading seconds field: the Node scheduler honours it; minutes are the finest a Worker's cron
 * trigger fires at, so there (and in `cronMatches`) seconds are ignored.
 * The Node scheduler times its runs with croner; the Worker and the settings need only this (no croner there:
 * it would be ~10 KiB gzip of the Worker bundle).
 */

import { zonedParts } from '../time-zone.ts'

export class CronSyntaxError extends Error {
  override readonly name = 'CronSyntaxError'
}

/** A parsed expression: the allowed values of each field. */
export type CronSchedule = {
  minutes: ReadonlySet<number>
  hours: ReadonlySet<number>
  daysOfMonth: ReadonlySet<number>
  months: ReadonlySet<number>
  /** 0 = Sunday … 6 = Saturday (7 is folded into 0). */
  daysOfWeek: ReadonlySet<number>
  /** Day of month or day of week written `*`: cron then requires the other one alone. */
  anyDayOfMonth: boolean
  anyDayOfWeek: boolean
}

type FieldSpec = { label: string; min: number; max: number; names?: readonly string[] }

const MONTH_NAMES = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
]
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const FIELDS: readonly FieldSpec[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { label: 'day of week', min: 0, max: 7, names: DAY_NAMES },
]
const SECONDS: FieldSpec = { label: 'second', min: 0, max: 59 }
const ITEM = /^(\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:\/([0-9]+))?$/

/**
 * Parses a five-field cron expression; throws CronSyntaxError naming the faulty field.
 * @example parseCron('*\/5 * * * *').minutes.has(10) // true
 */
export function parseCron(expression: string): CronSchedule {
  const all = expression.trim().toLowerCase().split(/\s+/)
  if (all.length !== FIELDS.length && all.length !== FIELDS.length + 1)
    throw new CronSyntaxError(
      `expected 5 fields (minute hour day month weekday), or 6 with seconds first, got ${all.length}`
    )
  if (all.length > FIELDS.length) _field(all[0] ?? '', SECONDS)
  const fields = all.slice(all.length - FIELDS.length)
  const [minutes, hours, daysOfMonth, months, weekdays] = FIELDS.map((spec, i) =>
    _field(fields[i] ?? '', spec)
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>]
  const daysOfWeek = new Set([...weekdays].map((d) => d % 7))
  return {
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    anyDayOfMonth: fields[2] === '*',
    anyDayOfWeek: fields[4] === '*',
  }
}

/** Whether `expression` is a cron expression parseCron accepts. */
export function isCronExpression(expression: string): boolean {
  try {
    parseCron(expression)
    return true
  } catch {
    // The question asked: parseCron's message is for callers that want it (registry.ts).
    return false
  }
}

/**
 * Whether the minute of `date` matches the schedule in `timeZone` (seconds ignored).
 * @example cronMatches(parseCron('0 8 * * *'), new Date('2025-01-06T07:00:00Z'), 'Europe/Paris') // true
 */
export function cronMatches(schedule: CronSchedule, date: Date, timeZone = 'UTC'): boolean {
  const t = zonedParts(date.getTime(), timeZone)
  if (!schedule.minutes.has(t.minute) || !schedule.hours.has(t.hour)) return false
  if (!schedule.months.has(t.month)) return false
  const dom = schedule.daysOfMonth.has(t.day)
  const dow = schedule.daysOfWeek.has(t.weekday)
  if (schedule.anyDayOfWeek) return dom
  if (schedule.anyDayOfMonth) return dow
  return dom || dow
}

// --- Internal helpers ---

function _field(text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>()
  for (const item of text.split(',')) {
    const match = ITEM.exec(item)
    if (!match) throw new CronSyntaxError(`${spec.label}: "${item}" is not a value, range or step`)
    const [, range = '', stepText] = match
    const step = stepText === undefined ? 1 : Number(stepText)
    if (step < 1) throw new CronSyntaxError(`${spec.label}: step must be at least 1`)
    let [from, to] = [spec.min, spec.max]
    if (range !== '*') {
      const [a = '', b] = range.split('-')
      // `a/s` is refused, as croner refuses it: write `*/s` or `a-b/s`.
      if (b === undefined && stepText !== undefined)
        throw new CronSyntaxError(`${spec.label}: "${item}" steps from a number; use */s or a-b/s`)
      from = _value(a, spec)
      to = b === undefined ? from : _value(b, spec)
    }
    if (from > to) throw new CronSyntaxError(`${spec.label}: range "${range}" goes backwards`)
    for (let v = from; v <= to; v += step) values.add(v)
  }
  return values
}

function _value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text) ?? -1
  const value =
    named >= 0 ? named + (spec.min === 1 ? 1 : 0) : /^[0-9]+$/.test(text) ? Number(text) : NaN
  if (!Number.isInteger(value) || value < spec.min || value > spec.max)
    throw new CronSyntaxError(`${spec.label}: "${text}" is not in ${spec.min}-${spec.max}`)
  return value
}
