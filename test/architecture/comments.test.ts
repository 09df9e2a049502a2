/**
 * Product code never cites this project's own issue numbers: a reader of the code has no tracker, so a comment
 * keeps the reason and git keeps the history (STYLE.md). Upstream references (`makeplane/plane#7249`) stay: they
 * are public and can be followed.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PRODUCT_DIRS = ['functions', 'shared', 'runtime']

/**
 * "issue 46", "Issue #12", "issues 37–46", "issue\n * 46" (a comment's line break). Not after a word character
 * or a slash, so `error.issues`, `issue.deleted` and a tracker URL's `/issues/8054` are left alone. One optional
 * run of separators before one digit: no nested repetition, nothing to backtrack over.
 */
const ISSUE_CITATION = /(?<![\w/])issues?[\s/*]*#?\d/gi

/** Every product source file (tests left out) with how many issue numbers it cites, those citing none left out. */
function citationsByFile(): Record<string, number> {
  const found: Record<string, number> = {}
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.[cm]?[jt]s$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
        const count = readFileSync(path, 'utf8').match(ISSUE_CITATION)?.length ?? 0
        if (count > 0) found[relative(ROOT, path)] = count
      }
    }
  }
  for (const dir of PRODUCT_DIRS) walk(join(ROOT, dir))
  return found
}

const cites = (text: string) => (text.match(ISSUE_CITATION) ?? []).length > 0

describe('issue numbers in product code', () => {
  it('should find the ways this project cited its issues', () => {
    for (const text of [
      '// Plane (issue 45): only such a refusal',
      '(issue 46: the processing before it made five round trips)',
      '// Issue 37: each agent the comment mentions',
      'the bench of issues 37–46',
      'since issue 14',
      "issue 46's deploy bench",
      'see Issue #12',
      ' * the bench measured it (issue\n * 46).',
    ])
      expect(cites(text), text).toBe(true)
  })

  it("should leave upstream references and Plane's own words alone", () => {
    for (const text of [
      '// Plane CE sends one webhook per changed field (makeplane/plane#7249)',
      '(rubenlagus/TelegramBots#302)',
      'v1.3.0+ (PR #8763)',
      'https://github.com/makeplane/plane/issues/8054',
      'const problem = parsed.error.issues',
      'an `issue.deleted` delivery, or issue_id 4',
      'issues and cycles',
    ])
      expect(cites(text), text).toBe(false)
  })

  it('should cite no issue number anywhere in product code', () => {
    expect(Object.entries(citationsByFile())).toEqual([])
  })
})
