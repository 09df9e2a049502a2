import { describe, expect, it } from 'vitest'
import { createLogger } from '../../shared/observe/log.ts'
import { createMetricsRegistry } from '../../shared/observe/metrics.ts'
import { createRedactor, REDACTED } from '../../shared/observe/redact.ts'

describe('redactor', () => {
  const redactor = createRedactor(['plane_api_0123456789', undefined, 'abc'])

  it('should replace known secrets, and Telegram tokens in URL paths', () => {
    expect(redactor.text('key plane_api_0123456789 failed')).toBe(`key ${REDACTED} failed`)
    expect(redactor.text('POST https://api.telegram.org/bot123456:AAH-x_y/sendMessage')).toBe(
      `POST https://api.telegram.org/bot${REDACTED}/sendMessage`
    )
    // Too short to redact by value without mangling ordinary text.
    expect(redactor.text('abc')).toBe('abc')
  })

  it('should redact secret-named keys at any depth, and errors', () => {
    const out = redactor.value({
      headers: { 'X-API-Key': 'whatever', authorization: 'Bearer x', accept: 'json' },
      list: [{ token: 't' }, 'plane_api_0123456789'],
      err: new Error('bad plane_api_0123456789'),
    })
    expect(out).toEqual({
      headers: { 'X-API-Key': REDACTED, authorization: REDACTED, accept: 'json' },
      list: [{ token: REDACTED }, REDACTED],
      err: { name: 'Error', message: `bad ${REDACTED}` },
    })
  })
})

describe('logger', () => {
  it('should write one JSON line per event at or above its level, redacted', () => {
    const lines: string[] = []
    const log = createLogger({
      level: 'info',
      redactor: createRedactor(['s3cr3t-value']),
      write: (l) => lines.push(l),
      now: () => Date.UTC(2026, 10, 21, 6, 0, 0),
    })
    log.debug('hidden')
    log.child({ fn: 'poll' }).warn('saw s3cr3t-value', { detail: 'also s3cr3t-value', apiKey: 'k' })
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] as string)).toEqual({
      time: '2026-11-21T06:00:00.000Z',
      level: 'warn',
      msg: `saw ${REDACTED}`,
      fn: 'poll',
      detail: `also ${REDACTED}`,
      apiKey: REDACTED,
    })
  })
})

describe('metrics registry', () => {
  it('should render counters, gauges and cumulative histograms in Prometheus text', () => {
    const m = createMetricsRegistry()
    m.counter('x_total', 'X things.').inc({ route: 'a"b\\c' }, 2)
    m.gauge('queue_depth', 'Depth.', () => [{ labels: { queue: 'outbox' }, value: 3 }])
    const h = m.histogram('d_seconds', 'D.', [0.1, 1])
    h.observe({ job: 'poll' }, 0.05)
    h.observe({ job: 'poll' }, 0.5)
    h.observe({ job: 'poll' }, 5)
    expect(m.render()).toBe(
      [
        '# HELP x_total X things.',
        '# TYPE x_total counter',
        'x_total{route="a\\"b\\\\c"} 2',
        '# HELP queue_depth Depth.',
        '# TYPE queue_depth gauge',
        'queue_depth{queue="outbox"} 3',
        '# HELP d_seconds D.',
        '# TYPE d_seconds histogram',
        'd_seconds_bucket{job="poll",le="0.1"} 1',
        'd_seconds_bucket{job="poll",le="1"} 2',
        'd_seconds_bucket{job="poll",le="+Inf"} 3',
        'd_seconds_sum{job="poll"} 5.55',
        'd_seconds_count{job="poll"} 3',
        '',
      ].join('\n')
    )
  })

  it('should refuse a name registered twice with another type, or an invalid name', () => {
    const m = createMetricsRegistry()
    m.counter('a_total', 'A')
    expect(() => m.gauge('a_total', 'A')).toThrow(/already registered/)
    expect(() => m.counter('bad name', 'B')).toThrow(/invalid metric name/)
  })
})
