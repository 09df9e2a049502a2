/** Issue 14's single-fault sweep on Redis: every Redis operation of the webhook flow fails, or the process dies there. */
import { describe, expect, it } from 'vitest'
import { createNodeStore } from '../../runtime/node-store.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { dropRedisPrefix, TEST_REDIS_URL } from '../helpers/redis.ts'
import { webhookToNotification } from './flows.ts'
import { runCase } from './run-case.ts'
import { describeOp, MODES, pool } from './sweep.ts'

/**
 * Cases run this many at a time here, three times the other sweeps' CONCURRENCY: a killed case waits out its dead
 * process's 4 s lease in real time, so the sweep is mostly waiting (alone, 13 s of CPU in a 90 s run at 4).
 */
const REDIS_CONCURRENCY = 12

/**
 * On Redis the pipeline keeps a task's lock for up to a second and remembers its snapshot and pending change
 * meanwhile (shared/store/keyed-lock.ts): every Redis operation of the webhook flow fails once in turn, and the
 * process dies at each in turn. A dead process's locks lapse with their 4 s lease in real time (the shared clock
 * cannot skip Redis expiries), which is most of this sweep's minute.
 */
describe('exactly once under any single store fault, on Redis', () => {
  it('should deliver webhook → notification once whichever Redis operation fails or the process dies at', async () => {
    const prefixes: string[] = []
    const redis = () => {
      const prefix = `faults-${process.pid}-${Date.now()}-${prefixes.length}`
      prefixes.push(prefix)
      return createNodeStore(loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix }))
    }
    try {
      // The task lock lingers a second between the sighting and the flush (pipeline lingerLocks): on a machine
      // busy with the rest of the suite they can be further apart; the sweep is laid out on a clean run where
      // the linger held, as it does in production (tried up to three times).
      let clean = await runCase(webhookToNotification, null, { store: redis })
      for (
        let tries = 1;
        tries < 3 && clean.ops.some((o) => o.name === 'lock' && o.key.startsWith('task:lock:'));
        tries++
      )
        clean = await runCase(webhookToNotification, null, { store: redis })
      expect(clean.problems).toEqual([])
      // The sighting and the flush find the task's lock still held by the baseline poll, and its snapshot and
      // pending change in the memo: the sweep below fails the writes that memo must follow.
      const keys = clean.ops.map((o) => `${o.name} ${o.key}`)
      expect(keys.filter((k) => k.startsWith('lock task:lock:'))).toEqual([])
      expect(keys.filter((k) => k.startsWith('get task:snapshot:'))).toEqual([])
      expect(keys.filter((k) => k.startsWith('set task:snapshot:'))).toHaveLength(1)
      const runs = MODES.flatMap((mode) =>
        Array.from({ length: clean.ops.length }, (_, i) => async () => ({
          mode,
          k: i + 1,
          ...(await runCase(webhookToNotification, { mode, at: i + 1 }, { store: redis })),
        }))
      )
      const started = Date.now()
      const results = await pool(runs, REDIS_CONCURRENCY)
      const failures = results.flatMap((r) =>
        r.problems.length > 0
          ? [`${r.mode} | k=${r.k} | ${describeOp(r)} | ${r.problems.join('; ')}`]
          : []
      )
      console.log(
        `webhook → notification on Redis: ${clean.ops.length} store operations, ${results.length} faulted runs, ${results.filter((r) => r.hit).length} hit, ${failures.length} failures, ${Math.round((Date.now() - started) / 1000)} s`
      )
      expect(failures, failures.join('\n')).toEqual([])
    } finally {
      for (const prefix of prefixes) await dropRedisPrefix(prefix)
    }
  }, 300_000)
})
