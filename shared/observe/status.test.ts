import { describe, expect, it } from 'vitest'
import type { ContactStatus } from './status.ts'
import { createStatusLedger } from './status.ts'

describe('status ledger', () => {
  it('should write a contact through at once, then at most once a minute while its outcome holds', async () => {
    let now = 1_000_000
    const written: Array<[string, ContactStatus]> = []
    const ledger = createStatusLedger({
      now: () => now,
      persist: async (name, status) => void written.push([name, status]),
    })
    ledger.contact('plane', true)
    for (let i = 0; i < 50; i++) ledger.contact('plane', true)
    expect(written).toHaveLength(1)
    // A failure is written at once, and so is the recovery.
    ledger.contact('plane', false, 'HTTP 502')
    ledger.contact('plane', true)
    expect(written.map(([, s]) => s.ok)).toEqual([true, false, true])
    now += 61_000
    ledger.contact('plane', true)
    ledger.contact('telegram', true)
    await ledger.flush()
    expect(written.map(([name]) => name)).toEqual(['plane', 'plane', 'plane', 'plane', 'telegram'])
    expect(ledger.read().integrations.plane).toMatchObject({ ok: true })
  })

  it('should try again at the next contact when a write failed', async () => {
    let fail = true
    let writes = 0
    const ledger = createStatusLedger({
      persist: async () => {
        writes++
        if (fail) throw new Error('store down')
      },
    })
    ledger.contact('openclaw', true)
    await ledger.flush()
    fail = false
    ledger.contact('openclaw', true)
    await ledger.flush()
    expect(writes).toBe(2)
  })
})
