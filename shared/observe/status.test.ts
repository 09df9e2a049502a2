import { describe, expect, it } from 'vitest'
import type { ContactStatus } from './status.ts'
import { createStatusBoard } from './status.ts'

describe('status board', () => {
  it('should write a contact through at once, then at most once a minute while its outcome holds', async () => {
    let now = 1_000_000
    const written: Array<[string, ContactStatus]> = []
    const board = createStatusBoard({
      now: () => now,
      persist: async (name, status) => void written.push([name, status]),
    })
    board.contact('plane', true)
    for (let i = 0; i < 50; i++) board.contact('plane', true)
    expect(written).toHaveLength(1)
    // A failure is written at once, and so is the recovery.
    board.contact('plane', false, 'HTTP 502')
    board.contact('plane', true)
    expect(written.map(([, s]) => s.ok)).toEqual([true, false, true])
    now += 61_000
    board.contact('plane', true)
    board.contact('telegram', true)
    await board.flush()
    expect(written.map(([name]) => name)).toEqual(['plane', 'plane', 'plane', 'plane', 'telegram'])
    expect(board.snapshot().integrations.plane).toMatchObject({ ok: true })
  })

  it('should try again at the next contact when a write failed', async () => {
    let fail = true
    let writes = 0
    const board = createStatusBoard({
      persist: async () => {
        writes++
        if (fail) throw new Error('store down')
      },
    })
    board.contact('openclaw', true)
    await board.flush()
    fail = false
    board.contact('openclaw', true)
    await board.flush()
    expect(writes).toBe(2)
  })
})
