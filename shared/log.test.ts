import { describe, expect, it } from 'vitest'
import { createLogger } from './log.ts'

describe('createLogger', () => {
  const capture = (level: 'debug' | 'info' | 'warn' | 'error') => {
    const lines: string[] = []
    const log = createLogger({ level, write: (line) => lines.push(line), now: () => 0 })
    return { log, lines }
  }

  it('should write lines at or above its level and drop the others', () => {
    const { log, lines } = capture('warn')
    log.info('dropped')
    log.warn('kept', { n: 1 })
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { time: '1970-01-01T00:00:00.000Z', level: 'warn', msg: 'kept', n: 1 },
    ])
  })

  it('should say which levels it writes, for callers that skip building fields', () => {
    const { log } = capture('info')
    expect(['debug', 'info', 'warn', 'error'].map((l) => log.enabled(l as 'info'))).toEqual([
      false,
      true,
      true,
      true,
    ])
    expect(log.child({ fn: 'poll' }).enabled('debug')).toBe(false)
    expect(capture('debug').log.enabled('debug')).toBe(true)
  })

  it('should redact secrets in fields and keep bindings of a child', () => {
    const { log, lines } = capture('info')
    log.child({ fn: 'poll' }).info('request', { authorization: 'Bearer abc.def' })
    const record = JSON.parse(lines[0] ?? '{}')
    expect(record.fn).toBe('poll')
    expect(JSON.stringify(record)).not.toContain('abc.def')
  })
})
