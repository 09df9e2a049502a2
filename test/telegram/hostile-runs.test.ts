/**
 * Issue 44, "Done means", for what runs, alerts and refusals tell the human: the run tracker's own messages (a wake
 * unanswered or failing with OpenClaw's hostile words, OpenClaw refusing the bridge, a run gone stale, a mention
 * unanswered) and wakes, Plane's failures (a refused key, a workspace unknown, Plane down, with Plane's hostile body),
 * held-chat notices, and the plain-text fallback of any message Telegram may refuse → 0 refused by the strict Telegram
 * simulator. HOSTILE_RUNS multiplies the runs, HOSTILE_SEED replays one.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AgentRef } from '../../shared/agents/registry.ts'
import type { TaskSnapshot } from '../../shared/events.ts'
import { createChatHolds } from '../../shared/notify/chat-holds.ts'
import { createStaticDirectory } from '../../shared/notify/directory.ts'
import { createHeldChats } from '../../shared/notify/held-chats.ts'
import { renderTaskName } from '../../shared/notify/messages.ts'
import { createOutbox, type OutboxItem, telegramMessage } from '../../shared/notify/outbox.ts'
import { silentLogger } from '../../shared/observe/log.ts'
import { createMetricsRegistry } from '../../shared/observe/metrics.ts'
import { createRedactor } from '../../shared/observe/redact.ts'
import { createOpenClawClient, openClawFailure } from '../../shared/openclaw/index.ts'
import { createPlaneHttpError, createPlaneTransportError } from '../../shared/plane/errors.ts'
import { alertPlaneFailure } from '../../shared/poll/plane-alerts.ts'
import { webhookOffMessage } from '../../shared/poll/webhook-off.ts'
import { runPhrasesFor } from '../../shared/runs/phrases.ts'
import type { RunStore } from '../../shared/runs/records.ts'
import { createRunTracker, DUE_SET } from '../../shared/runs/tracker.ts'
import { staleMember } from '../../shared/runs/tracker-kit.ts'
import { createMemoryStore } from '../../shared/store/store.ts'
import { escapeHtml } from '../../shared/telegram/html.ts'
import { plainFallback } from '../../shared/telegram/plain.ts'
import { toWellFormed } from '../../shared/text/cap.ts'
import { CHAT_ID, createHostileChat } from './hostile-chat.ts'
import {
  hostileComment,
  hostileName,
  hostileText,
  mixedText,
  PROPERTY_TIMEOUT_MS,
  runs,
} from './hostile-text.ts'
import { agents, locale, NOW, project, task, uuid } from './hostile-world.ts'

async function wakeFailure(status: number, said: string) {
  const client = createOpenClawClient({
    hooksUrl: 'http://openclaw.test/hooks',
    token: 'openclaw-hooks-token-for-hostile-tests',
    fetch: async () =>
      new Response(JSON.stringify({ error: said }), {
        status,
        headers: { 'content-type': 'application/json' },
      }),
  })
  const error = await client.agent({ message: 'x' }, { idempotencyKey: 'k' }).catch((e) => e)
  return openClawFailure(error)
}

describe('hostile content in what runs, alerts and refusals tell the human (issue 44)', () => {
  it(
    'should have what the run tracker tells the human accepted, and what it wakes agents with well-formed',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            locale,
            project: project(),
            task: task(),
            agents,
            author: hostileName,
            comment: hostileComment,
            status: fc.constantFrom(400, 401, 404, 413, 429, 500, 503),
            said: hostileText(),
            failing: fc.boolean(),
          }),
          async (w) => {
            const chat = createHostileChat()
            const [owner, other] = [w.agents[0], w.agents.at(-1)] as [AgentRef, AgentRef]
            // The owner's task, open to it (a wake), in a project the directory knows.
            const mine: TaskSnapshot = {
              ...w.task,
              state: { id: uuid(2, 'a'), name: w.task.state?.name ?? 'Todo', group: 'unstarted' },
              assigneeIds: [owner.planeUserId],
              labels: [],
            }
            const store = createMemoryStore()
            let now = NOW
            const outbox = createOutbox(store, () => now)
            const run = {
              state: 'active',
              agentId: owner.id,
              lastActivityAt: '2026-11-20T00:00:00Z',
            }
            const tracker = createRunTracker({
              store,
              outbox,
              // Just what a stale run reads and writes of its record.
              runs: {
                peek: async () => run,
                update: async (_key: unknown, change: (r: unknown) => unknown) => change(run),
              } as unknown as RunStore,
              directory: createStaticDirectory({ projects: [w.project], agents: w.agents }),
              snapshot: async () => mine,
              locale: w.locale,
              chatId: CHAT_ID,
              wakeAgents: true,
              checkinMs: 1_000,
              attempts: 2,
              staleMs: 60_000,
              planeBaseUrl: 'https://plane.example',
              workspaceSlug: 'w&s',
              log: silentLogger,
              metrics: createMetricsRegistry(),
              now: () => now,
            })
            await tracker.assigned(mine, owner)
            const failure = await wakeFailure(w.status, w.said)
            const meta = { kind: 'wake' as const, taskId: mine.id, agentId: owner.id, attempt: 1 }
            // Every wake refused (the human hears why), or none answered (the human hears so).
            if (w.failing) await tracker.undelivered(meta, failure)
            await tracker.mentioned(mine, other, {
              commentId: 'c1',
              text: w.comment,
              author: w.author,
            })
            await store.sortedAdd(DUE_SET, staleMember(mine.id), now)
            for (let i = 0; i < 6; i++) {
              now += 10_000
              if (w.failing) await tracker.undelivered({ ...meta, attempt: i + 2 }, failure)
              await tracker.due()
            }
            // Then the task goes to another agent: the owner is told to stop (a wake naming the other).
            await tracker.unassigned(mine, owner, 'reassigned', other)
            const items = await outbox.pending()
            const told = items.filter((item) => item.channel === 'telegram')
            // Stale, a mention and a wake unanswered (or failed) at least; OpenClaw refusing the bridge sometimes.
            expect(told.length).toBeGreaterThanOrEqual(3)
            await chat.deliver('run message', told)
            // To OpenClaw, not Telegram: JSON carries a wake's text only if it is well-formed.
            const wakes = items.filter((i) => i.channel === 'openclaw')
            expect(wakes.some((i) => String(i.dedupeKey).startsWith('stop:'))).toBe(true)
            for (const item of wakes) {
              const text = String(item.payload.message)
              if (toWellFormed(text) !== text) throw new Error(`wake: not well-formed: ${text}`)
            }
            // As pipeline/deleted.ts words it: a task deleted in Plane while an agent worked on it.
            const say = runPhrasesFor(w.locale)
            const name = renderTaskName(mine, {
              locale: w.locale,
              project: w.project,
              taskUrl: null,
            })
            const deleted = say.deletedHuman(name, `<b>${escapeHtml(owner.name)}</b>`)
            await chat.send(
              'task deleted while worked on',
              telegramMessage(CHAT_ID, deleted).payload
            )
          }
        ),
        runs(50)
      )
    },
    PROPERTY_TIMEOUT_MS
  )
  it(
    'should have alerts and held-chat notices accepted, whatever Plane, OpenClaw or Telegram said',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            locale,
            body: fc.oneof(
              hostileText(),
              hostileText().map((detail) => ({ detail })),
              hostileText().map((name) => ({ name: [name, name] }))
            ),
            status: fc.constantFrom(401, 403, 404, 500, 502, 503),
            path: fc.constantFrom(
              '/api/v1/workspaces/ws/projects/',
              '/api/v1/workspaces/w&s/members/'
            ),
            network: hostileText({ long: 0 }),
            reason: hostileText(),
            waiting: fc.integer({ min: 1, max: 14 }),
          }),
          async (w) => {
            const chat = createHostileChat()
            const store = createMemoryStore()
            const outbox = createOutbox(store, () => NOW)
            const parts = {
              store,
              log: silentLogger,
              now: () => NOW,
              outbox,
              chatId: CHAT_ID,
              openclaw: null,
              kick: () => undefined,
              directory: { concierge: async () => null },
              config: { LOCALE: w.locale, PLANE_WORKSPACE_SLUG: 'w&s' },
            } as unknown as Parameters<typeof alertPlaneFailure>[0]
            const redactor = createRedactor([])
            const said = { status: w.status, method: 'GET', path: w.path, body: w.body }
            // Plane down is told from the second failure in a row.
            await alertPlaneFailure(parts, createPlaneHttpError(said, redactor))
            await alertPlaneFailure(parts, createPlaneHttpError(said, redactor))
            await store.delete('alert:plane-down')
            const timeout = {
              method: 'GET',
              path: w.path,
              error: new Error(w.network),
              timeoutMs: 1,
            }
            await alertPlaneFailure(parts, createPlaneTransportError(timeout, redactor))

            const holds = createChatHolds(store, () => NOW)
            const held = createHeldChats({
              outbox,
              store,
              holds,
              locale: w.locale,
              log: silentLogger,
              now: () => NOW,
            })
            const given = { channel: 'telegram', target: CHAT_ID, dedupeKey: 'k' } as OutboxItem
            await held.gaveUp(given, w.reason)
            await held.migrated(CHAT_ID, '-1009876543210')
            await holds.hold(CHAT_ID, 'kicked', w.reason)
            for (let i = 0; i < w.waiting; i++)
              await outbox.enqueue(telegramMessage(CHAT_ID, `attente ${i}`, `w${i}`))
            await held.back(CHAT_ID)
            const said2 = (await outbox.pending('telegram')).filter(
              (item) => !item.dedupeKey?.startsWith('w')
            )
            await chat.deliver('alert or held-chat notice', said2)
            const off = webhookOffMessage(w.locale, {
              lastReceivedAt: NOW - 3_600_000,
              now: NOW,
              missed: 3,
              settingsUrl: 'https://plane.example/w&s/settings/webhooks?<x>',
              webhookUrl: 'https://bridge.example/webhooks/plane?a="1"&b=2',
            })
            await chat.send('webhook switched off', telegramMessage(CHAT_ID, off).payload)
          }
        ),
        runs(50)
      )
    },
    PROPERTY_TIMEOUT_MS
  )
  it(
    'should have the plain-text fallback of any message accepted, whatever made Telegram refuse it',
    async () => {
      // What a refused message may hold: broken markup, half an emoji (an old stored cut), 20,000 characters.
      const refusable = fc
        .record({
          text: hostileComment,
          broken: fc.constantFrom('', '<b>', '</i>', '&nbsp;', '<span>', '\ud83d', '\ude00'),
          at: fc.nat(),
        })
        .map(({ text, broken, at }) => {
          const i = at % (text.length + 1)
          return `${text.slice(0, i)}${broken}${text.slice(i)}`
        })
      // Buttons as the product makes them (a short text: buttonText, card labels), some with half an emoji.
      const button = fc.record({
        text: fc.oneof(mixedText(3), fc.constantFrom('\ud83d', ' ', 'ok\udc00')),
        callback_data: fc.constantFrom('s', 'p:00000000-0000-4000-8000-d00000000001'),
      })
      await fc.assert(
        fc.asyncProperty(
          refusable,
          fc.option(fc.array(fc.array(button, { minLength: 1, maxLength: 8 }), { maxLength: 12 })),
          fc.constantFrom(...(['entities', 'encoding', 'length', 'empty', 'markup'] as const)),
          async (text, rows, why) => {
            const chat = createHostileChat()
            const payload = {
              ...telegramMessage(CHAT_ID, text).payload,
              ...(rows ? { reply_markup: { inline_keyboard: rows } } : {}),
            }
            // Refused or not as HTML: its plain text is what the refusal policy sends, and it must go.
            await chat.telegram.sendMessage(payload).catch(() => undefined)
            chat.forgetRefusals()
            await chat.telegram.sendMessage(plainFallback(payload, why)).catch(() => undefined)
            chat.expectNoRefusal(`plain-text fallback (${why})`)
          }
        ),
        runs(80)
      )
    },
    PROPERTY_TIMEOUT_MS
  )
})
