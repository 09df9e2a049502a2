import { describe, expect, it } from 'vitest'
import { parseConfidence } from './confidence.ts'

describe('parseConfidence', () => {
  it('should read the forms agents write, in French and English, with or without "score"', () => {
    expect(parseConfidence('✅ Complété. confidence: 0.55')).toBe(0.55)
    expect(parseConfidence('Confiance : 0,6 — à relire')).toBe(0.6)
    expect(parseConfidence('CONFIDENCE-SCORE = 1.00')).toBe(1)
    expect(parseConfidence('confidence score:\u00a00')).toBe(0)
    expect(parseConfidence('confidencescore=0.5.')).toBe(0.5)
  })

  it('should refuse what is not a confidence between 0 and 1', () => {
    expect(parseConfidence('confidence: 10')).toBeNull()
    expect(parseConfidence('confidence: 1.5')).toBeNull()
    expect(parseConfidence('confidence: 0.5.1')).toBeNull()
    expect(parseConfidence('confidence: 0,55,3')).toBeNull()
    expect(parseConfidence('surconfiance: 0.2')).toBeNull()
    expect(parseConfidence('confidence is 0.2')).toBeNull()
  })

  it('should take the first report that reads, after a letter-glued or malformed one', () => {
    expect(parseConfidence('overconfidence: 0.1, confidence: 0.9')).toBe(0.9)
    expect(parseConfidence('confidence: 0.5.5 puis confiance = 0,3')).toBe(0.3)
  })

  it('should see a letter just before the keyword as part of a longer word, one code unit back', () => {
    expect(parseConfidence('éconfidence: 0.2')).toBeNull()
    // A letter outside the BMP is two code units, neither a letter: the old lookbehind saw the letter.
    expect(parseConfidence('\u{1D400}confidence: 0.2')).toBe(0.2)
    expect(parseConfidence('\u{1F600}confidence: 0.2')).toBe(0.2)
  })

  it('should read the words before the value within 40 characters', () => {
    expect(parseConfidence(`confidence score${' '.repeat(23)}: 0.4`)).toBe(0.4)
    expect(parseConfidence(`confidence score${' '.repeat(24)}: 0.4`)).toBeNull()
    expect(parseConfidence(`confidence:${' '.repeat(100)}0.4`)).toBe(0.4)
  })
})
