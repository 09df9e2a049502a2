/**
 * Issue 44, "Done means": random hostile content (astral characters and ZWJ sequences at every cut position, tags,
 * `&`, whitespace only, 5,000-character names, 20,000-character Markdown) through every notification the bridge sends
 * on its own (each kind of task notification, new projects, cycles and their announcements, reviews, an agent's
 * grouped message) → 0 messages refused by the strict Telegram simulator, nor their plain-text fallbacks. Each message
 * is built by the product's own builders and sent by its client as delivery sends it. The other kinds: run messages,
 * alerts, held-chat notices and the plain-text fallback (hostile-runs.test.ts), cards, presses and prompts
 * (hostile-cards.test.ts), /plane replies and the digest (hostile-replies.test.ts). HOSTILE_RUNS multiplies the runs,
 * HOSTILE_SEED replays one.
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
import {
  renderCycle,
  renderProjectCreated,
  renderReview,
  renderTaskNotification,
} from '../../shared/notify/messages.ts'
import { telegramMessage } from '../../shared/notify/outbox.ts'
import type { TaskNotification } from '../../shared/notify/policy.ts'
import { createAgentQuota } from '../../shared/notify/quota.ts'
import { renderCycleAnnouncement } from '../../shared/poll/cycle-messages.ts'
import { createMemoryStore } from '../../shared/store/store.ts'
import { CHAT_ID, createHostileChat } from './hostile-chat.ts'
import { hostileComment, hostileName, PROPERTY_TIMEOUT_MS, runs } from './hostile-text.ts'
import {
  agentName,
  locale,
  NOW,
  project,
  state,
  TASK_KINDS,
  task,
  taskUrl,
  uuid,
} from './hostile-world.ts'

const notification: fc.Arbitrary<TaskNotification> = fc.record({
  kind: fc.constantFrom(...TASK_KINDS),
  task: task(),
  blocker: fc.option(
    fc.record({
      via: fc.constantFrom('state' as const, 'label' as const, 'comment' as const),
      text: hostileComment,
    }),
    { nil: undefined }
  ),
  from: fc.option(state, { nil: null }),
  assigned: fc.subarray([uuid(1, 'b'), uuid(2, 'b'), uuid(3, 'b'), uuid(9, 'b')]),
})

/** Everything a notification may carry besides the task: names, the agent's report, deliverables, blockers. */
const notificationContext = fc.record({
  locale,
  project: fc.option(project(), { nil: null }),
  taskUrl,
  names: fc.array(hostileName, { minLength: 4, maxLength: 4 }),
  actorName: fc.option(hostileName, { nil: null }),
  timeSpentMinutes: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
  confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  summary: fc.option(hostileComment, { nil: null }),
  deliverables: fc.array(
    fc.record({ name: hostileName, url: fc.option(fc.constant('https://x.test/?a=1&b=2')) }),
    { maxLength: 7 }
  ),
  openBlockers: fc.array(hostileName, { maxLength: 7 }),
})

/** The OpenClaw error a wake meets when OpenClaw answers with a hostile body (its text is cut at 200). */ describe('hostile content in what the bridge sends on its own (issue 44)', () => {
  it(
    'should have every task notification accepted, whatever its names, report, deliverables and blockers',
    async () => {
      await fc.assert(
        fc.asyncProperty(notification, notificationContext, async (n, c) => {
          const chat = createHostileChat()
          const names = new Map(n.assigned?.map((id, i) => [id, c.names[i % 4] ?? '']) ?? [])
          const html = renderTaskNotification(n, {
            ...c,
            userName: (id) => names.get(id) ?? c.names[0] ?? id,
          })
          await chat.send(n.kind, telegramMessage(CHAT_ID, html, 'k', n.task.projectId).payload)
        }),
        runs(120)
      )
    },
    PROPERTY_TIMEOUT_MS
  )
  it(
    'should have new projects, cycles and reviews accepted',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            locale,
            project: project(),
            url: taskUrl,
            ready: fc.boolean(),
            needsBridge: fc.option(hostileName, { nil: null }),
            detail: hostileComment,
            cycle: fc.record({
              name: hostileName,
              startDate: fc.constantFrom(null, '2026-11-16'),
              endDate: fc.constantFrom(null, '2026-11-29'),
            }),
            counts: fc.option(
              fc.record({
                total: fc.nat(500),
                completed: fc.nat(500),
                cancelled: fc.nat(500),
              }),
              { nil: null }
            ),
            today: fc.boolean(),
            task: task(),
            confidence: fc.double({ min: 0, max: 0.69, noNaN: true }),
            agent: hostileName,
            report: fc.option(hostileComment, { nil: null }),
          }),
          async (w) => {
            const chat = createHostileChat()
            const send = (kind: string, html: string) =>
              chat.send(kind, telegramMessage(CHAT_ID, html, 'k', w.project.id).payload)
            const setup = { ready: w.ready, detail: w.detail, needsBridge: w.needsBridge }
            await send('project.created', renderProjectCreated(w.project, w.locale, { url: w.url }))
            await send(
              'project.created (set up)',
              renderProjectCreated(w.project, w.locale, { setup })
            )
            for (const action of ['started', 'completed'] as const) {
              await send(`cycle.${action}`, renderCycle(action, w.cycle, w.project, w.locale))
              const announced =
                action === 'started'
                  ? {
                      transition: action,
                      name: w.cycle.name,
                      startDay: '2026-11-16',
                      endDay: '2026-11-29',
                      today: w.today,
                      counts: w.counts,
                    }
                  : { transition: action, name: w.cycle.name, counts: w.counts }
              await send(
                `cycle announcement (${action})`,
                renderCycleAnnouncement(announced, w.project, w.locale, w.url)
              )
            }
            const ctx = { locale: w.locale, project: w.project, taskUrl: w.url }
            await send('review', renderReview(w.task, w.confidence, w.agent, ctx, w.report))
          }
        ),
        runs(60)
      )
    },
    PROPERTY_TIMEOUT_MS
  )
  it(
    'should have an agent grouped message accepted, whatever the messages it carries',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            locale,
            agent: agentName,
            grouped: fc.array(fc.tuple(notification, notificationContext), {
              minLength: 1,
              maxLength: 6,
            }),
          }),
          async ({ locale: lang, agent, grouped }) => {
            const chat = createHostileChat()
            const store = createMemoryStore()
            const quota = createAgentQuota({
              store,
              perPeriod: 0,
              periodMs: 60_000,
              now: () => NOW,
            })
            for (const [i, [n, c]] of grouped.entries()) {
              const html = renderTaskNotification(n, { ...c, userName: (id) => id })
              await quota.group({
                agentId: 'agent1',
                agentName: agent,
                chatId: CHAT_ID,
                dedupeKey: `h${i}`,
                html,
              })
            }
            const group = await quota.take('agent1', agent, lang)
            if (!group) throw new Error('grouped message: nothing grouped')
            await chat.send('grouped message', {
              chat_id: CHAT_ID,
              text: group.html,
              parse_mode: 'HTML',
              link_preview_options: { is_disabled: true },
            })
          }
        ),
        runs(40)
      )
    },
    PROPERTY_TIMEOUT_MS
  )
})
