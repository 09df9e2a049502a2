import { Cron } from 'croner'
import { describe, expect, it } from 'vitest'
import { CronSyntaxError, cronMatches, isCronExpression, parseCron } from './cron.ts'

// What the registry and settings use, plus every syntax parseCron accepts.
const EXPRESSIONS = [
  '* * * * *',
  '*/5 * * * *',
  '*/15 * * * *',
  '0 8 * * *',
  '30 2 * * *',
  '0 9 * * 1-5',
  '0 9 * * mon-fri',
  '0 0 1 * *',
  '0 0 1,15 * 1',
  '0 12 */2 * *',
  '10-40/10 3-5 * jan-mar,dec sun',
  '0 0 * * 7',
  '0 0 * * 0-7/2',
  '45 23 31 */3 *',
  '0 0 13 * fri',
]
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham']

/** Minutes spread over a year (DST changes included): every 7 h 13 min from 2025-01-01. */
function sampleMinutes(): Date[] {
  const start = Date.UTC(2025, 0, 1)
  const dates: Date[] = []
  for (let t = start; t < start + 366 * 86_400_000; t += 433 * 60_000) dates.push(new Date(t))
  return dates
}

describe('cron', () => {
  it('should match every minute exactly as croner does, in every zone', () => {
    const dates = sampleMinutes()
    let matches = 0
    for (const expression of EXPRESSIONS) {
      const schedule = parseCron(expression)
      for (const timezone of ZONES) {
        const croner = new Cron(expression, { timezone, paused: true })
        for (const date of dates) {
          const ours = cronMatches(schedule, date, timezone)
          if (ours !== croner.match(date))
            throw new Error(`${expression} in ${timezone} at ${date.toISOString()}: ours ${ours}`)
          if (ours) matches++
        }
      }
    }
    // The sample is not vacuous: some minutes match.
    expect(matches).toBeGreaterThan(1000)
  })

  it('should match the minute croner runs next, for the schedules of the registry', () => {
    for (const expression of ['*/5 * * * *', '0 8 * * *', '0 9 * * 1-5']) {
      for (const timezone of ZONES) {
        const next = new Cron(expression, { timezone, paused: true }).nextRun(
          new Date('2025-03-29T12:00:00Z')
        )
        expect(next).toBeInstanceOf(Date)
        expect(cronMatches(parseCron(expression), next as Date, timezone)).toBe(true)
      }
    }
  })

  it('should run the digest at 08:00 Paris time in winter and summer', () => {
    const digest = parseCron('0 8 * * *')
    expect(cronMatches(digest, new Date('2025-01-06T07:00:00Z'), 'Europe/Paris')).toBe(true)
    expect(cronMatches(digest, new Date('2025-07-07T06:00:00Z'), 'Europe/Paris')).toBe(true)
    expect(cronMatches(digest, new Date('2025-07-07T07:00:00Z'), 'Europe/Paris')).toBe(false)
  })

  it('should refuse what croner refuses', () => {
    for (const bad of [
      '',
      '* * * *',
      '60 * * * *',
      '* 24 * * *',
      '* * 0 * *',
      '* * * 13 *',
      '*/0 * * * *',
      '5-1 * * * *',
      '5/15 * * * *',
      'x * * * *',
      '* * * * 8',
    ]) {
      expect(isCronExpression(bad), bad).toBe(false)
      expect(() => new Cron(bad, { paused: true }), bad).toThrow()
    }
  })

  it('should name the faulty field', () => {
    expect(() => parseCron('0 25 * * *')).toThrow(CronSyntaxError)
    expect(() => parseCron('0 25 * * *')).toThrow(/hour/)
    expect(() => parseCron('* * * * * * *')).toThrow(/5 fields/)
    expect(() => parseCron('60 * * * * *')).toThrow(/second/)
  })

  it("should take croner's leading seconds field, which the Node scheduler honours and minutes ignore", () => {
    expect(isCronExpression('*/10 * * * * *')).toBe(true)
    expect(() => new Cron('*/10 * * * * *', { paused: true })).not.toThrow()
    // A Worker fires at most once a minute: there the minute fields decide.
    const schedule = parseCron('30 0 8 * * *')
    expect(cronMatches(schedule, new Date('2026-01-05T08:00:00Z'), 'UTC')).toBe(true)
    expect(cronMatches(schedule, new Date('2026-01-05T08:01:00Z'), 'UTC')).toBe(false)
  })

  it('should refuse the extensions croner reads but the Worker triggers cannot express', () => {
    for (const extension of ['@daily', '0 0 L * *', '0 0 ? * 1', '0 0 * * 5#2']) {
      expect(isCronExpression(extension), extension).toBe(false)
    }
  })
})
