import { describe, expect, it } from 'vitest'
import { createProgress } from './progress.ts'

describe('createProgress', () => {
  it('should stay quiet during a quick step, then print at most one line per interval', () => {
    let clock = 0
    const lines: string[] = []
    const step = createProgress({ out: (l) => lines.push(l), now: () => clock, everyMs: 3000 })
    clock = 1000
    step('projects', 1, 12)
    expect(lines).toEqual([])
    clock = 3000
    step('projects', 3, 12)
    clock = 4000
    step('projects', 4, 12)
    clock = 6500
    step('changes', 2, 9)
    expect(lines).toEqual(['projects: 3/12…', 'changes: 2/9…'])
  })

  it('should print nothing for a finished step or without a terminal', () => {
    let clock = 0
    const lines: string[] = []
    const step = createProgress({ out: (l) => lines.push(l), now: () => clock, everyMs: 10 })
    clock = 100
    step('projects', 12, 12)
    expect(lines).toEqual([])
    const silent = createProgress({ out: undefined, now: () => clock, everyMs: 10 })
    clock = 200
    expect(() => silent('projects', 1, 2)).not.toThrow()
  })
})
