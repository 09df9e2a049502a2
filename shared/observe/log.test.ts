import { describe, expect, it } from 'vitest'
import { createLogger, LOG_LINE_MAX_CHARS, LOG_STRING_MAX_CHARS } from './log.ts'

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

  it('should cut a long string field, at any depth and in the message, saying how long it was', () => {
    const { log, lines } = capture('info')
    const huge = 'x'.repeat(900_000)
    log.info(`name ${huge}`, { error: huge, nested: { name: huge }, list: [huge], short: 'kept' })
    const line = lines[0] ?? ''
    expect(line.length).toBeLessThan(5 * LOG_STRING_MAX_CHARS)
    const record = JSON.parse(line)
    for (const value of [record.msg, record.error, record.nested.name, record.list[0]]) {
      expect(value.length).toBeLessThanOrEqual(LOG_STRING_MAX_CHARS)
      expect(value).toMatch(/… \[cut: 90000\d characters in all\]$/)
    }
    expect(record.short).toBe('kept')
  })

  it('should keep a string of the limit whole, and redact a secret before cutting', () => {
    const lines: string[] = []
    const log = createLogger({
      write: (line) => lines.push(line),
      redactor: {
        text: (s) => s.replaceAll('s3cret', '[redacted]'),
        value: (v) => JSON.parse(JSON.stringify(v).replaceAll('s3cret', '[redacted]')),
        add: () => {},
      },
    })
    const exact = 'y'.repeat(LOG_STRING_MAX_CHARS)
    log.info('m', { exact, secret: `s3cret${'z'.repeat(10_000)}` })
    const record = JSON.parse(lines[0] ?? '{}')
    expect(record.exact).toBe(exact)
    expect(record.secret.startsWith('[redacted]z')).toBe(true)
  })

  it('should drop the fields of a line still too long, keeping its message', () => {
    const { log, lines } = capture('info')
    const fields = Object.fromEntries(
      Array.from({ length: 2000 }, (_, i) => [`k${i}`, 'v'.repeat(100)])
    )
    log.warn('many fields', fields)
    const record = JSON.parse(lines[0] ?? '{}')
    expect(lines[0]?.length).toBeLessThanOrEqual(LOG_LINE_MAX_CHARS)
    expect(record).toMatchObject({ level: 'warn', msg: 'many fields' })
    expect(record.k0).toBeUndefined()
    expect(record.note).toMatch(/fields dropped/)
  })
})
