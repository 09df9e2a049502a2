/**
 * The file store's locks between processes: the service and `npm run job` beside it on one DATA_DIR, each its own
 * store on the one journal. Random interleavings of takes, renewals and releases, started together or one after
 * the other, in one turn of the event loop or across turns, while the clock moves: at no moment do two processes
 * hold one lock, and a lock let go (released or expired) can be taken again.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Store, StoreLock } from '../shared/store/types.ts'
import { openFileStore } from './helpers/file-store.ts'

const PROCESSES = 3
const KEYS = ['outbox:drain:telegram', 'outbox:drain:openclaw']

type Op =
  | { op: 'take'; by: number; key: number; ttl: number }
  | { op: 'extend'; pick: number; ttl: number }
  | { op: 'release'; pick: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('take' as const),
    by: fc.nat(PROCESSES - 1),
    key: fc.nat(KEYS.length - 1),
    ttl: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({
    op: fc.constant('extend' as const),
    pick: fc.nat(),
    ttl: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({ op: fc.constant('release' as const), pick: fc.nat() })
)

type Step = { ops: Op[]; tickMs: number; newTurn: boolean }

/** Ops started together (no await between them), then the clock moves and maybe a new turn begins. */
const stepArb: fc.Arbitrary<Step> = fc.record({
  ops: fc.array(opArb, { minLength: 1, maxLength: 4 }),
  tickMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6000 })),
  newTurn: fc.boolean(),
})

type Held = { by: number; key: string; lock: StoreLock; until: number }

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

async function play(steps: Step[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-locks-'))
  let clock = Date.parse('2026-11-28T09:00:00Z')
  const now = () => clock
  const stores: Store[] = Array.from({ length: PROCESSES }, () => openFileStore(dir, { now }))
  const held: Held[] = []
  const violations: string[] = []
  const forget = (h: Held) => held.splice(held.indexOf(h), 1)
  try {
    for (const [i, step] of steps.entries()) {
      await Promise.all(
        step.ops.map(async (op) => {
          if (op.op === 'take') {
            const key = KEYS[op.key] as string
            const lock = await stores[op.by]?.lock(key, op.ttl)
            if (lock) held.push({ by: op.by, key, lock, until: now() + op.ttl * 1000 })
            return
          }
          const h = held[op.pick % Math.max(1, held.length)]
          if (!h) return
          if (op.op === 'extend') {
            const at = now()
            if (await h.lock.extend(op.ttl)) h.until = at + op.ttl * 1000
            else forget(h)
            return
          }
          forget(h)
          const wasMine = await h.lock.release()
          // Told it was still its own: nobody else held the key meanwhile.
          if (wasMine && held.some((o) => o.key === h.key && o.until > now()))
            violations.push(`step ${i}: ${h.key} released as its own while another held it`)
        })
      )
      // Held, as each holder believes: taken or renewed, not released, not expired.
      for (const key of KEYS) {
        const holders = held.filter((h) => h.key === key && h.until > now())
        if (new Set(holders.map((h) => h.by)).size > 1 || holders.length > 1)
          violations.push(
            `step ${i}: ${key} held by processes ${holders.map((h) => h.by).join(', ')}`
          )
      }
      clock += step.tickMs
      for (const h of held.filter((h) => h.until <= now())) forget(h)
      if (step.newTurn) await nextTurn()
    }
    // Let go by all: each process can take each lock again.
    for (const h of [...held]) {
      await h.lock.release()
      forget(h)
    }
    await nextTurn()
    for (const key of KEYS) {
      const lock = await stores[0]?.lock(key, 5)
      if (!lock) violations.push(`${key} still taken once every holder let it go`)
      await lock?.release()
    }
    return violations
  } finally {
    for (const store of stores) await store.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Processes on one fresh DATA_DIR, each `open()` a store of its own on its journal (rewritten from 16 KiB on): all
 * disposed and the folder removed at the end.
 */
async function onOneJournal(fn: (open: () => Store, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-locks-'))
  const opened: Store[] = []
  const open = () => {
    const store = openFileStore(dir, { compactMinBytes: 16 * 1024 })
    opened.push(store)
    return store
  }
  try {
    await fn(open, dir)
  } finally {
    for (const store of opened) await store.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('fs store locks between processes on one journal', () => {
  it('should never let two processes hold one lock, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
        expect(await play(steps)).toEqual([])
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS) || 200 }
    )
  })

  it('should keep a lock held across a rewrite of the journal, for the job that has it open and for a new process', async () => {
    await onOneJournal(async (open, dir) => {
      const service = open()
      const job = open()
      const lock = await service.lock('outbox:drain:telegram', 60)
      expect(lock).not.toBeNull()
      // Enough writes to rewrite the journal from the live state a few times over.
      for (let i = 0; i < 100; i++) await service.set(`k:${i % 5}`, 'x'.repeat(1000))
      expect(statSync(join(dir, 'store.journal')).size).toBeLessThan(64 * 1024)
      await nextTurn()
      // The rewrite keeps the lock as a take: held for the job that had the old file open, and for a new process.
      expect(await job.lock('outbox:drain:telegram', 60)).toBeNull()
      const late = open()
      expect(await late.lock('outbox:drain:telegram', 60)).toBeNull()
      expect(await lock?.extend(60)).toBe(true)
      expect(await lock?.release()).toBe(true)
      await nextTurn()
      const next = await late.lock('outbox:drain:telegram', 60)
      expect(next).not.toBeNull()
      await next?.release()
    })
  })

  it('should give a lock two processes take in the same turn to the one whose line comes first', async () => {
    await onOneJournal(async (open) => {
      const service = open()
      const job = open()
      // The job read the journal in this turn, before the service took the lock: it decides on what it read.
      expect(await job.has('outbox:drain:telegram')).toBe(false)
      const [mine, theirs] = await Promise.all([
        service.lock('outbox:drain:telegram', 30),
        job.lock('outbox:drain:telegram', 30),
      ])
      expect(mine).not.toBeNull()
      expect(theirs).toBeNull()
      // The holder's release frees it: the job reads what others appended once a turn (local-journaled.ts
      // `refresh`), so in its next one.
      expect(await mine?.release()).toBe(true)
      await nextTurn()
      const again = await job.lock('outbox:drain:telegram', 30)
      expect(again).not.toBeNull()
      expect(await service.lock('outbox:drain:telegram', 30)).toBeNull()
      await again?.release()
      await nextTurn()
      // A third process opening the journal now reads the same outcome.
      const third = await open().lock('outbox:drain:telegram', 30)
      expect(third).not.toBeNull()
      await third?.release()
    })
  })
})
