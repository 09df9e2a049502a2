/**
 * @module Workers cron triggers from the registry. Cloudflare fires triggers in UTC and numbers days of the
 * week its own way, so each trigger may fire more often than the schedule; at each tick the worker runs the
 * functions whose full schedule matches that minute in their zone (shared/core/cron.ts, read as croner reads it).
 */
import { cronMatches, parseCron } from '../shared/core/cron.ts'
import type { AppFunction, CronFunction } from '../shared/core/function.ts'

/** Every IANA zone's UTC offset is a whole number of quarter hours (Asia/Kathmandu +05:45, Pacific/Chatham +12:45). */
const OFFSET_STEP_MIN = 15

/**
 * The wrangler.jsonc trigger of a cron function:
 * - `UTC`: the schedule as it is, days of the week widened to `*` (checked at the tick);
 * - `config` (TIMEZONE, DST included): every hour and day, at each UTC minute that can be the schedule's
 *   local minute in some zone; `0 8 * * *` → `*\/15 * * * *`.
 * @example workerCronOf(notifyFunction) // '* * * * *'
 */
export function workerCronOf(fn: CronFunction): string {
  const all = fn.schedule.trim().split(/\s+/)
  // A seconds field (croner's sixth, first) has no meaning for a trigger that fires at most once a minute.
  const fields = all.length > 5 ? all.slice(1) : all
  const [minute = '*', hour = '*', dayOfMonth = '*', month = '*', dayOfWeek = '*'] = fields
  // Day of month and day of week restricted together mean either (cron's OR): widen both then.
  const days = dayOfWeek === '*' ? dayOfMonth : '*'
  if (fn.timezone !== 'config') return [minute, hour, days, month, '*'].join(' ')
  return `${_utcMinutesFor(minute)} * * * *`
}

/** Every trigger wrangler.jsonc must declare for the registry, sorted, each once. */
export function workerCrons(functions: readonly AppFunction[]): string[] {
  const crons = functions.filter((fn): fn is CronFunction => fn.kind === 'cron').map(workerCronOf)
  return [...new Set(crons)].sort()
}

export type DueCronOptions = {
  /** `controller.cron`: the trigger that fired. */
  cron: string
  /** `controller.scheduledTime` (ms). */
  scheduledTime: number
  /** The TIMEZONE setting, for `timezone: 'config'` functions. */
  timezone: string
  /** Names of the functions that are on (the others lack settings). */
  enabled: readonly string[]
  /** A function's schedule with the current settings (a `scheduleSetting` may override the registry's). */
  scheduleOf?: (fn: CronFunction) => string
}

/** The cron functions a tick runs: fired by this trigger, on, and due at this minute in their zone. */
export function dueCronFunctions(
  functions: readonly AppFunction[],
  { cron, scheduledTime, timezone, enabled, scheduleOf = (fn) => fn.schedule }: DueCronOptions
): CronFunction[] {
  const minute = new Date(Math.floor(scheduledTime / 60_000) * 60_000)
  return functions.filter(
    (fn): fn is CronFunction =>
      fn.kind === 'cron' &&
      enabled.includes(fn.name) &&
      workerCronOf(fn) === cron &&
      cronMatches(parseCron(scheduleOf(fn)), minute, fn.timezone === 'config' ? timezone : 'UTC')
  )
}

// --- Internal helpers ---

/** The UTC minutes at which a local minute field can fall, whatever the zone's offset; `*` when all. */
function _utcMinutesFor(field: string): string {
  const local = _expandMinutes(field)
  if (!local) return '*'
  const utc = new Set<number>()
  for (const m of local) {
    for (let shift = 0; shift < 60; shift += OFFSET_STEP_MIN) utc.add((m + shift) % 60)
  }
  return _compactMinutes([...utc].sort((a, b) => a - b))
}

/** Minutes of a cron minute field (`*`, `n`, `a-b`, `*\/s`, `a-b/s`, `a/s`, lists); null if it is anything else. */
function _expandMinutes(field: string): number[] | null {
  const minutes = new Set<number>()
  for (const part of field.split(',')) {
    const match = part.match(/^(\*|\d{1,2})(?:-(\d{1,2}))?(?:\/(\d{1,2}))?$/)
    if (!match) return null
    const [, start = '*', end, step] = match
    const from = start === '*' ? 0 : Number(start)
    const to = end !== undefined ? Number(end) : start === '*' || step !== undefined ? 59 : from
    const by = step !== undefined ? Number(step) : 1
    if (from > 59 || to > 59 || from > to || by < 1) return null
    for (let m = from; m <= to; m += by) minutes.add(m)
  }
  return [...minutes]
}

/** `*`, `*\/s` for an even split of the hour from minute 0, else a list. */
function _compactMinutes(minutes: number[]): string {
  if (minutes.length === 60) return '*'
  const step = minutes[1] ?? 60
  const even = 60 % step === 0 && minutes.every((m, i) => m === i * step)
  return even && minutes.length > 1 ? `*/${step}` : minutes.join(',')
}
