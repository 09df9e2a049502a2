/** wrangler.jsonc's cron triggers = what the registry needs on Workers; the UTC / TIMEZONE rule of runtime/worker-crons.ts. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { dueCronFunctions, workerCronOf, workerCrons } from '../../runtime/worker-crons.ts'
import { type CronFunction, defineCronFunction } from '../../shared/core/function.ts'

/** wrangler.jsonc without its `//` comments (none sits inside a string there). */
function readWranglerConfig(): { triggers?: { crons?: string[] }; main?: string } {
  const text = readFileSync(new URL('../../wrangler.jsonc', import.meta.url), 'utf8')
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''))
}

const cron = (schedule: string, timezone?: 'UTC' | 'config'): CronFunction =>
  defineCronFunction({
    name: 'c',
    description: 'test',
    schedule,
    ...(timezone ? { timezone } : {}),
    run: async () => undefined,
  })

describe('wrangler.jsonc', () => {
  it('should declare exactly the cron triggers the registry needs', () => {
    expect([...(readWranglerConfig().triggers?.crons ?? [])].sort()).toEqual(workerCrons(functions))
  })

  it('should point at the Workers entry', () => {
    expect(readWranglerConfig().main).toBe('runtime/worker.ts')
  })
})

describe('workerCronOf', () => {
  it('should keep a UTC schedule as it is', () => {
    expect(workerCronOf(cron('* * * * *'))).toBe('* * * * *')
    expect(workerCronOf(cron('*/5 * * * *'))).toBe('*/5 * * * *')
    expect(workerCronOf(cron('30 6 1 * *', 'UTC'))).toBe('30 6 1 * *')
  })

  it('should widen the days of the week, which Cloudflare numbers its own way', () => {
    expect(workerCronOf(cron('0 8 * * 1-5'))).toBe('0 8 * * *')
    expect(workerCronOf(cron('0 8 1 * 1'))).toBe('0 8 * * *')
  })

  it('should fire a TIMEZONE schedule at every quarter-hour offset of its minute', () => {
    expect(workerCronOf(cron('0 8 * * *', 'config'))).toBe('*/15 * * * *')
    expect(workerCronOf(cron('5 8 * * 1', 'config'))).toBe('5,20,35,50 * * * *')
    expect(workerCronOf(cron('*/5 * * * *', 'config'))).toBe('*/5 * * * *')
    expect(workerCronOf(cron('7,8 8 * * *', 'config'))).toBe('7,8,22,23,37,38,52,53 * * * *')
    expect(workerCronOf(cron('L 8 * * *', 'config'))).toBe('* * * * *')
  })
})

describe('dueCronFunctions', () => {
  const digest = defineCronFunction({ ...cron('0 8 * * *', 'config'), name: 'digest' })
  const weekly = defineCronFunction({ ...cron('0 8 * * 1'), name: 'weekly' })
  const all = [digest, weekly]
  const due = (at: string, timezone: string, trigger = '*/15 * * * *') =>
    dueCronFunctions(all, {
      cron: trigger,
      scheduledTime: Date.parse(at),
      timezone,
      enabled: ['digest', 'weekly'],
    }).map((f) => f.name)

  it('should run a TIMEZONE schedule at its local time, summer and winter', () => {
    expect(due('2026-07-01T06:00:00Z', 'Europe/Paris')).toEqual(['digest'])
    expect(due('2026-07-01T07:00:00Z', 'Europe/Paris')).toEqual([])
    expect(due('2026-01-15T07:00:00Z', 'Europe/Paris')).toEqual(['digest'])
    expect(due('2026-01-15T02:15:00Z', 'Asia/Kathmandu')).toEqual(['digest'])
    expect(due('2026-01-15T08:00:00Z', 'UTC')).toEqual(['digest'])
  })

  it('should check the day of week with cron semantics (1 = Monday)', () => {
    expect(due('2026-11-23T08:00:00Z', 'UTC', '0 8 * * *')).toEqual(['weekly'])
    expect(due('2026-11-22T08:00:00Z', 'UTC', '0 8 * * *')).toEqual([])
  })

  it('should leave out functions that are off or belong to another trigger', () => {
    const none = dueCronFunctions(all, {
      cron: '*/15 * * * *',
      scheduledTime: Date.parse('2026-01-15T08:00:00Z'),
      timezone: 'UTC',
      enabled: [],
    })
    expect(none).toEqual([])
    expect(due('2026-01-15T08:00:00Z', 'UTC', '* * * * *')).toEqual([])
  })
})
