/**
 * A held chat's return in any order, however it got there. The chat refuses the bot, messages wait (three; or twelve
 * and a card, which the return sums up), and a member writes while the bot still cannot (the hold ends, the notice of
 * the return is refused, the chat is held again). Then one of three things runs — a member writes again while refused,
 * the hourly try (refused), or the hourly try that goes through (the chat back without a word) — and the update that
 * says the chat is back is played before each store operation of it in turn, and at the moment Telegram's answer is on
 * its way back. Whichever: every message that waited reaches the chat once, in order, behind one notice that counts
 * them (past ten, the card behind one summary), within 30 s of the return, and nothing is left in the outbox.
 */
import { describe, expect, it } from 'vitest'
import { createChatHolds, HELD_CHAT_RETRY_MS } from '../../shared/notify/chat-holds.ts'
import { createHeldChats } from '../../shared/notify/held-chats.ts'
import { createOutbox, type EnqueueInput, telegramMessage } from '../../shared/notify/outbox.ts'
import { createOutboxSender, type DrainReport } from '../../shared/notify/sender.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { createLogger } from '../../shared/observe/log.ts'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import { TelegramError } from '../../shared/telegram/errors.ts'
import { classifyTelegramRefusal } from '../../shared/telegram/refusals.ts'

const CHAT = '-1001234567890'
/** What waits, and what the chat should show once it is back. */
type Absence = { name: string; waiting: EnqueueInput[]; notice: string; messages: string[] }
const card = (text: string): EnqueueInput => ({
  ...telegramMessage(CHAT, text, `card:${text}`),
  meta: { kind: 'card', cardId: text },
})
const ABSENCES: readonly Absence[] = [
  {
    name: 'three messages',
    waiting: ['deux', 'trois', 'quatre'].map((t) => telegramMessage(CHAT, t, `m:${t}`)),
    notice: '📬 3 messages attendaient pendant votre absence : les voici.',
    messages: ['deux', 'trois', 'quatre'],
  },
  {
    name: 'twelve messages and a card',
    waiting: [
      ...Array.from({ length: 12 }, (_, i) => telegramMessage(CHAT, `n${i}`, `m:n${i}`)),
      card('🛂 Approbation demandée'),
    ],
    notice:
      '📬 13 messages pendant votre absence. Voici celui qui attend votre action ; le reste est dans Plane, et <code>/plane status</code> fait le point.',
    messages: ['🛂 Approbation demandée'],
  },
]
/** The done criterion: what waited is in the chat this soon after its return. */
const WITHIN_MS = 30_000

const SEGMENTS = [
  'a member writes while refused',
  'the hourly try',
  'the hourly try, the chat back without a word',
] as const
type Segment = (typeof SEGMENTS)[number]

/**
 * The world of one case: a store whose operations are counted (the return is played before the k-th), the sender,
 * the holds and what the human hears, on one clock; Telegram refuses the chat until it is back.
 */
function createWorld() {
  let clock = Date.parse('2026-11-26T09:00:00.000Z')
  const now = () => clock
  const inner = createMemoryStore({ now })
  // Points of the run: each store operation, and each answer of Telegram before the sender reads it.
  const point = { n: 0, at: Number.POSITIVE_INFINITY, counting: false, run: async () => {} }
  const step = async () => {
    if (!point.counting) return
    point.n++
    if (point.n !== point.at) return
    point.counting = false
    await point.run()
    point.counting = true
  }
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver)
      if (typeof value !== 'function' || name === 'dispose') return value
      return async (...args: unknown[]) => {
        await step()
        return value.apply(target, args)
      }
    },
  }) as Store
  const log = createLogger({ level: 'error' })
  const outbox = createOutbox(store, now)
  const holds = createChatHolds(store, now)
  let kicks = 0
  const care = createHeldChats({
    outbox,
    store,
    holds,
    locale: 'fr',
    log,
    now,
    kick: () => kicks++,
  })
  const telegram = { refusing: true, sent: [] as Array<{ at: number; text: string }> }
  const sender = createOutboxSender({
    outbox,
    channel: 'telegram',
    store,
    log,
    now,
    sleep: async (ms) => {
      clock += ms
    },
    holds,
    onChatBack: (target, hold, went) => care.resumed(target, hold, went),
    deliver: async (item) => {
      const refused = telegram.refusing
      await step()
      if (refused)
        throw new TelegramError({
          kind: 'api',
          method: 'sendMessage',
          errorCode: 403,
          description: 'Forbidden: bot was kicked from the supergroup chat',
        })
      telegram.sent.push({ at: clock, text: String(item.payload.text) })
    },
    classify: (_item, error) => {
      const refusal = classifyTelegramRefusal(error)
      return refusal.policy === 'hold-chat'
        ? { retry: true, chat: { hold: refusal.why, description: errorMessage(error) } }
        : { retry: false }
    },
  })
  // When the chat is back: its update, or the hourly try that finds it back before any update.
  let backAt: number | null = null
  const comeBack = async () => {
    telegram.refusing = false
    backAt ??= clock
    await care.back(CHAT)
  }

  return {
    outbox,
    telegram,
    /** The chat held with messages waiting, and the notice of a return that was not one refused. */
    async hold(absence: Absence) {
      for (const message of absence.waiting) await outbox.enqueue(message)
      await sender.drain()
      clock += 60_000
      await care.back(CHAT)
      clock += 20
      await sender.drain()
      clock += 60_000
    },
    /** Plays the segment, the chat's return before its `at`-th point; how many points it had. */
    async play(segment: Segment, at: number) {
      Object.assign(point, { n: 0, at, counting: true, run: comeBack })
      let report: DrainReport
      if (segment === 'a member writes while refused') {
        await care.back(CHAT)
        report = await sender.drain()
      } else {
        clock += HELD_CHAT_RETRY_MS
        if (segment === 'the hourly try, the chat back without a word') {
          telegram.refusing = false
          backAt = clock
        }
        report = await sender.drain()
      }
      point.counting = false
      if (backAt === null) await comeBack()
      // As the scheduler goes on: a kick drains again at once, else the drain's next due time.
      for (let i = 0; i < 50 && (await outbox.pending()).length > 0; i++) {
        if (kicks === 0) {
          if (report.nextDueInMs === null) break
          clock += Math.max(50, report.nextDueInMs)
        }
        kicks = 0
        report = await sender.drain()
      }
      return { points: point.n, backAt: backAt as number }
    },
  }
}

async function playCase(absence: Absence, segment: Segment, at: number) {
  const world = createWorld()
  await world.hold(absence)
  const { points, backAt } = await world.play(segment, at)
  const texts = world.telegram.sent.map((s) => s.text)
  const problems: string[] = []
  const notices = texts.filter((t) => t.startsWith('📬'))
  if (notices.length !== 1 || notices[0] !== absence.notice)
    problems.push(`notices: ${JSON.stringify(notices)}`)
  const messages = texts.filter((t) => !t.startsWith('📬'))
  if (JSON.stringify(messages) !== JSON.stringify(absence.messages))
    problems.push(`messages: ${JSON.stringify(messages)}`)
  const late = world.telegram.sent.filter((s) => s.at - backAt > WITHIN_MS)
  if (late.length > 0)
    problems.push(`late: ${late.map((s) => `${s.text} +${s.at - backAt} ms`).join(', ')}`)
  const left = await world.outbox.pending()
  if (left.length > 0) problems.push(`left: ${left.map((i) => String(i.payload.text)).join(', ')}`)
  return { points, problems }
}

describe('a held chat back, whatever ran when it came back', () => {
  for (const absence of ABSENCES)
    for (const segment of SEGMENTS)
      it(`should deliver ${absence.name} within 30 s when the return comes at any point of ${segment}`, async () => {
        // A clean run (the return after the segment) counts its points; then the return before each in turn.
        const clean = await playCase(absence, segment, Number.POSITIVE_INFINITY)
        expect(clean.problems).toEqual([])
        expect(clean.points).toBeGreaterThan(5)
        const failures: string[] = []
        for (let at = 1; at <= clean.points; at++) {
          const { problems } = await playCase(absence, segment, at)
          if (problems.length > 0) failures.push(`return at point ${at}: ${problems.join('; ')}`)
        }
        expect(failures, failures.join('\n')).toEqual([])
      })
})
