/**
 * Steps a reader can see whole (STYLE.md): no function with more than 80 lines of its own (the lines left once the
 * functions written inside it are taken out), and no factory (a function holding closures) over 200 lines in all.
 * Split a step by what it does (pick what can be sent, send one, reschedule), not by its line count. Files: at most
 * 300 lines each (imports.test.ts).
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { countLines } from './imports.ts'
import { findLongFunctions, measureFiles, measureFunctions } from './lengths.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const LIMITS = { maxOwn: 80, maxFactory: 200 }

const measured = measureFiles(ROOT, countLines(ROOT, ['functions', 'shared', 'runtime']).keys())

describe('function length', () => {
  it('should measure every product function', () => {
    expect(measured.length).toBeGreaterThan(1500)
    expect(measured.some((f) => f.where.startsWith('runtime/node.ts:'))).toBe(true)
  })

  it('should have no function over 80 own lines and no factory over 200 lines', () => {
    expect(findLongFunctions(measured, LIMITS), 'split these by step').toEqual([])
  })
})

describe('the measure itself', () => {
  const sample = [
    'export function createThing(deps: number) {', //  1
    '  const one = () => {', //                          2
    '    return deps + 1', //                            3
    '  }', //                                            4
    '  function two(x: number) {', //                    5
    '    return [x].map((y) => y * 2)', //               6
    '  }', //                                            7
    '  return { one, two, three() { return 3 } }', //   8
    '}', //                                              9
    'const plain = async () => 1', //                    10
  ].join('\n')
  const found = measureFunctions('x.ts', sample)

  it('should count a function as written and its own lines without the functions inside it', () => {
    expect(found.map((f) => [f.where, f.lines, f.own, f.closures])).toEqual([
      // Lines 1, 2 (`const one =`), 8 (`return { one, two,`) and 9: the closures' lines are theirs.
      ['x.ts:1 createThing', 9, 4, 3],
      ['x.ts:2 one', 3, 3, 0],
      ['x.ts:5 two', 3, 3, 1],
      ['x.ts:6 (callback of [x].map)', 1, 1, 0],
      ['x.ts:8 three', 1, 1, 0],
      ['x.ts:10 plain', 1, 1, 0],
    ])
  })

  it('should name a step over its own limit and a factory over its whole limit, longest first', () => {
    expect(
      findLongFunctions(
        [
          { where: 'a.ts:1 step', lines: 90, own: 81, closures: 1 },
          { where: 'a.ts:9 factory', lines: 201, own: 40, closures: 12 },
          { where: 'a.ts:30 fits', lines: 200, own: 80, closures: 5 },
          { where: 'a.ts:40 callbackless', lines: 81, own: 81, closures: 0 },
        ],
        LIMITS
      )
    ).toEqual([
      'a.ts:9 factory (factory, 201 lines)',
      'a.ts:1 step (81 own lines of 90)',
      'a.ts:40 callbackless (81 own lines of 81)',
    ])
  })
})
