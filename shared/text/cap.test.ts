import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CUT_MARK, capText, graphemeBoundaryAtOrBefore, toWellFormed } from './cap.ts'

const WOMAN_TECHNOLOGIST = '👩‍💻' // 5 UTF-16 units: 👩 ZWJ 💻
const FLAG_FR = '🇫🇷' // two regional indicators, 4 units
const THUMBS_DARK = '👍🏿' // emoji + skin tone, 4 units
const E_ACUTE = 'e\u0301' // e + combining acute accent

describe('capText', () => {
  it('should keep a text of the limit or less whole', () => {
    expect(capText('abcd', 4)).toBe('abcd')
  })

  it('should cut a longer text to the limit, ending with the mark', () => {
    expect(capText('abcdef', 4)).toBe(`abc${CUT_MARK}`)
    expect(capText('x'.repeat(900_000), 255)).toHaveLength(255)
    expect(capText('abcdef', 5, '[cut]')).toBe('[cut]')
  })

  it('should never split a surrogate pair', () => {
    const cut = capText('ab😀cdef', 4)
    expect(cut).toBe(`ab${CUT_MARK}`)
    expect(encodeURIComponent(cut)).toBe(`ab${encodeURIComponent(CUT_MARK)}`)
  })

  it('should never split a ZWJ sequence, a flag, a skin tone or an accent', () => {
    for (const cluster of [WOMAN_TECHNOLOGIST, FLAG_FR, THUMBS_DARK, E_ACUTE]) {
      const text = `ab${cluster}cdef`
      for (let max = 3; max < 2 + cluster.length + 1; max++) {
        expect(capText(text, max), `${cluster} at ${max}`).toBe(`ab${CUT_MARK}`)
      }
      expect(capText(text, 3 + cluster.length)).toBe(`ab${cluster}${CUT_MARK}`)
    }
  })

  it('should read only the start of a huge text', () => {
    const text = `${'é'.repeat(10)}${'👩‍💻'.repeat(400_000)}`
    expect(capText(text, 20)).toBe(`${'é'.repeat(10)}👩‍💻${CUT_MARK}`)
  })

  it('should give well-formed text of at most the limit for any text and any limit', () => {
    const units = fc.constantFrom(
      'a',
      ' ',
      '😀',
      WOMAN_TECHNOLOGIST,
      FLAG_FR,
      THUMBS_DARK,
      E_ACUTE,
      '<&>',
      '\u200f'
    )
    fc.assert(
      fc.property(
        fc.array(units, { maxLength: 40 }),
        fc.integer({ min: 1, max: 120 }),
        (parts, max) => {
          const text = parts.join('')
          const cut = capText(text, max)
          expect(cut.length).toBeLessThanOrEqual(Math.max(max, CUT_MARK.length))
          expect(toWellFormed(cut)).toBe(cut)
          if (cut !== text) expect(text.startsWith(cut.slice(0, -CUT_MARK.length))).toBe(true)
        }
      ),
      { numRuns: 500 }
    )
  })
})

describe('graphemeBoundaryAtOrBefore', () => {
  it('should move a cut inside a cluster back to its start', () => {
    const text = `x${WOMAN_TECHNOLOGIST}y`
    for (let at = 1; at <= 5; at++) expect(graphemeBoundaryAtOrBefore(text, at)).toBe(1)
    expect(graphemeBoundaryAtOrBefore(text, 6)).toBe(6)
    expect(graphemeBoundaryAtOrBefore(text, 0)).toBe(0)
    expect(graphemeBoundaryAtOrBefore(text, 99)).toBe(text.length)
  })
})

describe('toWellFormed', () => {
  it('should replace lone surrogates and keep pairs', () => {
    expect(toWellFormed('a\ud83db')).toBe('a\ufffdb')
    expect(toWellFormed('a\ude00')).toBe('a\ufffd')
    expect(toWellFormed('😀ok')).toBe('😀ok')
    const plain = 'rien à changer'
    expect(toWellFormed(plain)).toBe(plain)
  })
})
