import { describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { dueCronFunctions } from '../../runtime/worker-crons.ts'
import { ConfigError, loadConfig } from '../../shared/core/config.ts'
import { defineCronFunction, defineHttpFunction, scheduleOf } from '../../shared/core/function.ts'
import {
  RegistryError,
  takeInventory,
  validateRegistry,
} from '../../shared/core/function-registry.ts'

const http = (name: string, path: string) =>
  defineHttpFunction({
    name,
    description: name,
    method: 'POST',
    path,
    handler: (c) => c.body(null, 204),
  })
const cron = (name: string, schedule: string) =>
  defineCronFunction({ name, description: name, schedule, run: async () => undefined })

describe('function registry', () => {
  it('should accept the shipped registry', () => {
    expect(() => validateRegistry(functions)).not.toThrow()
  })

  it('should reject duplicate names, duplicate routes, bad names, paths and cron expressions, all at once', () => {
    const broken = [
      http('a', '/x'),
      http('a', '/y'),
      http('b', '/x'),
      http('Bad_Name', 'no-slash'),
      cron('c', 'every minute'),
    ]
    let error: unknown
    try {
      validateRegistry(broken)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(RegistryError)
    const message = (error as Error).message
    expect(message).toContain('duplicate function name "a"')
    expect(message).toContain('duplicate route "POST /x" (b)')
    expect(message).toContain('function name "Bad_Name" must be kebab-case')
    expect(message).toContain('path "no-slash" must start with /')
    expect(message).toContain('c: invalid cron "every minute"')
  })

  it('should sort functions into on and off by their settings', () => {
    const needy = defineHttpFunction({
      name: 'needy',
      description: 'x',
      method: 'GET',
      path: '/n',
      requires: ['PLANE_WEBHOOK_SECRET'],
      handler: (c) => c.body(null, 204),
    })
    expect(takeInventory([http('free', '/f'), needy], loadConfig({}))).toEqual({
      enabled: ['free'],
      disabled: { needy: ['PLANE_WEBHOOK_SECRET'] },
    })
    expect(
      takeInventory([needy], loadConfig({ PLANE_WEBHOOK_SECRET: 'plane_wh_123456' })).disabled
    ).toEqual({})
  })

  it('should let a schedule setting override the registry schedule, validated at load', () => {
    const poll = { ...cron('poll', '*/5 * * * *'), scheduleSetting: 'POLL_SCHEDULE' as const }
    expect(scheduleOf(poll, loadConfig({}))).toBe('*/5 * * * *')
    const config = loadConfig({ POLL_SCHEDULE: '*/10 * * * *' })
    expect(scheduleOf(poll, config)).toBe('*/10 * * * *')
    expect(() => loadConfig({ POLL_SCHEDULE: 'every five minutes' })).toThrow(ConfigError)
    // Workers: the */5 trigger fires at :05, but a */10 override is not due then; it is at :10.
    const due = (minute: number) =>
      dueCronFunctions([poll], {
        cron: '*/5 * * * *',
        scheduledTime: Date.UTC(2026, 10, 21, 6, minute),
        timezone: 'UTC',
        enabled: ['poll'],
        scheduleOf: (fn) => scheduleOf(fn, config),
      }).map((f) => f.name)
    expect(due(5)).toEqual([])
    expect(due(10)).toEqual(['poll'])
  })
})
