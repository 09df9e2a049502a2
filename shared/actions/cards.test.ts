import { describe, expect, it } from 'vitest'
import { createOutbox } from '../notify/outbox.ts'
import { createMemoryStore } from '../store/store.ts'
import { createCardStore, decodeCardAction, encodeCardAction, newCardId } from './cards.ts'
import { actionPhrasesFor } from './phrases.ts'

function setup() {
  const store = createMemoryStore()
  // A clock that moves between posts: cards are listed by creation time, and two in the same millisecond tie.
  let clock = Date.now()
  const now = () => ++clock
  const outbox = createOutbox(store, now)
  const cards = createCardStore({ store, outbox, now })
  const post = (kind: 'review' | 'approval', dedupeKey: string) =>
    cards.post(
      {
        kind,
        chatId: '-100',
        taskId: 't1',
        projectId: 'p1',
        ref: 'ONB-1',
        agentId: 'thot',
        html: 'Approbation demandée',
      },
      actionPhrasesFor('fr').buttons,
      dedupeKey
    )
  return { store, outbox, cards, post }
}

describe('card button data', () => {
  it('should round-trip, stay within 64 bytes, and refuse anything else', () => {
    const id = newCardId()
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/)
    for (const action of ['validate', 'sendback', 'answer', 'approve', 'refuse'] as const) {
      const data = encodeCardAction(id, action)
      expect(new TextEncoder().encode(data).length).toBeLessThanOrEqual(64)
      expect(decodeCardAction(data)).toEqual({ cardId: id, action })
    }
    for (const data of ['s', 'p:abc', `x:${id}:z`, `x:${id.slice(1)}:v`, `x:${id}:v:extra`])
      expect(decodeCardAction(data)).toBeNull()
  })
})

describe('card store', () => {
  it('should enqueue one message with the buttons of its kind, and no second card for the same key', async () => {
    const { outbox, post } = setup()
    const card = await post('approval', 'approval:t1')
    expect(card).not.toBeNull()
    expect(await post('approval', 'approval:t1')).toBeNull()
    const [item, ...rest] = await outbox.pending()
    expect(rest).toEqual([])
    expect(item?.meta).toEqual({ kind: 'card', cardId: card?.id, projectId: 'p1' })
    expect(item?.payload.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: '✅ Approuver', callback_data: `x:${card?.id}:a` },
          { text: '❌ Refuser', callback_data: `x:${card?.id}:n` },
        ],
      ],
    })
  })

  it('should let one claim through, list the approval until then, and list it again once released', async () => {
    const { cards, post } = setup()
    const card = await post('approval', 'approval:t1')
    if (!card) throw new Error('no card')
    expect((await cards.pendingApprovals()).map((c) => c.id)).toEqual([card.id])
    const done = { action: 'approve' as const, by: 'Ada', at: 1 }
    expect(await cards.claim(card.id, done)).toBe(true)
    expect(await cards.claim(card.id, { ...done, by: 'Bob' })).toBe(false)
    expect(await cards.done(card.id)).toEqual(done)
    expect(await cards.pendingApprovals()).toEqual([])
    await cards.release(card.id)
    expect((await cards.pendingApprovals()).map((c) => c.id)).toEqual([card.id])
  })

  it('should read a budget card pressed as `hold` by an earlier version as `pause`, and decode its button', async () => {
    const { store, cards } = setup()
    const id = newCardId()
    // Buttons already sent carry `h`: still a pause.
    expect(decodeCardAction(`x:${id}:h`)).toEqual({ cardId: id, action: 'pause' })
    expect(encodeCardAction(id, 'pause')).toBe(`x:${id}:h`)
    await store.set(`tg:card:done:${id}`, { action: 'hold', by: 'Ada', at: 1 })
    expect(await cards.done(id)).toEqual({ action: 'pause', by: 'Ada', at: 1 })
  })

  it('should link the sent message and a prompt back to the card', async () => {
    const { cards, post } = setup()
    const card = await post('review', 'review:t1')
    if (!card) throw new Error('no card')
    await cards.sent(card.id, 42)
    await cards.linkPrompt('-100', 43, card.id, 'sendback')
    expect(await cards.link('-100', 42)).toEqual({ cardId: card.id, prompt: null })
    expect(await cards.link('-100', 43)).toEqual({ cardId: card.id, prompt: 'sendback' })
    expect(await cards.link('-100', 44)).toBeNull()
    expect(await cards.link('-200', 42)).toBeNull()
    expect((await cards.get(card.id))?.messageId).toBe(42)
  })

  it("should list cards of every kind until someone acts on them, and close a deleted task's", async () => {
    const { cards, post } = setup()
    const review = await post('review', 'review:t1')
    const approval = await post('approval', 'approval:t1')
    expect((await cards.open()).map((c) => c.id)).toEqual([review?.id, approval?.id])
    expect(await cards.claim(review?.id ?? '', { action: 'validate', by: 'Gilles', at: 1 })).toBe(
      true
    )
    expect((await cards.open()).map((c) => c.id)).toEqual([approval?.id])
    await cards.release(review?.id ?? '')
    expect((await cards.open()).map((c) => c.id).sort()).toEqual([review?.id, approval?.id].sort())
    expect(await cards.closeTask('t1')).toBe(2)
    expect(await cards.open()).toEqual([])
    expect(await cards.pendingApprovals()).toEqual([])
    expect((await cards.done(approval?.id ?? ''))?.action).toBe('closed')
  })
})

describe('a card posted while a drain runs', () => {
  it("should keep the card whose message a drain took between the outbox's put and its claim", async () => {
    const store = createMemoryStore()
    const outbox = createOutbox(store, Date.now)
    const cards = createCardStore({ store, outbox, now: Date.now })
    // The drain reads the lane as soon as the item is in it, before the enqueue's own claim: the sender checks the
    // item owns its key (it claims it) and would send it now.
    const claim = store.claim.bind(store)
    let drained: boolean | null = null
    store.claim = async (key, ttl, value) => {
      if (key.startsWith('outbox:dedupe:') && drained === null) {
        drained = false
        const [item] = await outbox.pending('telegram')
        drained = item ? await outbox.owns(item) : false
      }
      return claim(key, ttl, value)
    }
    const card = await cards.post(
      {
        kind: 'review',
        chatId: '-100',
        taskId: 't1',
        projectId: 'p1',
        ref: 'ONB-1',
        agentId: 'imhotep',
        html: 'Revue demandée',
      },
      actionPhrasesFor('fr').buttons,
      'review:t1'
    )
    expect(drained).toBe(true)
    // The message the drain sends carries this card's buttons: a press on them must find it.
    expect(card).not.toBeNull()
    expect(await cards.get(card?.id ?? '')).toMatchObject({ kind: 'review', taskId: 't1' })
    expect(await outbox.pending('telegram')).toHaveLength(1)
  })
})
