/** The fault harness must be able to fail: each promise broken on purpose is reported (issue 14). */
import { describe, expect, it } from 'vitest'
import { commandToReply, type Flow, webhookToNotification } from './flows.ts'
import { runCase } from './run-case.ts'

/** The harness must be able to fail: each promise broken on purpose is reported. */
describe('the fault harness itself', () => {
  const at = async (flow: Flow, op: RegExp) => {
    const clean = await runCase(flow, null)
    const found = clean.ops.find((o) => op.test(`${o.name} ${o.key}`))
    if (!found) throw new Error(`${flow.name} has no operation ${op}`)
    return found.n
  }

  it('should report a loss when a delivery Plane took as delivered never reached the bridge (no recovery)', async () => {
    // Plane saw an answer (a proxy's), so it never re-sends; only the poll, not run here, would reconcile.
    const r = await runCase(webhookToNotification, null, {
      recover: false,
      sabotage: (t) => t.webhooks.route(() => 'drop'),
    })
    expect(r.problems).toContain('lost: never delivered')
  })

  it('should recover a delivery whose store write fails once, with no poll: the route tries the store again', async () => {
    const k = await at(webhookToNotification, /^claim-enqueue webhook:seen:/)
    const r = await runCase(webhookToNotification, { mode: 'throw', at: k }, { recover: false })
    expect(r.hit?.name).toBe('claim-enqueue')
    expect(r.problems).toEqual([])
  })

  it('should report a dead letter and a third delivery', async () => {
    const dead = await runCase(webhookToNotification, null, {
      sabotage: (t) => t.telegram.faults.failNext(1, 400),
    })
    expect(dead.problems.some((p) => p.startsWith('dead-lettered: telegram'))).toBe(true)
    const thrice = await runCase(commandToReply, null, {
      sabotage: async (t) => {
        for (let i = 0; i < 2; i++)
          await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))
      },
    })
    expect(thrice.problems).toContain('delivered 3 times')
  })
})
