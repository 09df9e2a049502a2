/**
 * Issue 38, "Bounded under any input": every parser of outside text (Plane's HTML, agents' and people's
 * Markdown, comments read for a confidence or a run card) does work linear in the text's length on the inputs
 * that froze the old regular expressions. Work is counted, not timed (work-meter.ts): the same count on any
 * machine, so the bound is exact and the test cannot flake. The 1 MiB runs are in a vm context whose timeout
 * is only a fuse, for work the meter cannot see.
 */
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { parseConfidence } from '../../shared/notify/confidence.ts'
import { parseRunCard } from '../../shared/runs/run-card.ts'
import { htmlToText } from '../../shared/text/html-text.ts'
import { markdownToHtml } from '../../shared/text/markdown.ts'
import { ABUSE_CASES, type TextFunctionName } from './text-cases.ts'
import { meterWork, RegexOnLongTextError } from './work-meter.ts'

const KIB = 1024
const SIZES = [KIB, 32 * KIB, 1024 * KIB] as const
/** Characters touched per character of input: the scanners measure 1–63 (escaping writes up to 6 per character). */
const WORK_PER_CHAR = 128
/** A linear scanner's work per character is the same at every size; this leaves room for constant overheads. */
const GROWTH_ALLOWED = 1.25
/** Only catches a hang the meter cannot see (a loop indexing `text[i]`): 1 MiB takes well under a second. */
const FUSE_MS = 20_000

const FUNCTIONS: Record<TextFunctionName, (text: string) => unknown> = {
  htmlToText,
  markdownToHtml,
  parseConfidence,
  parseRunCard,
}

describe('text from outside, bounded work (issue 38)', () => {
  for (const [fn, run] of Object.entries(FUNCTIONS)) {
    describe(fn, () => {
      const cases = ABUSE_CASES.filter((c) => c.fn === fn)
      it.each(cases)(
        'should read $name from 1 KiB to 1 MiB with work linear in its length',
        ({ text }) => {
          const perChar: number[] = []
          for (const size of SIZES) {
            const input = text(size)
            const { work } = _meterWithFuse(() => run(input))
            perChar.push(work / input.length)
          }
          for (const ratio of perChar) expect(ratio).toBeLessThanOrEqual(WORK_PER_CHAR)
          const smallest = perChar[0] as number
          for (const ratio of perChar)
            expect(ratio).toBeLessThanOrEqual(smallest * GROWTH_ALLOWED + 1)
        }
      )
    })
  }
})

describe('work meter', () => {
  it('should count a scan that starts again from every position as quadratic', () => {
    // The shape of the old `<[^>]*>` on a run of `<`: from each one, a search to the end.
    const rescan = (text: string) => {
      let found = 0
      for (let i = 0; i < text.length; i++) found += text.indexOf('>', i) < 0 ? 0 : 1
      return found
    }
    const small = meterWork(() => rescan('<'.repeat(KIB)))
    const large = meterWork(() => rescan('<'.repeat(32 * KIB)))
    expect(large.work / (32 * KIB)).toBeGreaterThan((small.work / KIB) * 16)
  })

  it('should refuse a regular expression run on long text, and allow it on a short one', () => {
    expect(() => meterWork(() => /<[^>]*>/g.test('<'.repeat(KIB)))).toThrow(RegexOnLongTextError)
    expect(meterWork(() => /^a+$/.test('aaa')).result).toBe(true)
    // The patches are gone once the meter returns.
    expect(/<[^>]*>/g.test('<'.repeat(KIB))).toBe(false)
  })
})

// --- Internal helpers ---

/** The meter, inside a vm context whose timeout stops a run the meter cannot bound. */
function _meterWithFuse(run: () => unknown): { work: number } {
  const box: { work: number } = { work: 0 }
  runInNewContext('box.work = meterWork(run).work', { box, meterWork, run }, { timeout: FUSE_MS })
  return box
}
