import { describe, expect, it } from 'vitest'
import { createLogger, silentLogger } from '../observe/log.ts'
import { createBackground } from './background.ts'

describe('background', () => {
  it('should wait for a delayed task when nothing else runs (timers must get to fire)', async () => {
    const bg = createBackground({ log: silentLogger })
    let ran = false
    bg.later('x', 30, async () => {
      ran = true
    })
    expect(await bg.idle(2000)).toBe(true)
    expect(ran).toBe(true)
  })

  it('should wait only for work already started when told to leave timers be', async () => {
    const bg = createBackground({ log: silentLogger })
    let ran = false
    let finished = false
    bg.later('far', 60_000, async () => {
      ran = true
    })
    bg.run('now', async () => {
      await new Promise<void>((r) => setTimeout(r, 30))
      finished = true
    })
    expect(await bg.idle(2000, { timers: false })).toBe(true)
    expect(finished).toBe(true)
    expect(ran).toBe(false)
    expect(await bg.idle(50)).toBe(false)
    bg.cancelTimers()
  })

  it('should keep the earliest of two delayed runs of one name', async () => {
    const bg = createBackground({ log: silentLogger })
    const order: string[] = []
    bg.later('n', 40, async () => void order.push('late'))
    bg.later('n', 10, async () => void order.push('early'))
    bg.later('n', 80, async () => void order.push('later still'))
    await bg.idle(2000)
    expect(order).toEqual(['early'])
  })

  it('should log a failing task instead of throwing, and report a timeout', async () => {
    const lines: string[] = []
    const bg = createBackground({ log: createLogger({ write: (l) => lines.push(l) }) })
    bg.run('boom', async () => {
      throw new Error('nope')
    })
    bg.run('slow', () => new Promise((r) => setTimeout(r, 500)))
    expect(await bg.idle(50)).toBe(false)
    expect(lines.some((l) => l.includes('"task":"boom"') && l.includes('nope'))).toBe(true)
    expect(await bg.idle(2000)).toBe(true)
  })

  it('should drop waiting timers on cancel', async () => {
    const bg = createBackground({ log: silentLogger })
    let ran = false
    bg.later('x', 20, async () => {
      ran = true
    })
    bg.cancelTimers()
    expect(await bg.idle(200)).toBe(true)
    expect(ran).toBe(false)
  })
  it.each([
    ['stop', false],
    ['cancelTimers', true],
  ] as const)(
    'should let a running task set a timer after %s: %s (a drain retrying in a stopped runtime)',
    async (call, runs) => {
      const bg = createBackground({ log: silentLogger })
      let ran = false
      bg.run('drain', async () => {
        await new Promise<void>((r) => setTimeout(r, 20))
        bg.later('drain', 10, async () => {
          ran = true
        })
      })
      bg[call]()
      expect(await bg.idle(1000)).toBe(true)
      await new Promise<void>((r) => setTimeout(r, 40))
      expect(ran).toBe(runs)
    }
  )
})
