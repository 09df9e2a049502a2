import { describe, expect, it } from 'vitest'
import { CUT_MARK, capText } from './cap.ts'

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
})
