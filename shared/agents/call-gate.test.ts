import { describe, expect, it } from 'vitest'
import { createCallGate, type GateEntry } from './call-gate.ts'

/** A wait the test ends by hand: `release()` times out every wait begun so far. */
function manualWait() {
  const pending: Array<() => void> = []
  return {
    wait: () => new Promise<void>((resolve) => pending.push(resolve)),
    release: () => {
      for (const resolve of pending.splice(0)) resolve()
    },
  }
}

const ok = (entry: GateEntry) => {
  if (!entry.ok) throw new Error('expected a slot')
  return entry
}

describe('createCallGate', () => {
  it('should run up to the cap at once, hand a freed slot to the first waiter, and time out the rest', async () => {
    const timer = manualWait()
    const gate = createCallGate({ maxInFlight: 2, maxWaitMs: 2000, wait: timer.wait })
    const a = ok(await gate.enter('imhotep'))
    const b = ok(await gate.enter('imhotep'))
    const third = gate.enter('imhotep')
    const fourth = gate.enter('imhotep')
    expect(gate.load('imhotep')).toEqual({ inFlight: 2, queued: 2 })
    a.leave()
    const c = ok(await third)
    expect(gate.load('imhotep')).toEqual({ inFlight: 2, queued: 1 })
    timer.release()
    expect(await fourth).toEqual({ ok: false, inFlight: 2, queued: 0, retryAfterS: 2 })
    b.leave()
    c.leave()
    expect(gate.load('imhotep')).toEqual({ inFlight: 0, queued: 0 })
  })

  it('should refuse at once past the queue, and never hold another agent', async () => {
    const timer = manualWait()
    const gate = createCallGate({ maxInFlight: 1, maxWaitMs: 5000, maxQueued: 1, wait: timer.wait })
    const held = ok(await gate.enter('imhotep'))
    const queued = gate.enter('imhotep')
    expect(await gate.enter('imhotep')).toMatchObject({ ok: false, inFlight: 1, queued: 1 })
    // Thot has slots of its own.
    ok(await gate.enter('thot')).leave()
    held.leave()
    ok(await queued).leave()
    timer.release()
  })

  it('should give a slot back once, however often leave is called', async () => {
    const gate = createCallGate({ maxInFlight: 1, maxWaitMs: 0 })
    const entry = ok(await gate.enter('ra'))
    entry.leave()
    entry.leave()
    const again = ok(await gate.enter('ra'))
    expect(await gate.enter('ra')).toMatchObject({ ok: false })
    again.leave()
  })
})
