import { describe, expect, it, vi } from 'vitest'
import { createLogger } from '../observe/log.ts'
import { createMemoryStore } from '../store/store.ts'
import { createOutbox, type OutboxItem } from './outbox.ts'
import { createOutboxSender, type DeliveryDecision } from './sender.ts'

class Retryable extends Error {
  constructor(readonly decision: DeliveryDecision) {
    super(`failed: ${JSON.stringify(decision)}`)
  }
}

function setup({
  failures = new Map<string, DeliveryDecision[]>(),
  afterDelivery,
}: {
  failures?: Map<string, DeliveryDecision[]>
  /** Called after each delivery (to enqueue while a drain runs). */
  afterDelivery?: (item: OutboxItem) => Promise<void>
} = {}) {
  let clock = Date.UTC(2026, 10, 21, 6, 0, 0)
  const now = () => clock
  const store = createMemoryStore({ now })
  const outbox = createOutbox(store, now)
  const sent: Array<{ at: number; target: string; text: unknown }> = []
  const sleeps: number[] = []
  const logs: Array<Record<string, unknown>> = []
  const sender = createOutboxSender({
    outbox,
    channel: 'telegram',
    store,
    log: createLogger({ write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) }),
    now,
    sleep: async (ms) => {
      sleeps.push(ms)
      clock += ms
    },
    maxAttempts: 3,
    deliver: async (item: OutboxItem) => {
      const queue = failures.get(String(item.payload.text))
      const next = queue?.shift()
      if (next) throw new Retryable(next)
      sent.push({ at: clock, target: item.target, text: item.payload.text })
      await afterDelivery?.(item)
    },
    classify: (_item, error) => (error instanceof Retryable ? error.decision : { retry: false }),
  })
  const enqueue = (target: string, text: string, dedupeKey?: string) =>
    outbox.enqueue({
      channel: 'telegram',
      target,
      payload: { chat_id: target, text },
      ...(dedupeKey ? { dedupeKey } : {}),
    })
  return {
    store,
    outbox,
    sender,
    sent,
    sleeps,
    logs,
    enqueue,
    advance: (ms: number) => (clock += ms),
    now,
  }
}

describe('outbox', () => {
  it('should store an item once per dedupe key', async () => {
    const { outbox, enqueue } = setup()
    expect((await enqueue('42', 'a', 'wake:t1:imhotep:1')).enqueued).toBe(true)
    expect((await enqueue('42', 'a', 'wake:t1:imhotep:1')).enqueued).toBe(false)
    expect((await enqueue('42', 'b')).enqueued).toBe(true)
    expect((await outbox.pending()).map((i) => i.payload.text)).toEqual(['a', 'b'])
  })
})

describe('outbox sender', () => {
  it('should send what is enqueued before a scheduled item is due without waiting behind it (issue 39)', async () => {
    const { outbox, sender, sent, enqueue, advance, now } = setup()
    await enqueue('42', 'first')
    // An agent's grouped message, due at the end of its window.
    await outbox.enqueue({
      channel: 'telegram',
      target: '42',
      payload: { chat_id: '42', text: 'grouped' },
      notBefore: now() + 120_000,
      dedupeKey: 'notify:grouped:imhotep:1',
    })
    advance(10)
    await enqueue('42', 'a reply asked meanwhile')
    expect((await outbox.pending()).map((i) => i.payload.text)).toEqual([
      'first',
      'a reply asked meanwhile',
      'grouped',
    ])
    await sender.drain()
    expect(sent.map((s) => s.text)).toEqual(['first', 'a reply asked meanwhile'])
    advance(120_000)
    await sender.drain()
    expect(sent.map((s) => s.text)).toEqual(['first', 'a reply asked meanwhile', 'grouped'])
  })

  it('should send in order, one message per second per chat, and forget what was sent', async () => {
    const { sender, sent, sleeps, logs, enqueue, outbox } = setup()
    await enqueue('42', 'one')
    await enqueue('42', 'two')
    await enqueue('7', 'other chat')
    await enqueue('42', 'three')
    const report = await sender.drain()
    expect(report).toMatchObject({
      ran: true,
      sent: 4,
      retried: 0,
      dead: 0,
      left: 0,
      nextDueInMs: null,
    })
    // Chat 42 keeps its order a second apart; chat 7 does not wait behind it.
    expect(sent.map((s) => s.text)).toEqual(['one', 'other chat', 'two', 'three'])
    const to42 = sent.filter((s) => s.target === '42').map((s) => s.at)
    expect(to42[1]! - to42[0]!).toBeGreaterThanOrEqual(1000)
    expect(to42[2]! - to42[1]!).toBeGreaterThanOrEqual(1000)
    expect(sleeps.every((ms) => ms <= 1000)).toBe(true)
    expect(await outbox.depth()).toEqual({ pending: 0, dead: 0 })
    // One info line per message sent, naming the chat, never the text.
    const lines = logs.filter((l) => l.msg === 'message sent')
    expect(lines.map((l) => [l.level, l.target])).toEqual([
      ['info', '42'],
      ['info', '7'],
      ['info', '42'],
      ['info', '42'],
    ])
    expect(JSON.stringify(logs)).not.toContain('other chat')
  })

  it('should read each item of a backlog once in a drain, not again at every round', async () => {
    const { sender, sent, enqueue, store } = setup()
    for (let i = 1; i <= 10; i++) await enqueue('42', `backlog ${i}`)
    const get = vi.spyOn(store, 'get')
    const report = await sender.drain()
    expect(report).toMatchObject({ sent: 10, left: 0 })
    expect(sent).toHaveLength(10)
    // Ten rounds, a second apart: each item read once (the first round), not 10 + 9 + … + 1 times.
    const itemReads = get.mock.calls.filter(([key]) => String(key).startsWith('outbox:item:'))
    expect(itemReads).toHaveLength(10)
  })

  it("should not hold another target's item behind one target's backlog, even one enqueued mid-drain", async () => {
    // An agent's backlog of wakes (a deploy's first poll) and, while it drains, another agent's wake (an approval):
    // the latter goes out within a second, not after the whole backlog (the agents bench, issue 32).
    let enqueued = false
    const { sender, sent, enqueue } = setup({
      // The first backlog wake has gone out: the approval's wake arrives now, while the drain runs.
      afterDelivery: async () => {
        if (enqueued) return
        enqueued = true
        await enqueue('imhotep', 'approved')
      },
    })
    for (let i = 1; i <= 10; i++) await enqueue('osiris', `backlog ${i}`)
    const drained = sender.drain()
    const report = await drained
    expect(report).toMatchObject({ sent: 11, left: 0, nextDueInMs: null })
    const order = sent.map((s) => s.text)
    expect(order.indexOf('approved')).toBeLessThanOrEqual(2)
    expect(order.filter((t) => String(t).startsWith('backlog'))).toEqual(
      Array.from({ length: 10 }, (_, i) => `backlog ${i + 1}`)
    )
    const toOsiris = sent.filter((s) => s.target === 'osiris').map((s) => s.at)
    for (let i = 1; i < toOsiris.length; i++)
      expect(toOsiris[i]! - toOsiris[i - 1]!).toBeGreaterThanOrEqual(1000)
  })

  it("should send what a change asks for before the same target's backlog, enqueued mid-drain too", async () => {
    // The same agent's backlog of wakes (bulk: found by a deploy's first poll) and, while it drains, its wake for
    // a task a person just approved: it goes next, not after the hundred of them (the agents bench, issue 32).
    let enqueued = false
    const { sender, sent, outbox } = setup({
      afterDelivery: async () => {
        if (enqueued) return
        enqueued = true
        await outbox.enqueue({
          channel: 'telegram',
          target: 'osiris',
          payload: { chat_id: 'osiris', text: 'approved' },
        })
      },
    })
    for (let i = 1; i <= 10; i++)
      await outbox.enqueue({
        channel: 'telegram',
        target: 'osiris',
        payload: { chat_id: 'osiris', text: `backlog ${i}` },
        bulk: true,
      })
    const report = await sender.drain()
    expect(report).toMatchObject({ sent: 11, left: 0 })
    expect(sent.map((s) => s.text)).toEqual([
      'backlog 1',
      'approved',
      ...Array.from({ length: 9 }, (_, i) => `backlog ${i + 2}`),
    ])
  })

  it('should send the reply a person waits for ahead of the messages already queued for the chat', async () => {
    // A minute's alerts for the human's chat, then a /plane status reply (issue 39: the deploy bench's person
    // waited 3-4 s behind them, one message a second).
    const { sender, sent, outbox } = setup()
    for (let i = 1; i <= 4; i++)
      await outbox.enqueue({
        channel: 'telegram',
        target: '-100',
        payload: { chat_id: '-100', text: `alert ${i}` },
      })
    for (const part of ['status 1/2', 'status 2/2'])
      await outbox.enqueue({
        channel: 'telegram',
        target: '-100',
        payload: { chat_id: '-100', text: part },
        first: true,
      })
    const read = await outbox.pending('telegram', { limit: 2 })
    expect(read.map((item) => item.payload.text)).toEqual(['status 1/2', 'status 2/2'])
    await sender.drain()
    expect(sent.map((s) => s.text).slice(0, 3)).toEqual(['status 1/2', 'status 2/2', 'alert 1'])
  })

  it("should send a reply a person waits for at once after the chat's last message, at most one such a second", async () => {
    // During a deploy's first poll the human's chat gets an alert a second: a /plane status reply waited up to a second
    // more behind the last one. Telegram allows short bursts over a message a second (reference §1.7).
    const { sender, sent, outbox, enqueue, advance } = setup()
    const reply = (text: string) =>
      outbox.enqueue({
        channel: 'telegram',
        target: '42',
        payload: { chat_id: '42', text },
        first: true,
      })
    await enqueue('42', 'alert 1')
    await sender.drain()
    advance(200)
    await enqueue('42', 'alert 2')
    await reply('status 1/2')
    await reply('status 2/2')
    await sender.drain()
    const at = (text: string) => sent.find((s) => s.text === text)?.at ?? Number.NaN
    expect(sent.map((s) => s.text)).toEqual(['alert 1', 'status 1/2', 'status 2/2', 'alert 2'])
    // The reply's first message at once; what follows it a second apart, as ever.
    expect(at('status 1/2') - at('alert 1')).toBe(200)
    expect(at('status 2/2') - at('status 1/2')).toBe(1000)
    expect(at('alert 2') - at('status 2/2')).toBe(1000)
    // A second reply within the second of the first early one waits for that second.
    advance(100)
    await reply('status again')
    await sender.drain()
    expect(at('status again') - at('status 1/2')).toBeGreaterThanOrEqual(1000)
    expect(at('status again') - at('alert 2')).toBeLessThan(1000)
    // A reply whose first part went in its turn: its second may go early, its third waits for the second's second.
    advance(5_000)
    for (const part of ['later 1/3', 'later 2/3', 'later 3/3']) await reply(part)
    await sender.drain()
    expect(at('later 2/3') - at('later 1/3')).toBe(0)
    expect(at('later 3/3') - at('later 2/3')).toBe(1000)
  })

  it("should see within lookAgainMs a reply another process enqueued while it waits for the chat's spacing", async () => {
    let clock = Date.UTC(2026, 10, 21, 6, 0, 0)
    const now = () => clock
    const store = createMemoryStore({ now })
    const outbox = createOutbox(store, now)
    const sent: Array<{ at: number; text: unknown }> = []
    let replied = false
    const sender = createOutboxSender({
      outbox,
      channel: 'telegram',
      store,
      log: createLogger({ write: () => undefined }),
      now,
      lookAgainMs: 250,
      sleep: async (ms) => {
        clock += ms
        // The server's reply, enqueued while this drain (a job's) waits: nothing in this process hurries it.
        if (!replied) {
          replied = true
          await outbox.enqueue({
            channel: 'telegram',
            target: '42',
            payload: { chat_id: '42', text: 'status' },
            first: true,
          })
        }
      },
      deliver: async (item) => {
        sent.push({ at: clock, text: item.payload.text })
      },
      classify: () => ({ retry: false }),
    })
    for (const text of ['alert 1', 'alert 2'])
      await outbox.enqueue({ channel: 'telegram', target: '42', payload: { chat_id: '42', text } })
    await sender.drain()
    expect(sent.map((s) => s.text)).toEqual(['alert 1', 'status', 'alert 2'])
    expect((sent[1]?.at ?? 0) - (sent[0]?.at ?? 0)).toBe(250)
  })

  it("should take a reply enqueued while it waits for the chat's spacing at once, when hurried", async () => {
    let clock = Date.UTC(2026, 10, 21, 6, 0, 0)
    const now = () => clock
    const store = createMemoryStore({ now })
    const outbox = createOutbox(store, now)
    const sent: Array<{ at: number; text: unknown }> = []
    // A real wait: the drain sleeps until the test ends it, the clock moved by what passed.
    let wake: () => void = () => undefined
    const sender = createOutboxSender({
      outbox,
      channel: 'telegram',
      store,
      log: createLogger({ write: () => undefined }),
      now,
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          wake = () => {
            clock += ms
            resolve()
          }
        }),
      deliver: async (item) => {
        sent.push({ at: clock, text: item.payload.text })
      },
      classify: () => ({ retry: false }),
    })
    for (const text of ['alert 1', 'alert 2'])
      await outbox.enqueue({ channel: 'telegram', target: '42', payload: { chat_id: '42', text } })
    const drained = sender.drain()
    await vi.waitFor(() => expect(sent).toHaveLength(1))
    // The drain now waits a second for alert 2; 300 ms in, the person's reply comes.
    clock += 300
    await outbox.enqueue({
      channel: 'telegram',
      target: '42',
      payload: { chat_id: '42', text: 'status' },
      first: true,
    })
    sender.hurry()
    await vi.waitFor(() => expect(sent).toHaveLength(2))
    expect(sent[1]).toEqual({ at: sent[0]!.at + 300, text: 'status' })
    wake()
    await drained
    expect(sent.map((s) => s.text)).toEqual(['alert 1', 'status', 'alert 2'])
  })

  it('should list what a change asks for ahead of a backlog longer than one read', async () => {
    const { outbox } = setup()
    for (let i = 1; i <= 5; i++)
      await outbox.enqueue({
        channel: 'telegram',
        target: 'osiris',
        payload: { chat_id: 'osiris', text: `backlog ${i}` },
        bulk: true,
      })
    await outbox.enqueue({
      channel: 'telegram',
      target: 'osiris',
      payload: { chat_id: 'osiris', text: 'approved' },
    })
    // A drain reads at most so many items (1,000): the newest, not bulk, is among them.
    const read = await outbox.pending('telegram', { limit: 3 })
    expect(read.map((item) => item.payload.text)).toContain('approved')
  })

  it('should not spend an attempt on a rate limit wait, however long the flood lasts', async () => {
    // maxAttempts is 3: five 429s in a row would dead-letter the message if each counted.
    const flood = Array.from({ length: 5 }, () => ({
      retry: true as const,
      afterMs: 30_000,
      rateLimited: true,
    }))
    const { sender, sent, enqueue, advance, outbox } = setup({
      failures: new Map([['patience', flood]]),
    })
    await enqueue('42', 'patience')
    for (let i = 0; i < 6; i++) {
      await sender.drain()
      advance(30_000)
    }
    expect(sent.map((s) => s.text)).toEqual(['patience'])
    expect(await outbox.depth()).toEqual({ pending: 0, dead: 0 })
    // A 5xx still counts: three failures and it is given up on.
    const {
      sender: other,
      enqueue: put,
      advance: wait,
      outbox: box,
    } = setup({
      failures: new Map([['doomed', Array.from({ length: 5 }, () => ({ retry: true as const }))]]),
    })
    await put('42', 'doomed')
    for (let i = 0; i < 6; i++) {
      await other.drain()
      wait(20 * 60_000)
    }
    expect(await box.depth()).toEqual({ pending: 0, dead: 1 })
  })

  it('should honour retry_after and keep per-chat order behind the waiting message', async () => {
    const failures = new Map([['first', [{ retry: true, afterMs: 3000 }]]])
    const { sender, sent, enqueue, advance } = setup({ failures })
    await enqueue('42', 'first')
    await enqueue('42', 'second')
    await enqueue('7', 'elsewhere')
    const one = await sender.drain()
    expect(one).toMatchObject({ sent: 1, retried: 1, left: 2 })
    expect(one.nextDueInMs).toBe(3000)
    expect(sent.map((s) => s.text)).toEqual(['elsewhere'])
    advance(2000)
    expect((await sender.drain()).sent).toBe(0)
    advance(1000)
    const three = await sender.drain()
    expect(three).toMatchObject({ sent: 2, left: 0 })
    expect(sent.map((s) => s.text)).toEqual(['elsewhere', 'first', 'second'])
  })

  it('should back off on server errors and bury an item after the last attempt', async () => {
    const failures = new Map([['doomed', [{ retry: true }, { retry: true }, { retry: true }]]])
    const { sender, enqueue, advance, outbox } = setup({ failures })
    await enqueue('42', 'doomed')
    expect((await sender.drain()).nextDueInMs).toBe(1000)
    advance(1000)
    expect((await sender.drain()).nextDueInMs).toBe(5000)
    advance(5000)
    expect(await sender.drain()).toMatchObject({ dead: 1, left: 0 })
    const [dead] = await outbox.deadLetters()
    expect(dead).toMatchObject({
      attempts: 3,
      payload: { text: 'doomed' },
      lastError: expect.stringContaining('failed'),
    })
    expect(await outbox.depth()).toEqual({ pending: 0, dead: 1 })
  })

  it('should bury at once what cannot succeed (a 400 from Telegram)', async () => {
    const failures = new Map([['bad html', [{ retry: false }]]])
    const { sender, enqueue, outbox } = setup({ failures })
    await enqueue('42', 'bad html')
    await enqueue('42', 'fine')
    expect(await sender.drain()).toMatchObject({ dead: 1, sent: 0 })
    expect(await sender.drain()).toMatchObject({ sent: 1 })
    expect(await outbox.depth()).toEqual({ pending: 0, dead: 1 })
  })

  it('should hold a group to 20 messages a minute', async () => {
    const { sender, sent, enqueue } = setup()
    for (let i = 0; i < 22; i++) await enqueue('-1001234567890', `m${i}`)
    const report = await sender.drain()
    expect(report.sent).toBe(20)
    expect(report.left).toBe(2)
    expect(report.nextDueInMs).toBeGreaterThan(0)
    expect(sent).toHaveLength(20)
  })

  it('should resend to the new chat when a group became a supergroup', async () => {
    const failures = new Map([['hello', [{ retry: true, retarget: '-1009999' }]]])
    const { sender, sent, enqueue } = setup({ failures })
    await enqueue('-4242', 'hello')
    await sender.drain()
    await sender.drain()
    expect(sent).toMatchObject([{ target: '-1009999', text: 'hello' }])
  })

  it('should run drains of one process one after the other, and turn away another process while one runs', async () => {
    const { store, outbox, sender, sent, enqueue } = setup()
    await enqueue('1', 'a')
    await enqueue('2', 'b')
    // Another process on the same store: its own sender, same lane, same lock.
    let release: () => void = () => undefined
    const held = new Promise<void>((r) => {
      release = r
    })
    const other = createOutboxSender({
      outbox,
      channel: 'telegram',
      store,
      log: createLogger({ write: () => undefined }),
      deliver: async () => held,
      classify: () => ({ retry: true }),
    })
    const first = other.drain()
    await new Promise((r) => setTimeout(r, 20))
    expect((await sender.drain()).ran).toBe(false)
    release()
    await first
    // In one process, a second drain waits for the first, then looks again (finding what is left).
    const [a, b] = await Promise.all([sender.drain(), sender.drain()])
    expect([a.ran, b.ran]).toEqual([true, true])
    expect(a.left + b.left).toBe(0)
    expect(sent).toHaveLength(0)
  })
})
