/**
 * A job's end (`settle`) keeps its bound when Plane's window is full for background work: the messages it queued go
 * first, a run card still waiting for the bridge key's share is given up at the deadline (nothing sent, the card
 * kept marked for the server), and the next runtime's pass writes it once the window has room. The CI once saw a
 * card's write wait 56 s for the key's background share, past a job's 30 s bound, with a message behind it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  createRequestWindow,
  DEFAULT_RATE_LIMIT,
  lateness,
  sharedWindowKey,
  windowCeiling,
} from '../../shared/plane/request-window.ts'
import { CARDS_DUE_SET, runRecordKey } from '../../shared/runs/records.ts'
import type { RunRecord } from '../../shared/runs/types.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { type E2E, startE2E } from '../../sim/e2e/harness.ts'

let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

/** Background work's share of the bridge key's window (40 of Plane's default 60). */
const BACKGROUND_SHARE = windowCeiling('background', DEFAULT_RATE_LIMIT.requests)

describe('settle within its bound (a job’s end)', () => {
  it('should send the queued message, give up the card waiting for the window at the deadline, and keep it marked', async () => {
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

    // Another process of the bridge's key (a poll job) spends background work's whole share of the window.
    const span = DEFAULT_RATE_LIMIT.windowMs + lateness(DEFAULT_RATE_LIMIT.windowMs)
    const window = sharedWindowKey(t.users.bridge.apiKey, DEFAULT_RATE_LIMIT)
    /** Starts in the key's window, read as a take with a ceiling of 1 (it takes none once the window holds one). */
    const held = async () =>
      (
        await t.services.store.windowTake(window, {
          nowMs: Date.now(),
          windowMs: span,
          ceiling: 1,
        })
      ).count
    const other = createRequestWindow({ apiKey: t.users.bridge.apiKey, shared: t.services.store })
    while ((await held()) < BACKGROUND_SHARE) await other.acquire('human')

    // The agent finishes (its own share of the window): the human is told, the card is marked.
    const sentBefore = t.telegram.callsOf('sendMessage').length
    const planeBefore = t.plane.requests.length
    await as('thot')('update_task_status', {
      task: 'ONB-1',
      status: 'done',
      summary: 'Redis configuré',
      confidence: 0.9,
    })
    expect(await t.services.store.sortedSize(CARDS_DUE_SET)).toBe(1)

    const bound = 1_500
    const deadline = Date.now() + bound
    const settled = await t.bridge.settle(bound)
    expect(settled.cards).toBe(1)
    // What is still queued could not go before the deadline (the live view's next edit, spaced by its own delay).
    const queued = await t.bridge.outbox.pending()
    expect(queued).toHaveLength(settled.left)
    for (const item of queued) expect(item.notBefore).toBeGreaterThan(deadline)
    // The message went; the card's write was never sent (the window was still full for background work).
    const told = t.telegram
      .callsOf('sendMessage')
      .slice(sentBefore)
      .filter((c) => c.status === 200)
      .map((c) => String(c.params.text))
    expect(told.some((text) => text.includes('Configurer Redis'))).toBe(true)
    // The card (written at the first settle) was not touched since: no request for it reached Plane.
    const card = (await t.services.store.get<RunRecord>(runRecordKey(taskId)))?.cardCommentId
    expect(card).toBeTruthy()
    expect(t.plane.requests.slice(planeBefore).filter((r) => r.path.includes(`${card}`))).toEqual(
      []
    )
    expect(await held()).toBeGreaterThanOrEqual(BACKGROUND_SHARE)
    // Kept marked, as it was: the server's next pass has it.
    expect((await t.services.store.sortedRange(CARDS_DUE_SET, {})).map((e) => e.member)).toEqual([
      taskId,
    ])
  })
})
