import { describe, expect, it } from 'vitest'
import { createMemoryStore, type Store } from '../store/store.ts'
import { createAgentCalls, LAST_CALL_WRITE_MS } from './last-calls.ts'

describe('createAgentCalls', () => {
  it('should write an agent’s call at most once a minute, and read every agent’s in one go', async () => {
    let now = 1_000_000
    const memory = createMemoryStore()
    let writes = 0
    const store: Store = {
      ...memory,
      set: (key, value, options) => {
        writes++
        return memory.set(key, value, options)
      },
    }
    const calls = createAgentCalls({ store, now: () => now })
    await calls.called('imhotep')
    now += 30_000
    await calls.called('imhotep')
    expect(writes).toBe(1)
    expect(await calls.lastCalls(['imhotep', 'thot'])).toEqual([1_000_000, null])
    now += LAST_CALL_WRITE_MS
    await calls.called('imhotep')
    expect(writes).toBe(2)
    expect(await calls.lastCalls(['imhotep'])).toEqual([now])
  })

  it('should try again at the next call when a write failed', async () => {
    const memory = createMemoryStore()
    let fail = true
    const store: Store = {
      ...memory,
      set: (key, value, options) =>
        fail ? Promise.reject(new Error('store down')) : memory.set(key, value, options),
    }
    const calls = createAgentCalls({ store, now: () => 5 })
    await expect(calls.called('thot')).rejects.toThrow('store down')
    fail = false
    await calls.called('thot')
    expect(await calls.lastCalls(['thot'])).toEqual([5])
  })
})
