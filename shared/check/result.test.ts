import { describe, expect, it } from 'vitest'
import { ago, formatCheckLine, offResult, summarizeChecks } from './result.ts'

describe('check results', () => {
  it('should mark each line ✓, ✗ or – and count what failed', () => {
    const results = [
      { name: 'plane', status: 'ok' as const, detail: 'key accepted' },
      { name: 'telegram webhook', status: 'fail' as const, detail: 'wrong URL' },
      offResult('openclaw', ['OPENCLAW_HOOKS_URL']),
    ]
    expect(results.map(formatCheckLine)).toEqual([
      '✓ plane: key accepted',
      '✗ telegram webhook: wrong URL',
      '– openclaw: off (OPENCLAW_HOOKS_URL unset)',
    ])
    expect(summarizeChecks(results)).toEqual({
      summary: '1 ok, 1 failed, 1 off',
      failed: ['telegram webhook'],
    })
  })

  it('should say how long ago in minutes, hours, then days', () => {
    const now = 10 * 24 * 3_600_000
    expect(ago(now - 4 * 60_000, now)).toBe('4 min ago')
    expect(ago(now - 3 * 3_600_000, now)).toBe('3 h ago')
    expect(ago(now - 3 * 24 * 3_600_000, now)).toBe('3 days ago')
  })
})
