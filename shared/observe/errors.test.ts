import { describe, expect, it } from 'vitest'
import { bestEffort, errorMessage } from './errors.ts'
import { createLogger } from './log.ts'
import { createMetricsRegistry } from './metrics.ts'

function recordingLogger() {
  const lines: Array<Record<string, unknown>> = []
  const log = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) })
  return { log, lines }
}

describe('errorMessage', () => {
  it("should give an Error's message, without its name or stack", () => {
    expect(errorMessage(new TypeError('fetch failed'))).toBe('fetch failed')
  })

  it('should give anything else thrown as a string', () => {
    expect(errorMessage('store closed')).toBe('store closed')
    expect(errorMessage(42)).toBe('42')
    expect(errorMessage(undefined)).toBe('undefined')
    expect(errorMessage(null)).toBe('null')
  })
})

describe('bestEffort', () => {
  it('should resolve true and log nothing when the work succeeds', async () => {
    const { log, lines } = recordingLogger()
    let ran = false
    const done = await bestEffort(log, 'cache write', async () => {
      ran = true
    })
    expect(done).toBe(true)
    expect(ran).toBe(true)
    expect(lines).toEqual([])
  })

  it('should log one warn line saying what failed and why, and resolve false', async () => {
    const { log, lines } = recordingLogger()
    const done = await bestEffort(log, 'cache write', Promise.reject(new Error('READONLY replica')))
    expect(done).toBe(false)
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'cache write failed',
        error: 'READONLY replica',
      }),
    ])
  })

  it('should catch a function that throws before it returns a promise', async () => {
    const { log, lines } = recordingLogger()
    const done = await bestEffort(log, 'index update', () => {
      throw 'not a promise'
    })
    expect(done).toBe(false)
    expect(lines[0]).toMatchObject({ msg: 'index update failed', error: 'not a promise' })
  })

  it('should count a failure in the given series, and only a failure', async () => {
    const registry = createMetricsRegistry()
    const counter = registry.counter('plane_bridge_test_failures_total', 'Failures.')
    const { log } = recordingLogger()
    const count = { counter, labels: { operation: 'set' } }
    await bestEffort(log, 'ok', async () => {}, count)
    await bestEffort(log, 'set', async () => Promise.reject(new Error('down')), count)
    await bestEffort(log, 'set', async () => Promise.reject(new Error('down')), count)
    expect(registry.render()).toContain('plane_bridge_test_failures_total{operation="set"} 2')
  })

  it('should keep log redaction: a token in the error never reaches the line', async () => {
    const { log, lines } = recordingLogger()
    await bestEffort(
      log,
      'send',
      Promise.reject(new Error('GET https://x/bot123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678/getMe'))
    )
    expect(JSON.stringify(lines)).not.toContain('ABCdefGHIjklMNOpqrSTUvwxYZ012345678')
  })
})
