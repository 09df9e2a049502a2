import { describe, expect, it } from 'vitest'
import { makeSnapshot, STATES, USERS } from '../../test/fixtures/tasks.ts'
import type { TaskSnapshot } from '../events.ts'
import { createStaticDirectory } from '../notify/directory.ts'
import type { EnqueueInput } from '../notify/outbox.ts'
import { createKeyedLocks } from '../store/keyed-lock.ts'
import { createMemoryStore } from '../store/store.ts'
import type { LiveTelegram } from './live-send.ts'
import { createLiveView, LIVE_EDIT_GAP_MS, type LiveMode } from './live-view.ts'
import { progressUnderWay } from './progress.ts'

const CHAT = '-100200'
const AGENT = {
  id: 'imhotep',
  name: 'Imhotep',
  planeUserId: USERS.imhotep,
  role: 'member' as const,
  openclawAgentId: 'imhotep',
}

/** A live view on a memory store, an outbox that only records, and a Telegram that keeps each message's text. */
function setup({ mode = 'tasks' as LiveMode, maxTasks = 20 } = {}) {
  let clock = Date.parse('2026-11-21T09:00:00Z')
  const store = createMemoryStore({ now: () => clock })
  const items: EnqueueInput[] = []
  const keys = new Set<string>()
  const texts = new Map<number, string>()
  const calls: string[] = []
  let nextId = 1
  const telegram: LiveTelegram = {
    async send({ html }) {
      calls.push('send')
      const id = nextId++
      texts.set(id, html)
      return { chatId: CHAT, messageId: id, threadId: null }
    },
    async edit({ messageId, html }) {
      calls.push('edit')
      if (!texts.has(messageId)) {
        const id = nextId++
        texts.set(id, html)
        return { chatId: CHAT, messageId: id }
      }
      if (texts.get(messageId) === html) return null
      texts.set(messageId, html)
      return { chatId: CHAT, messageId }
    },
  }
  const live = createLiveView({
    store,
    locks: createKeyedLocks({ store }),
    outbox: {
      // As the outbox: one item per dedupe key.
      enqueue: async (item) => {
        if (item.dedupeKey && keys.has(item.dedupeKey)) return { id: '', enqueued: false }
        if (item.dedupeKey) keys.add(item.dedupeKey)
        items.push(item)
        return { id: String(items.length), enqueued: true }
      },
    },
    directory: createStaticDirectory({
      projects: [{ id: makeSnapshot().projectId, name: 'Onboarding', identifier: 'ONB' }],
      agents: [AGENT],
    }),
    mode,
    chatId: CHAT,
    locale: 'fr',
    figures: async () => null,
    now: () => clock,
    maxTasks,
  })
  /** Send what is due, as the outbox's drain would: each waiting item once, in order. */
  const drain = async () => {
    for (const item of items.splice(0)) {
      if ((item.notBefore ?? 0) > clock) {
        items.push(item)
        continue
      }
      const { live: key, gen } = item.payload as { live: string; gen: number }
      await live.deliver(key, gen, telegram)
    }
  }
  return {
    store,
    live,
    items,
    texts,
    calls,
    drain,
    advance: (ms: number) => {
      clock += ms
    },
    now: () => clock,
  }
}

const todo = makeSnapshot({ state: STATES.todo })
const started = makeSnapshot({ state: STATES.inProgress })

async function startTask(s: ReturnType<typeof setup>, task: TaskSnapshot = started) {
  await s.live.follow({ ...task, state: STATES.todo }, task)
  await s.drain()
}

describe('createLiveView', () => {
  it('should start a message when a task goes in progress, and not for a task first seen under way', async () => {
    const s = setup()
    await s.live.follow(null, started)
    expect(s.items).toEqual([])
    await s.live.follow(todo, started)
    expect(s.items).toHaveLength(1)
    expect(s.items[0]).toMatchObject({
      target: CHAT,
      payload: { chat_id: CHAT, live: `task:${started.id}`, gen: 0 },
      dedupeKey: `live:task:${started.id}:0`,
      meta: { kind: 'live', projectId: started.projectId },
    })
    await s.drain()
    expect(s.calls).toEqual(['send'])
    expect(s.texts.get(1)).toContain('ONB-12')
  })

  it('should keep one item waiting however many reports come, and edit no sooner than the gap', async () => {
    const s = setup()
    await startTask(s)
    for (let i = 1; i <= 20; i++) {
      expect(await s.live.report(started, { percent: i * 5, step: `Étape ${i}` }, 'Imhotep')).toBe(
        'live'
      )
      s.advance(250)
    }
    // One item, placed at the end of the gap after the first send.
    expect(s.items).toHaveLength(1)
    expect(s.items[0]?.notBefore).toBe(Date.parse('2026-11-21T09:00:00Z') + LIVE_EDIT_GAP_MS)
    await s.drain()
    expect(s.calls).toEqual(['send', 'edit'])
    expect(s.texts.get(1)).toContain('Étape 20')
    // Nothing new: no item, no edit.
    expect(s.items).toEqual([])
  })

  it('should enqueue the next edit when a report comes while an item goes, at the gap', async () => {
    const s = setup()
    await startTask(s)
    s.advance(LIVE_EDIT_GAP_MS)
    await s.live.report(started, { percent: 10, step: 'a' }, 'Imhotep')
    await s.drain()
    await s.live.report(started, { percent: 20, step: 'b' }, 'Imhotep')
    expect(s.items.map((i) => i.notBefore)).toEqual([s.now() + LIVE_EDIT_GAP_MS])
    await s.drain()
    expect(s.calls).toEqual(['send', 'edit'])
    s.advance(LIVE_EDIT_GAP_MS)
    await s.drain()
    expect(s.calls).toEqual(['send', 'edit', 'edit'])
    expect(s.texts.get(1)).toContain('20 %')
  })

  it('should not edit for the same report made again (a retried call)', async () => {
    const s = setup()
    await startTask(s)
    s.advance(LIVE_EDIT_GAP_MS)
    await s.live.report(started, { percent: 10, step: 'a' }, 'Imhotep')
    await s.drain()
    s.advance(LIVE_EDIT_GAP_MS)
    expect(await s.live.report(started, { percent: 10, step: 'a' }, 'Imhotep')).toBe('live')
    await s.drain()
    expect(s.calls).toEqual(['send', 'edit'])
  })

  it('should hold a chat to 15 live edits a minute, whatever the number of tasks', async () => {
    const s = setup()
    const tasks = Array.from({ length: 10 }, (_, i) =>
      makeSnapshot({ id: `task-${i}`, sequenceId: i, state: STATES.inProgress })
    )
    for (const task of tasks) await startTask(s, task)
    s.advance(LIVE_EDIT_GAP_MS)
    for (let round = 0; round < 2; round++) {
      for (const task of tasks) await s.live.report(task, { percent: round + 1 }, 'Imhotep')
      await s.drain()
      s.advance(LIVE_EDIT_GAP_MS)
    }
    // Twenty edits were due within the minute: fifteen went, five wait for room.
    expect(s.calls.filter((c) => c === 'edit')).toHaveLength(15)
    expect(s.items).toHaveLength(5)
    s.advance(60_000)
    await s.drain()
    expect(s.calls.filter((c) => c === 'edit')).toHaveLength(20)
  })

  it('should end the message with the task, then change it no more', async () => {
    const s = setup()
    await startTask(s)
    await s.live.follow(started, makeSnapshot({ state: STATES.done }))
    s.advance(LIVE_EDIT_GAP_MS)
    await s.drain()
    expect(s.texts.get(1)).toContain('✅ terminée')
    const done = makeSnapshot({ state: STATES.done })
    expect(await s.live.report(done, { percent: 100, step: 'fin' }, 'Imhotep')).toBe('ended')
    expect(s.items).toEqual([])
    expect(await progressUnderWay(s.store, s.now())).toEqual([])
  })

  it("should end a message its agent's reports started when the task is first seen ended", async () => {
    const s = setup()
    // A task only its agent's tools had read: its report starts the message, no sighting came before.
    expect(await s.live.report(todo, { percent: 40, step: 'tables' }, 'Imhotep')).toBe('live')
    await s.drain()
    await s.live.follow(null, makeSnapshot({ state: STATES.cancelled }))
    s.advance(LIVE_EDIT_GAP_MS)
    await s.drain()
    expect(s.calls).toEqual(['send', 'edit'])
    expect(s.texts.get(1)).toContain('🚫 annulée')
    expect(await progressUnderWay(s.store, s.now())).toEqual([])
    // A task never followed, first seen ended (a deploy's adoption): nothing to send.
    await s.live.follow(null, makeSnapshot({ id: 'other', state: STATES.done }))
    await s.drain()
    expect(s.calls).toEqual(['send', 'edit'])
  })

  it('should start a new message when the task starts again after it was blocked', async () => {
    const s = setup()
    await startTask(s)
    const blocked = makeSnapshot({ state: STATES.blocked })
    await s.live.follow(started, blocked)
    s.advance(LIVE_EDIT_GAP_MS)
    await s.drain()
    expect(s.texts.get(1)).toContain('⛔ bloquée')
    await s.live.follow(blocked, started)
    await s.drain()
    expect(s.calls).toEqual(['send', 'edit', 'send'])
    expect(s.texts.get(2)).toContain('🔨 en cours')
  })

  it('should show how a stretch ended before the next one starts when the task started again within the gap', async () => {
    const s = setup()
    await startTask(s)
    const cancelled = makeSnapshot({ state: STATES.cancelled })
    // Cancelled and started again before the first message could be edited: its end is not lost under the new stretch.
    await s.live.follow(started, cancelled)
    await s.live.follow(cancelled, started)
    for (let i = 0; i < 4; i++) {
      s.advance(LIVE_EDIT_GAP_MS)
      await s.drain()
    }
    expect(s.calls).toEqual(['send', 'edit', 'send'])
    expect(s.texts.get(1)).toContain('🚫 annulée')
    expect(s.texts.get(2)).toContain('🔨 en cours')
  })

  it('should follow at most maxTasks tasks live, the others for /plane only', async () => {
    const s = setup({ maxTasks: 1 })
    await startTask(s)
    const other = makeSnapshot({ id: 'other', sequenceId: 2, state: STATES.inProgress })
    expect(await s.live.report(other, { percent: 5, step: 'x' }, 'Imhotep')).toBe('full')
    expect(s.items).toEqual([])
    expect((await progressUnderWay(s.store, s.now())).map((p) => p.taskId).sort()).toEqual(
      [started.id, 'other'].sort()
    )
  })

  it('should show every task on one board, and open a new board once all have ended', async () => {
    const s = setup({ mode: 'board' })
    const other = makeSnapshot({ id: 'other', sequenceId: 2, state: STATES.inProgress })
    await startTask(s)
    await s.live.follow({ ...other, state: STATES.todo }, other)
    s.advance(LIVE_EDIT_GAP_MS)
    await s.drain()
    expect(s.calls).toEqual(['send', 'edit'])
    expect(s.texts.get(1)).toContain('Tâches en cours (2)')
    for (const task of [started, other]) await s.live.follow(task, { ...task, state: STATES.done })
    s.advance(LIVE_EDIT_GAP_MS)
    await s.drain()
    expect(s.texts.get(1)).toContain('Plus aucune tâche en cours')
    await startTask(s, makeSnapshot({ id: 'third', sequenceId: 3, state: STATES.inProgress }))
    expect(s.calls.at(-1)).toBe('send')
    expect(s.texts.get(2)).toContain('Tâches en cours (1)')
  })
})
