import { describe, expect, it } from 'vitest'
import { inboxId, inboxText } from './inbox.ts'

describe('an inbox entry', () => {
  it('should be a line of the delivery headers, then the body character for character', () => {
    const body = '{"event": "issue",\n\t"name": "é ✓ \\n"}'
    expect(inboxText({ event: 'issue', delivery: 'd-1' }, body)).toBe(
      `plane-delivery/1\tissue\td-1\n${body}`
    )
  })

  it('should keep a header from breaking its line: tabs, newlines, spaces and the unprintable dropped, cut to 100', () => {
    const entry = inboxText({ event: 'is\tsue\r\n x', delivery: `${'a'.repeat(150)}\u0000é` }, 'b')
    const [line, body] = entry.split('\n')
    expect(line?.split('\t')).toEqual(['plane-delivery/1', 'issuex', 'a'.repeat(100)])
    expect(body).toBe('b')
    expect(inboxText({ event: null, delivery: '' }, '')).toBe('plane-delivery/1\t\t\n')
  })

  it('should be named by its arrival, in order, then the body hash', () => {
    const hash = 'f'.repeat(64)
    expect(inboxId(hash, 1_700_000_000_000)).toBe(`00loyw3v28-${'f'.repeat(16)}`)
    expect(inboxId(hash, 9) < inboxId(hash, 10)).toBe(true)
    expect(Number.parseInt(inboxId(hash, 1_700_000_000_000).slice(0, 10), 36)).toBe(
      1_700_000_000_000
    )
  })
})
