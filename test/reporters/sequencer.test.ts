import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { LONG_FILES, rankOf } from './sequencer.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

describe('the long-files-first order', () => {
  it('should name files that exist (a renamed one would silently start last again)', () => {
    expect(LONG_FILES.filter((file) => !existsSync(`${ROOT}${file}`))).toEqual([])
  })

  it('should put the listed files first, in their order, and every other file after them', () => {
    expect(rankOf('test/openclaw-cli/one-gateway.test.ts')).toBe(0)
    expect(rankOf('test/invariants/redis.test.ts')).toBe(1)
    expect(rankOf('test/faults/tool-write.fault.test.ts')).toBe(3)
    expect(rankOf('shared/observe/log.test.ts')).toBe(LONG_FILES.length)
  })
})
