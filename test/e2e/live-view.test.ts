/**
 * The live view through the simulators (NOTIF-07): an agent's progress reports reach the human's chat in one silent
 * message edited in place, within 10 s, coalesced under a burst to Telegram's edit limits (the Telegram simulator's
 * flood control refuses edits too close together or past 20 a minute), sent anew when the human deleted it, across a
 * restart and with two replicas on one store; `/plane agent` and `/plane status` show the same progress.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { CHAT_ID, type E2E, restartE2E, sideRuntime, startE2E } from '../../sim/e2e/harness.ts'
import { virtualClock } from '../helpers/clock.ts'

const running: E2E[] = []
afterEach(async () => {
  for (const t of running.splice(0)) await t.stop().catch(() => undefined)
})

const SECOND = 1_000

/**
 * Let what runs finish and the outbox drain on the virtual clock, without waiting in real time for the timers a
 * live message's next edit sets (the harness's `settle` waits for them: 4 s of real time each).
 */
async function settle(t: E2E) {
  await t.plane.webhooks.settle()
  for (let i = 0; i < 2; i++) {
    await t.services.background.idle(10_000, { timers: false })
    await t.bridge.settle(30_000)
  }
}
const LIVE_STATES = [
  '🔨 en cours',
  '✅ terminée',
  '⛔ bloquée',
  '🚫 annulée',
  '❓ attend votre réponse',
]

async function start(env: Record<string, string> = {}) {
  const clock = virtualClock()
  const t = await startE2E({
    concierge: true,
    env,
    now: clock.now,
    sleep: clock.sleep,
    plane: { now: clock.now },
    // Telegram's limits, on the same clock: a second between a chat's calls, 20 edits a minute.
    telegram: { now: clock.now, floodControl: { minIntervalMs: SECOND } },
  })
  running.push(t)
  const as = (runtime: E2E, agent: 'imhotep' | 'ra') => async (tool: string, input: unknown) => {
    const result = await callHttp(runtime.app, tool, runtime.bridgeTokens[agent] as string, input)
    if (result.status !== 200) throw new Error(`${tool}: ${JSON.stringify(result.body)}`)
    return result.body as Record<string, unknown> & { id: string; ref: string }
  }
  const task = await as(t, 'ra')('create_task', {
    project: 'ONB',
    title: 'Indexer la doc',
    assignee: 'imhotep',
  })
  await settle(t)
  const imhotep = as(t, 'imhotep')
  await imhotep('update_task_status', { task: task.ref, status: 'in_progress' })
  await settle(t)
  /** The chat's live messages of the task: their last line is its state, in message order. */
  const liveMessages = () =>
    t.telegram
      .messagesIn(CHAT_ID)
      .filter((m) => m.text.includes('Indexer la doc'))
      .filter((m) => LIVE_STATES.some((s) => m.text.split('\n').at(-1)?.endsWith(s)))
  const calls = (method: string) => t.telegram.callsOf(method)
  /** Messages sent without sound: the live ones, nothing else the bridge sends is silent. */
  const liveSends = () =>
    calls('sendMessage').filter((c) => c.params.disable_notification === true && c.status === 200)
  return { t, clock, task, imhotep, as, liveMessages, calls, liveSends }
}

describe('the live view (TELEGRAM_LIVE=tasks, the default)', () => {
  it('should show three reports, each within 10 s, in one message edited in place without sound', async () => {
    const { t, clock, task, imhotep, liveMessages, liveSends, calls } = await start()
    // Started: its live message, sent without sound.
    expect(liveMessages()).toHaveLength(1)
    expect(liveSends()).toHaveLength(1)
    expect(liveSends()[0]?.params.disable_notification).toBe(true)
    const id = liveMessages()[0]?.message_id

    for (const [percent, step] of [
      [20, 'Pages listées'],
      [60, 'Indexé 120 pages sur 200'],
      [90, 'Relecture <finale> & liens'],
    ] as const) {
      clock.advance(30 * SECOND)
      const reportedAt = clock.now()
      const answer = await imhotep('add_comment', {
        task: task.ref,
        kind: 'progress',
        percent,
        text: step,
      })
      expect(answer.human_notification).toBe('live')
      await settle(t)
      const [message] = liveMessages()
      expect(liveMessages()).toHaveLength(1)
      expect(message?.message_id).toBe(id)
      expect(message?.text).toContain(`${percent} %`)
      expect(message?.text).toContain(step)
      const edit = calls('editMessageText').findLast((c) => c.status === 200)
      expect((edit?.at ?? Number.POSITIVE_INFINITY) - reportedAt).toBeLessThan(10 * SECOND)
    }
    // One message, never a new one per report; nothing refused.
    expect(liveSends()).toHaveLength(1)
    expect(calls('editMessageText').map((c) => c.status)).toEqual([200, 200, 200])

    // Done: the completion is told as always, and the live message shows the end, then stops changing.
    await imhotep('update_task_status', {
      task: task.ref,
      status: 'done',
      summary: 'Index prêt',
      confidence: 0.9,
      cost: 3.5,
    })
    await settle(t)
    const ended = liveMessages()[0]?.text ?? ''
    expect(ended).toContain('terminée')
    expect(ended).toContain('3,5 $')
    const edits = calls('editMessageText').length
    const late = await imhotep('add_comment', {
      task: task.ref,
      kind: 'progress',
      percent: 100,
      text: 'fin',
    })
    expect(late.human_notification).toBe('none')
    clock.advance(60 * SECOND)
    await settle(t)
    expect(calls('editMessageText')).toHaveLength(edits)
  }, 60_000)

  it('should cost a burst of 20 reports in 5 s a few edits, and no 429', async () => {
    const { t, clock, task, imhotep, liveMessages, calls } = await start()
    const before = calls('editMessageText').length
    for (let i = 1; i <= 20; i++) {
      await imhotep('add_comment', {
        task: task.ref,
        kind: 'progress',
        percent: i * 5,
        text: `Étape ${i}`,
      })
      // A quarter of a second between reports; the outbox's lane runs meanwhile, as a live server's kicks make it.
      clock.advance(250)
      t.bridge.kick()
      await t.services.background.idle(5_000, { timers: false })
    }
    await settle(t)
    expect(liveMessages()).toHaveLength(1)
    expect(liveMessages()[0]?.text).toContain('Étape 20')
    const edits = calls('editMessageText').slice(before)
    expect(edits.length).toBeGreaterThan(0)
    expect(edits.length).toBeLessThanOrEqual(3)
    expect(t.telegram.calls.filter((c) => c.status === 429)).toEqual([])
  }, 60_000)

  it('should send the message anew when the human deleted it, and edit the new one after', async () => {
    const { t, clock, task, imhotep, liveMessages } = await start()
    const first = liveMessages()[0]?.message_id ?? 0
    t.telegram.chats.deleteMessage(CHAT_ID, first)
    clock.advance(10 * SECOND)
    await imhotep('add_comment', {
      task: task.ref,
      kind: 'progress',
      percent: 40,
      text: 'Après suppression',
    })
    await settle(t)
    const [again] = liveMessages()
    expect(liveMessages()).toHaveLength(1)
    expect(again?.message_id).not.toBe(first)
    expect(again?.text).toContain('Après suppression')
    clock.advance(10 * SECOND)
    await imhotep('add_comment', {
      task: task.ref,
      kind: 'progress',
      percent: 50,
      text: 'Et ensuite',
    })
    await settle(t)
    expect(liveMessages().map((m) => m.message_id)).toEqual([again?.message_id])
    expect(liveMessages()[0]?.text).toContain('Et ensuite')
  }, 60_000)

  it('should go on editing the same message after a restart between two reports', async () => {
    const { t, clock, task, as, liveMessages } = await start()
    await as(t, 'imhotep')('add_comment', {
      task: task.ref,
      kind: 'progress',
      percent: 30,
      text: 'Avant',
    })
    await settle(t)
    const id = liveMessages()[0]?.message_id
    await t.halt()
    const next = await restartE2E(t, {
      store: t.services.store,
      now: clock.now,
      sleep: clock.sleep,
    })
    running.push(next)
    clock.advance(10 * SECOND)
    await as(next, 'imhotep')('add_comment', {
      task: task.ref,
      kind: 'progress',
      percent: 70,
      text: 'Après',
    })
    await settle(next)
    expect(liveMessages().map((m) => m.message_id)).toEqual([id])
    expect(liveMessages()[0]?.text).toContain('Après')
  }, 60_000)

  it('should never send two live messages for one task from two replicas on one store', async () => {
    const { t, clock, task, as, liveMessages, liveSends } = await start()
    const other = await sideRuntime(t, {
      store: t.services.store,
      now: clock.now,
      sleep: clock.sleep,
    })
    running.push(other)
    for (let i = 1; i <= 6; i++) {
      clock.advance(2 * SECOND)
      await Promise.all([
        as(t, 'imhotep')('add_comment', {
          task: task.ref,
          kind: 'progress',
          percent: i * 10,
          text: `A${i}`,
        }),
        as(other, 'imhotep')('add_comment', {
          task: task.ref,
          kind: 'progress',
          percent: i * 10 + 5,
          text: `B${i}`,
        }),
      ])
      await Promise.all([settle(t), settle(other)])
    }
    expect(liveSends()).toHaveLength(1)
    expect(liveMessages()).toHaveLength(1)
    expect(t.telegram.calls.filter((c) => c.status === 429)).toEqual([])
  }, 60_000)

  it('should show the same progress in /plane agent and /plane status', async () => {
    const { t, task, imhotep } = await start()
    await imhotep('add_comment', {
      task: task.ref,
      kind: 'progress',
      percent: 60,
      text: 'Indexé 120 pages',
    })
    await settle(t)
    const ask = async (text: string) => {
      const before = t.telegram.callsOf('sendMessage').length
      await t.postTelegram(t.telegram.makeMessageUpdate({ text, chatId: Number(CHAT_ID) }))
      await settle(t)
      return t.telegram
        .callsOf('sendMessage')
        .slice(before)
        .map((c) => String(c.params.text))
        .join('\n')
    }
    for (const reply of [await ask('/plane agent imhotep'), await ask('/plane status')]) {
      expect(reply).toContain('60 %')
      expect(reply).toContain('Indexé 120 pages')
    }
  }, 60_000)
})

describe('the live view as a board, or off', () => {
  it('should keep every task under way on one board message (TELEGRAM_LIVE=board)', async () => {
    const { t, clock, task, imhotep, as, calls } = await start({ TELEGRAM_LIVE: 'board' })
    const second = await as(t, 'ra')('create_task', {
      project: 'ONB',
      title: 'Traduire',
      assignee: 'imhotep',
    })
    await settle(t)
    await imhotep('update_task_status', { task: second.ref, status: 'in_progress' })
    clock.advance(10 * SECOND)
    await imhotep('add_comment', { task: task.ref, kind: 'progress', percent: 50, text: 'Moitié' })
    await settle(t)
    const boards = t.telegram.messagesIn(CHAT_ID).filter((m) => m.text.startsWith('📋'))
    expect(boards).toHaveLength(1)
    expect(boards[0]?.text).toContain('Tâches en cours (2)')
    expect(boards[0]?.text).toContain('Indexer la doc')
    expect(boards[0]?.text).toContain('Traduire')
    expect(boards[0]?.text).toContain('Moitié')
    expect(calls('sendMessage').filter((c) => String(c.params.text).startsWith('📋'))).toHaveLength(
      1
    )
  }, 60_000)

  it('should send nothing live with TELEGRAM_LIVE=off, and say so to the agent', async () => {
    const { task, imhotep, liveMessages } = await start({ TELEGRAM_LIVE: 'off' })
    const answer = await imhotep('add_comment', {
      task: task.ref,
      kind: 'progress',
      percent: 10,
      text: 'x',
    })
    expect(answer).toMatchObject({
      human_notification: 'none',
      human_notification_detail: expect.stringContaining('TELEGRAM_LIVE=off'),
    })
    expect(liveMessages()).toEqual([])
  }, 60_000)
})
