/**
 * @module Messages the human can act on (a review, a question, an approval): each is a *card* stored under an
 * opaque random id. Its buttons carry `x:<id>:<action>` (§1.6: ≤ 64 bytes; nothing anyone could forge into
 * another task), the sent message's id maps back to the card (a Telegram reply finds it), and the first
 * action taken is claimed once, so a double press acts once.
 */
import { type EnqueueInput, type Outbox, telegramMessage } from '../notify/outbox.ts'
import type { Store } from '../store/store.ts'

/** `budget`: the team's (or an agent's) budget reached 80 % or 100 % (OPENCLAW-11); it is about no task. */
export type CardKind = 'review' | 'question' | 'approval' | 'budget'
export type CardAction =
  | 'validate'
  | 'sendback'
  | 'answer'
  | 'approve'
  | 'refuse'
  | 'raise'
  | 'pause'

export type Card = {
  id: string
  kind: CardKind
  chatId: string
  taskId: string
  projectId: string
  /** `ONB-3`, or null when the project has no identifier. */
  ref: string | null
  /** The agent the task belongs to (who gets the answer), when known. */
  agentId: string | null
  /** The message as sent (HTML): an action edits it into this plus one line. */
  html: string
  /** Telegram's id of the sent message, once it is sent. */
  messageId: number | null
  createdAt: number
  /** A budget card's month (`YYYY-MM`) and scope (`team`, `agent:<id>`); its taskId and projectId are empty. */
  budget?: { month: string; scope: string }
}

/** Who did what, claimed once per card; `closed`: the task was deleted in Plane, nobody can act on it any more. */
export type CardDone = { action: CardAction | 'closed'; by: string; at: number }
/** A card's action as stored by earlier versions: `pause` was first `hold`. */
type EarlierCardDone = Omit<CardDone, 'action'> & { action: CardDone['action'] | 'hold' }

/** What a sent message is to the bridge: a card, or the question asking for an action's text. */
export type MessageLink = { cardId: string; prompt: CardAction | null }

export const CARD_TTL_S = 30 * 24 * 60 * 60
/** Pending approvals, by creation time: /plane status and the digest list them. */
export const APPROVALS_SET = 'cards:approvals'
/**
 * Every card nobody acted on yet (any kind), by creation time: its task is one the poll catches comments up for (a
 * person may answer a question in Plane rather than on Telegram), and a task deleted in Plane closes it.
 */
export const OPEN_CARDS_SET = 'cards:open'

const CODES: Record<CardAction, string> = {
  validate: 'v',
  sendback: 'b',
  answer: 'r',
  approve: 'a',
  refuse: 'n',
  raise: 'u',
  // `h` (for the first name, hold) is what buttons already sent carry: the token stays, whatever the code calls it.
  pause: 'h',
}
const ACTIONS = Object.fromEntries(Object.entries(CODES).map(([a, c]) => [c, a])) as Record<
  string,
  CardAction
>
/** Which actions each kind of card offers, in button order. */
export const CARD_ACTIONS: Record<CardKind, readonly CardAction[]> = {
  review: ['validate', 'sendback'],
  question: ['answer'],
  approval: ['approve', 'refuse'],
  budget: ['raise', 'pause'],
}

const cardKey = (id: string) => `tg:card:${id}`
const doneKey = (id: string) => `tg:card:done:${id}`
const linkKey = (chatId: string, messageId: number) => `tg:msg:${chatId}:${messageId}`

export function encodeCardAction(cardId: string, action: CardAction): string {
  return `x:${cardId}:${CODES[action]}`
}

/** Null for anything that is not a card button (drill-down buttons, old or forged data). */
export function decodeCardAction(data: string): { cardId: string; action: CardAction } | null {
  const match = /^x:([A-Za-z0-9_-]{16}):([a-z])$/.exec(data)
  const action = match?.[2] ? ACTIONS[match[2]] : undefined
  return match?.[1] && action ? { cardId: match[1], action } : null
}

/** Approval cards nobody acted on yet, oldest first (expired ones leave the index). */
export async function listPendingApprovals(store: Store): Promise<Card[]> {
  const entries = await store.sortedRange(APPROVALS_SET, { limit: 100 })
  const cards: Card[] = []
  for (const { member } of entries) {
    const card = await store.get<Card>(cardKey(member))
    if (!card) await store.sortedRemove(APPROVALS_SET, member)
    else if (!(await store.has(doneKey(member)))) cards.push(card)
  }
  return cards
}

/** Cards of any kind nobody acted on yet, oldest first (expired ones leave the index). */
export async function listOpenCards(store: Store, limit = 500): Promise<Card[]> {
  const cards: Card[] = []
  for (const { member } of await store.sortedRange(OPEN_CARDS_SET, { limit })) {
    const card = await store.get<Card>(cardKey(member))
    if (!card) await store.sortedRemove(OPEN_CARDS_SET, member)
    else if (!(await store.has(doneKey(member)))) cards.push(card)
    else await store.sortedRemove(OPEN_CARDS_SET, member)
  }
  return cards
}

export function newCardId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_')
}

export type CardStore = {
  /**
   * Store a card and enqueue its message with the kind's buttons. With a `dedupeKey` already used (a
   * repeated flush) nothing is stored: the first card stands.
   */
  post(
    card: Omit<Card, 'id' | 'messageId' | 'createdAt'>,
    labels: Record<CardAction, string>,
    dedupeKey: string
  ): Promise<Card | null>
  get(id: string): Promise<Card | null>
  /** The sender reports the message id Telegram gave: replies to it now find the card. */
  sent(id: string, messageId: number): Promise<void>
  /** A prompt (ForceReply) was sent for an action: a reply to it carries that action's text. */
  linkPrompt(chatId: string, messageId: number, cardId: string, action: CardAction): Promise<void>
  /** What a message the human replied to is, if it is one of ours. */
  link(chatId: string, messageId: number): Promise<MessageLink | null>
  /** Claim the card for an action: false when someone acted on it already (then `done()` says who). */
  claim(id: string, done: CardDone): Promise<boolean>
  done(id: string): Promise<CardDone | null>
  /** The claimed action failed: the card may be acted on again. */
  release(id: string): Promise<void>
  /** Approvals still waiting for the human, oldest first. */
  pendingApprovals(): Promise<Card[]>
  /** Cards of every kind nobody acted on yet, oldest first (at most `limit`). */
  open(limit?: number): Promise<Card[]>
  /** The task is gone (deleted in Plane): its cards leave the open lists; a press on one finds it closed. */
  closeTask(taskId: string): Promise<number>
}

export function createCardStore({
  store,
  outbox,
  now,
}: {
  store: Store
  outbox: Outbox
  now: () => number
}): CardStore {
  const ttl = { ttlSeconds: CARD_TTL_S }
  return {
    async post(init, labels, dedupeKey) {
      const card: Card = { ...init, id: newCardId(), messageId: null, createdAt: now() }
      await store.set(cardKey(card.id), card, ttl)
      const message = telegramMessage(card.chatId, card.html, dedupeKey, card.projectId)
      const item: EnqueueInput = {
        ...message,
        payload: {
          ...message.payload,
          reply_markup: {
            // A budget card's two long buttons, one per row: side by side, phones cut them short.
            inline_keyboard: _rows(
              CARD_ACTIONS[card.kind].map((action) => ({
                text: labels[action],
                callback_data: encodeCardAction(card.id, action),
              })),
              card.kind === 'budget' ? 1 : 2
            ),
          },
        },
        meta: { kind: 'card', cardId: card.id, projectId: card.projectId },
      }
      const { enqueued } = await outbox.enqueue(item)
      if (!enqueued) {
        await store.delete(cardKey(card.id))
        return null
      }
      if (card.kind === 'approval') await store.sortedAdd(APPROVALS_SET, card.id, card.createdAt)
      // A budget card names no task whose comments the poll could catch up.
      if (card.kind !== 'budget')
        await store.sortedAdd(OPEN_CARDS_SET, card.id, card.createdAt, ttl)
      return card
    },
    get: (id) => store.get<Card>(cardKey(id)),
    async sent(id, messageId) {
      const card = await store.get<Card>(cardKey(id))
      if (!card) return
      await store.set(cardKey(id), { ...card, messageId }, ttl)
      await store.set(linkKey(card.chatId, messageId), { cardId: id, prompt: null }, ttl)
    },
    async linkPrompt(chatId, messageId, cardId, action) {
      await store.set(linkKey(chatId, messageId), { cardId, prompt: action }, ttl)
    },
    link: (chatId, messageId) => store.get<MessageLink>(linkKey(chatId, messageId)),
    async claim(id, done) {
      const claimed = await store.claim(doneKey(id), CARD_TTL_S, done)
      if (claimed) {
        await store.sortedRemove(APPROVALS_SET, id)
        await store.sortedRemove(OPEN_CARDS_SET, id)
      }
      return claimed
    },
    async done(id) {
      const done = await store.get<EarlierCardDone>(doneKey(id))
      return done?.action === 'hold' ? { ...done, action: 'pause' } : (done as CardDone | null)
    },
    async release(id) {
      await store.delete(doneKey(id))
      const card = await store.get<Card>(cardKey(id))
      if (card?.kind === 'approval') await store.sortedAdd(APPROVALS_SET, id, card.createdAt)
      if (card && card.kind !== 'budget')
        await store.sortedAdd(OPEN_CARDS_SET, id, card.createdAt, ttl)
    },
    pendingApprovals: () => listPendingApprovals(store),
    open: (limit) => listOpenCards(store, limit),
    async closeTask(taskId) {
      let closed = 0
      for (const card of await listOpenCards(store)) {
        if (card.taskId !== taskId) continue
        await store.claim(doneKey(card.id), CARD_TTL_S, {
          action: 'closed',
          by: 'plane',
          at: now(),
        })
        await store.sortedRemove(APPROVALS_SET, card.id)
        await store.sortedRemove(OPEN_CARDS_SET, card.id)
        closed++
      }
      return closed
    },
  }
}

// --- Internal helpers ---

function _rows<T>(buttons: readonly T[], perRow: number): T[][] {
  const rows: T[][] = []
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow))
  return rows
}
