/**
 * Issue 44, "Done means", for what the human acts on: a window of hostile changes and comments through the pipeline's
 * own plan (notifications, a completion with its review buttons, a question card, an approval card, an agent's
 * grouped message) and a budget alert card, then hostile people pressing every button (toasts, prompts, an action
 * Plane fails with a hostile error, a budget raised or held, the card's edit with its added line, "already done") → 0
 * messages refused by the strict Telegram simulator, nor their plain-text fallbacks. HOSTILE_RUNS multiplies the runs,
 * HOSTILE_SEED replays one.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cardWithLine, handleCardPress } from '../../functions/telegram/actions.ts'
import {
  CARD_ACTIONS,
  type CardAction,
  createCardStore,
  decodeCardAction,
  encodeCardAction,
} from '../../shared/actions/cards.ts'
import { actionPhrasesFor } from '../../shared/actions/phrases.ts'
import { createBudgetTeller } from '../../shared/budget/alerts.ts'
import type { ScopeFigures } from '../../shared/budget/budget.ts'
import { formatTime } from '../../shared/commands/render-parts.ts'
import type { Services } from '../../shared/core/function.ts'
import type { TaskSnapshot } from '../../shared/events.ts'
import { createStaticDirectory } from '../../shared/notify/directory.ts'
import { createOutbox, type OutboxItem } from '../../shared/notify/outbox.ts'
import { createNotifyPolicy, type NotificationKind } from '../../shared/notify/policy.ts'
import { createAgentQuota } from '../../shared/notify/quota.ts'
import { silentLogger } from '../../shared/observe/log.ts'
import { planFlush } from '../../shared/pipeline/plan-flush.ts'
import type { RunTracker } from '../../shared/runs/tracker.ts'
import { createMemoryStore } from '../../shared/store/store.ts'
import { escapeHtml } from '../../shared/telegram/html.ts'
import { readUpdate } from '../../shared/telegram/update.ts'
import { CHAT, CHAT_ID, createHostileChat, type HostileChat } from './hostile-chat.ts'
import {
  hostileComment,
  hostileName,
  hostileText,
  PROPERTY_TIMEOUT_MS,
  runs,
} from './hostile-text.ts'
import {
  agents,
  locale,
  NOW,
  people,
  project,
  scopeFigures,
  TASK_KINDS,
  task,
  taskUrl,
  uuid,
} from './hostile-world.ts'

const ALL_KINDS: NotificationKind[] = [...TASK_KINDS, 'review.needed']
const TIMEZONE = 'Europe/Paris'
/** The figures a raise answers with when the window had no budget alert. */
const FALLBACK_FIGURES = fc.sample(scopeFigures(null), { numRuns: 1, seed: 1 })[0] as ScopeFigures

/** What ends a window: done, blocked, cancelled, or just started; the comments that came with it. */
const window = fc.record({
  locale,
  project: project(),
  url: taskUrl,
  task: task(),
  agents,
  people,
  to: fc.constantFrom(
    { id: uuid(5, 'a'), name: 'Done', group: 'completed' as const },
    { id: uuid(6, 'a'), name: 'Bloqué', group: 'started' as const },
    { id: uuid(7, 'a'), name: 'Cancelled', group: 'cancelled' as const },
    { id: uuid(8, 'a'), name: 'In Progress', group: 'started' as const }
  ),
  awaitsApproval: fc.boolean(),
  created: fc.boolean(),
  comments: fc.array(
    fc.record({
      text: fc.oneof(
        hostileComment.map((t) => `❓ ${t}`),
        hostileComment.map((t) => `❌ Échec : ${t}`),
        fc
          .tuple(fc.constantFrom('0,4', '0.55', '0'), hostileComment)
          .map(([c, t]) => `Terminé <ok>. confidence: ${c}\n${t}`),
        hostileComment
      ),
      who: fc.integer({ min: 0, max: 4 }),
    }),
    { maxLength: 4 }
  ),
  summary: hostileComment,
  // Up to 7 deliverables with or without a link, and people besides the agent: the completion at its longest.
  deliverables: fc.array(
    fc.record({ name: hostileName, url: fc.option(fc.constant('https://x.test/?a=1&b=2')) }),
    {
      maxLength: 7,
    }
  ),
  others: fc.subarray([uuid(4, 'b'), uuid(5, 'b')]),
  quota: fc.constantFrom(0, 1, 10),
  /** The card's buttons pressed last to first: the second action is the one carried out. */
  reverse: fc.boolean(),
  // The month's budget crossed (OPENCLAW-11): the team's or an agent's, at 80 or 100 %.
  budget: fc.option(
    fc.record({
      level: fc.constantFrom(80 as const, 100 as const),
      team: fc.boolean(),
      figures: scopeFigures('agent1'),
    }),
    { nil: null }
  ),
})

/** A person as Telegram gives them: first and last names of any length, maybe a username. */
const presser = fc.record({
  first_name: hostileName,
  last_name: fc.option(hostileName, { nil: undefined }),
  username: fc.option(fc.constantFrom('ada_l', 'x'), { nil: undefined }),
})

describe('hostile content in what the human acts on (issue 44)', () => {
  it(
    'should have every card, toast, prompt, failure and edit accepted, whoever presses and whatever Plane says',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          window,
          fc.array(presser, { minLength: 2, maxLength: 2 }),
          hostileText(),
          async (w, people, failure) => {
            const chat = createHostileChat()
            const store = createMemoryStore()
            let now = NOW
            const clock = () => now
            const outbox = createOutbox(store, clock)
            const cards = createCardStore({ store, outbox, now: clock })
            const quota = createAgentQuota({
              store,
              perPeriod: w.quota,
              periodMs: 60_000,
              now: clock,
            })
            const [owner] = w.agents
            const before: TaskSnapshot = {
              ...w.task,
              state: { id: uuid(2, 'a'), name: 'Todo', group: 'unstarted' },
              assigneeIds: [],
              labels: [],
            }
            const after: TaskSnapshot = {
              ...w.task,
              state: w.to,
              assigneeIds: [...(owner ? [owner.planeUserId] : []), ...w.others],
              labels: w.awaitsApproval ? ['approval'] : [],
            }
            const actorOf = (who: number) => ({
              id: uuid(who + 1, 'b'),
              name: w.people[uuid(who + 1, 'b')] ?? '?',
            })
            const plan = await planFlush(
              {
                taskId: after.id,
                before: w.created ? null : before,
                after,
                created: w.created,
                hint: null,
                actor: actorOf(0),
                comments: w.comments.map((c) => ({ text: c.text, actor: actorOf(c.who) })),
                firstAt: NOW,
                dueAt: NOW,
                sources: ['webhook'],
              },
              {
                store,
                directory: createStaticDirectory({
                  projects: [w.project],
                  users: w.people,
                  agents: w.agents,
                }),
                policy: createNotifyPolicy({ kinds: ALL_KINDS }),
                locale: w.locale,
                chatId: CHAT_ID,
                project: w.project,
                taskUrl: w.url,
                runInfo: async () => ({
                  timeSpentSeconds: 5_400,
                  confidence: 0.4,
                  summary: w.summary,
                  deliverables: w.deliverables,
                }),
                // Held for approval: the card asks the human.
                tracker: {
                  assigned: async () => (w.awaitsApproval ? 'awaiting-approval' : 'woken'),
                  unassigned: async () => true,
                } as unknown as RunTracker,
                cards,
                quota,
              }
            )
            for (const item of plan.items) await outbox.enqueue(item)
            if (w.budget) {
              const agent = w.agents[1] ?? owner
              const tell = createBudgetTeller({
                cards,
                chatId: CHAT_ID,
                locale: w.locale,
                nameOf: () => agent?.name ?? '?',
              })
              const { team, level, figures } = w.budget
              const scope = team ? { scope: 'team', agentId: null } : { agentId: 'agent1' }
              await tell({ level, month: '2026-11', figures: { ...figures, ...scope } })
            }
            const sent = await _drain(outbox)
            const ids = await chat.deliver('notification or card', sent, {
              quota,
              locale: w.locale,
            })
            for (const item of sent)
              if (item.meta?.kind === 'card')
                await cards.sent(String(item.meta.cardId), ids.get(item.id) ?? 0)
            const posted = sent.filter((item) => item.meta?.kind === 'card')
            for (const item of posted) {
              const card = await cards.get(String(item.meta?.cardId))
              if (!card) throw new Error('a card sent but not stored')
              const services = {
                config: { LOCALE: w.locale, TIMEZONE },
                log: silentLogger,
                now: clock,
                store,
              } as unknown as Services
              await pressEveryButton(chat, {
                services,
                store,
                outbox,
                cards,
                card,
                people,
                failure,
                figures: w.budget?.figures ?? FALLBACK_FIGURES,
                reverse: w.reverse,
              })
              now += 60_000
            }
            // One toast a press: each button, one the card never offered, two more around the action done.
            const presses = posted.reduce((n, item) => n + _buttons(item) + 3, 0)
            expect(chat.sim.callsOf('answerCallbackQuery')).toHaveLength(presses)
          }
        ),
        runs(60)
      )
    },
    PROPERTY_TIMEOUT_MS
  )
})

type PressContext = {
  services: Services
  store: ReturnType<typeof createMemoryStore>
  outbox: ReturnType<typeof createOutbox>
  cards: ReturnType<typeof createCardStore>
  card: NonNullable<Awaited<ReturnType<ReturnType<typeof createCardStore>['get']>>>
  people: Array<{
    first_name: string
    last_name?: string | undefined
    username?: string | undefined
  }>
  failure: string
  /** What the budget says after a raise. */
  figures: ScopeFigures
  reverse: boolean
}

/**
 * Each of the card's buttons pressed by a hostile person, and one it never offered: the toast, then a prompt for the
 * text, or the action carried out in a Plane that fails with a hostile error (said in the chat); then the card as
 * edited once the action is done (its added line names the person), and a press after that ("already done").
 */
async function pressEveryButton(
  chat: HostileChat,
  { services, outbox, cards, card, people, failure, figures, reverse }: PressContext
): Promise<void> {
  const say = actionPhrasesFor(services.config.LOCALE)
  // A Plane that fails every read with a hostile error: the action's failure is said in the chat.
  const plane = {
    withPriority: () => ({
      workItems: {
        get: async () => {
          throw new Error(failure)
        },
      },
    }),
  }
  const parts = {
    telegram: chat.telegram,
    cards,
    outbox,
    plane,
    runs: { peek: async () => null },
    pipeline: { snapshot: async () => ({ projectId: card.projectId }) },
    kick: () => undefined,
    // The budget takes the human's answer (+20 %, pause): the card is edited with what was done.
    budget: {
      raise: async () => ({ ...figures, budgetUsd: figures.budgetUsd ?? 1e12 }),
      pause: async () => undefined,
    },
  } as unknown as Parameters<typeof handleCardPress>[1]
  const foreign: CardAction = card.kind === 'approval' ? 'validate' : 'approve'
  const offered = reverse ? [...CARD_ACTIONS[card.kind]].reverse() : CARD_ACTIONS[card.kind]
  const actions = [...offered, foreign]
  const press = async (action: CardAction, who: number) => {
    const update = chat.sim.makeCallbackUpdate({
      data: encodeCardAction(card.id, action),
      chatId: CHAT,
      messageId: card.messageId ?? 1,
      from: people[who % people.length] ?? {},
    })
    const read = readUpdate(update)
    if (read.kind !== 'callback') throw new Error(`a press read as ${read.kind}`)
    const decoded = decodeCardAction(read.data)
    if (!decoded) throw new Error('a card button not read back')
    await handleCardPress(services, parts, { ...read, ...decoded })
    chat.expectNoRefusal(`toast of ${card.kind} card, ${action}`)
    await chat.deliver(`after ${action} on a ${card.kind} card`, await _drain(outbox))
    return read.fromName
  }
  for (const [i, action] of actions.entries()) await press(action, i)
  // Plane took the action (what functions/telegram/actions.ts edits the card into), then someone presses again.
  const [action = 'answer'] = CARD_ACTIONS[card.kind]
  const by = await press(action, 1)
  await cards.claim(card.id, { action, by, at: services.now() })
  const line = say.doneLine(action, escapeHtml(by), formatTime(services.now(), TIMEZONE))
  await chat.edit(`${card.kind} card acted on`, {
    chat_id: card.chatId,
    message_id: card.messageId ?? 1,
    text: cardWithLine(card.html, line),
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    reply_markup: { inline_keyboard: [] },
  })
  const other = CARD_ACTIONS[card.kind].at(-1) ?? action
  await press(other === 'answer' ? foreign : other, 0)
}

function _buttons(item: OutboxItem): number {
  const markup = item.payload.reply_markup as { inline_keyboard: unknown[][] }
  return markup.inline_keyboard.flat().length
}

/** What the outbox holds for Telegram now, taken out of it (each press sends what it queued). */
async function _drain(outbox: ReturnType<typeof createOutbox>): Promise<OutboxItem[]> {
  const items = await outbox.pending('telegram')
  for (const item of items) await outbox.ack(item)
  return items
}
