/**
 * A job's end (`settle`) and a shutdown keep their bounds when Plane's window is full for background work: the
 * messages go, a run card still waiting for the bridge key's share is given up (nothing sent, the card kept marked
 * for the next pass, which writes it once the window has room: shared/runs/records.test.ts). The CI once saw a
 * card's write wait 56 s for the key's background share, past a job's 30 s bound, with a message behind it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_RATE_LIMIT, windowCeiling } from '../../shared/plane/request-window.ts'
import { CARD_DELAY_MS, CARDS_DUE_SET, runRecordKey } from '../../shared/runs/records.ts'
import type { RunRecord } from '../../shared/runs/types.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { type E2E, startE2E } from '../../sim/e2e/harness.ts'
import { bridgeWindowHeld, spendBridgeWindow } from '../../sim/e2e/key-window.ts'

let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

/** Background work's share of the bridge key's window (40 of Plane's default 60). */
const BACKGROUND_SHARE = windowCeiling('background', DEFAULT_RATE_LIMIT.requests)

/**
 * A task Thot works on, its card written; then another process of the bridge's key (a poll job) spends background
 * work's whole share of the window, and Thot finishes the task (its own share): the human is told, the card marked.
 */
async function cardWaitingForWindow() {
  // Real time, Plane's default limit: the card's wait is a real wait for the window.
  const t = await startE2E({ concierge: true })
  e2e = t
  const as = (agent: 'ra' | 'thot') => async (tool: string, input: unknown) => {
    const result = await callHttp(t.app, tool, t.bridgeTokens[agent] as string, input)
    expect(result.status, `${tool}: ${JSON.stringify(result.body)}`).toBe(200)
    return result.body as Record<string, unknown>
  }
  const created = await as('ra')('create_task', {
    project: 'ONB',
    title: 'Configurer Redis',
    assignee: 'thot',
  })
  const taskId = String(created.id)
  await as('thot')('update_task_status', { task: 'ONB-1', status: 'in_progress' })
  await t.settle()
  expect(await t.services.store.sortedSize(CARDS_DUE_SET)).toBe(0)
  const card = (await t.services.store.get<RunRecord>(runRecordKey(taskId)))?.cardCommentId
  expect(card).toBeTruthy()

  // Background work's whole share, as a poll job beside the server spends it.
  await spendBridgeWindow(t, 'background', Date.now)
  const held = () => bridgeWindowHeld(t, Date.now)

  const sentBefore = t.telegram.callsOf('sendMessage').length
  const planeBefore = t.plane.requests.length
  await as('thot')('update_task_status', {
    task: 'ONB-1',
    status: 'done',
    summary: 'Redis configuré',
    confidence: 0.9,
  })
  expect(await t.services.store.sortedSize(CARDS_DUE_SET)).toBe(1)
  return {
    t,
    taskId,
    held,
    /** Messages Telegram took since Thot finished. */
    told: () =>
      t.telegram
        .callsOf('sendMessage')
        .slice(sentBefore)
        .filter((c) => c.status === 200)
        .map((c) => String(c.params.text)),
    /** Requests for the card (written before) that reached Plane since Thot finished. */
    cardRequests: () =>
      t.plane.requests.slice(planeBefore).filter((r) => r.path.includes(`${card}`)),
    /** The tasks whose card is marked. */
    marked: async () =>
      (await t.services.store.sortedRange(CARDS_DUE_SET, {})).map((e) => e.member),
  }
}

describe('a card waiting for Plane’s window holds neither a job’s end nor a shutdown', () => {
  it('should send the queued message, give up the card waiting for the window at the deadline, and keep it marked', async () => {
    const { t, taskId, held, told, cardRequests, marked } = await cardWaitingForWindow()
    const bound = 1_500
    const deadline = Date.now() + bound
    const settled = await t.bridge.settle(bound)
    expect(settled.cards).toBe(1)
    // What is still queued could not go before the deadline (the live view's next edit, spaced by its own delay).
    const queued = await t.bridge.outbox.pending()
    expect(queued).toHaveLength(settled.left)
    for (const item of queued) expect(item.notBefore).toBeGreaterThan(deadline)
    // The message went; the card's write was never sent (the window was still full for background work).
    expect(told().some((text) => text.includes('Configurer Redis'))).toBe(true)
    expect(cardRequests()).toEqual([])
    expect(await held()).toBeGreaterThanOrEqual(BACKGROUND_SHARE)
    // Kept marked, as it was: the server's next pass has it.
    expect(await marked()).toEqual([taskId])
  })

  it('should give up at a shutdown the card the background waits to write, its lock released, the card kept marked', async () => {
    const { t, taskId, cardRequests, marked } = await cardWaitingForWindow()
    // The server's own card step: due in 5 s, then waiting for the window.
    await new Promise((resolve) => setTimeout(resolve, CARD_DELAY_MS + 500))
    const lockCard = () => t.services.store.lock(`run:card-lock:${taskId}`, 1)
    expect(await lockCard()).toBeNull()
    // The stop is not held for it (a minute's wait, before): the runtime is idle at once.
    expect(await t.halt(2_000)).toBe(true)
    expect(cardRequests()).toEqual([])
    expect(await marked()).toEqual([taskId])
    // The next start writes it at once, not after the lock's two minutes.
    const lock = await lockCard()
    expect(lock).not.toBeNull()
    await lock?.release()
  })
})
