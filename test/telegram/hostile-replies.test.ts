/**
 * Issue 44, "Done means", for the /plane replies and the digest: a workspace of 0 to 150 projects whose every name is
 * hostile, asked about as the human asks (status, the month's budget, a project by a name that matches one, several or none, an agent,
 * help, the drill-down buttons, every page of a long keyboard) → every chunk and page the reply enqueues is accepted
 * by the strict Telegram simulator, as are their plain-text fallbacks. HOSTILE_RUNS multiplies the runs,
 * HOSTILE_SEED replays one.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  answerCommandUpdate,
  type CommandParts,
  type CommandUpdate,
} from '../../functions/telegram/answer-command.ts'
import { buildDigest } from '../../shared/commands/digest.ts'
import { renderContextFor } from '../../shared/commands/render-context.ts'
import { enqueueReply } from '../../shared/commands/send-reply.ts'
import type { Config } from '../../shared/core/config.ts'
import type { Services } from '../../shared/core/function.ts'
import { createOutbox, type Outbox, type OutboxItem } from '../../shared/notify/outbox.ts'
import { silentLogger } from '../../shared/observe/log.ts'
import { createMemoryStore } from '../../shared/store/store.ts'
import { readUpdate } from '../../shared/telegram/update.ts'
import type { WorkspaceView } from '../../shared/workspace/workspace-view.ts'
import { CHAT, CHAT_ID, createHostileChat, type HostileChat } from './hostile-chat.ts'
import { hostileName, PROPERTY_TIMEOUT_MS, runs } from './hostile-text.ts'
import { locale, NOW, workspace } from './hostile-world.ts'

/** What the human may ask: the command's words, chosen against the workspace when it has projects. */
const question = fc.record({
  sub: fc.constantFrom('status', 'état', 'budget', 'project', 'projet', 'agent', 'help', 'zut'),
  pick: fc.nat(),
  how: fc.constantFrom('whole name', 'start of name', 'hostile', 'identifier'),
  hostile: hostileName,
})

type Asked = { services: Services; parts: CommandParts; outbox: Outbox; chat: HostileChat }

describe('hostile content in the /plane replies and the digest (issue 44)', () => {
  it(
    'should have every chunk and every page of every reply accepted, for 0 to 150 hostile projects',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          locale,
          workspace(150),
          fc.array(question, { minLength: 2, maxLength: 4 }),
          async (lang, view, questions) => {
            const asked = _setUp(lang, view)
            let update = 1
            for (const q of questions) {
              const args = [q.sub, ..._query(q, view)]
              const task: CommandUpdate = {
                kind: 'message',
                updateId: update++,
                chatId: CHAT_ID,
                threadId: null,
                args,
              }
              await _answer(asked, `/plane ${args[0]}`, task)
            }
            // The drill-down buttons of /plane status, each asked once: a project, an agent, back to status.
            const [first] = view.projects
            const [agent] = view.agents
            for (const data of [first ? `p:${first.id}` : 's', agent ? `a:${agent.id}` : 's', 's'])
              await _press(asked, `drill-down ${data.slice(0, 1)}`, data, 1)
          }
        ),
        runs(25)
      )
    },
    PROPERTY_TIMEOUT_MS
  )

  it(
    'should have every chunk of the digest accepted, for 0 to 150 hostile projects',
    async () => {
      await fc.assert(
        fc.asyncProperty(locale, workspace(150), async (lang, view) => {
          const { services, outbox, chat } = _setUp(lang, view)
          const ctx = renderContextFor(services.config, NOW)
          const { html } = buildDigest(view, { since: NOW - 86_400_000 }, ctx)
          const chunks = await enqueueReply(outbox, { chatId: CHAT_ID, html, dedupeKey: 'digest' })
          expect(chunks).toBeGreaterThan(0)
          await chat.deliver('digest', await _drain(outbox))
        }),
        runs(25)
      )
    },
    PROPERTY_TIMEOUT_MS
  )
})

// --- Helpers ---

function _setUp(lang: 'fr' | 'en', view: WorkspaceView): Asked {
  const chat = createHostileChat()
  const store = createMemoryStore()
  const outbox = createOutbox(store, () => NOW)
  const config = {
    LOCALE: lang,
    TIMEZONE: 'Europe/Paris',
    PLANE_BASE_URL: 'https://plane.example',
    PLANE_WORKSPACE_SLUG: 'w&s',
  } as Config
  const services = { config, store, log: silentLogger, now: () => NOW } as unknown as Services
  const parts = {
    workspace: {
      view: async () => view,
      currentCycle: async (id: string) => view.projects.find((p) => p.id === id)?.cycle ?? null,
    },
    outbox,
    telegram: chat.telegram,
    kick: () => undefined,
  } as unknown as CommandParts
  return { services, parts, outbox, chat }
}

/** The words after the sub-command: a project's or agent's name (whole, its start), its identifier, or anything. */
function _query(q: { pick: number; how: string; hostile: string }, view: WorkspaceView) {
  const names = [...view.projects.map((p) => p.name), ...view.agents.map((a) => a.name)]
  const name = names[q.pick % Math.max(1, names.length)] ?? q.hostile
  const project = view.projects[q.pick % Math.max(1, view.projects.length)]
  if (q.how === 'whole name') return [name]
  // Whole code points: what a person types comes from Telegram, always well-formed.
  if (q.how === 'start of name') return [[...name].slice(0, 3).join('')]
  if (q.how === 'identifier') return [project?.identifier ?? q.hostile]
  return [q.hostile]
}

/** A command answered: every chunk it enqueued sent, then every page of its keyboard turned. */
async function _answer(asked: Asked, kind: string, task: CommandUpdate): Promise<void> {
  await answerCommandUpdate(asked.services, asked.parts, task)
  const items = await _drain(asked.outbox)
  const ids = await asked.chat.deliver(kind, items)
  const last = items.at(-1)
  const messageId = last ? ids.get(last.id) : undefined
  if (!last || messageId === undefined) return
  // "Suivants ▸" until the last page: each turn edits the same message.
  let next = _nextPage(last)
  for (let page = 1; next && page < 60; page++)
    next = await _press(asked, `${kind}, page ${page + 1}`, next, messageId)
  if (next) throw new Error(`${kind}: more than 60 pages`)
}

/** A button pressed by the human, as the webhook reads it: what it enqueued is sent; the next page's data if any. */
async function _press(
  { services, parts, outbox, chat }: Asked,
  kind: string,
  data: string,
  messageId: number
): Promise<string | null> {
  const update = readUpdate(chat.sim.makeCallbackUpdate({ data, chatId: CHAT, messageId }))
  if (update.kind !== 'callback') throw new Error(`a press read as ${update.kind}`)
  await answerCommandUpdate(services, parts, { ...update, kind: 'callback' })
  chat.expectNoRefusal(`${kind} (toast)`)
  const items = await _drain(outbox)
  await chat.deliver(kind, items)
  const edited = items.find((i) => i.meta?.kind === 'edit')
  return edited ? _nextPage(edited) : null
}

function _nextPage(item: OutboxItem): string | null {
  const markup = item.payload.reply_markup as
    | { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> }
    | undefined
  const rows = markup?.inline_keyboard ?? []
  const next = rows.flat().find((b) => b.text === 'Suivants ▸' || b.text === 'Next ▸')
  return next?.callback_data ?? null
}

async function _drain(outbox: Outbox): Promise<OutboxItem[]> {
  const items = await outbox.pending('telegram')
  for (const item of items) await outbox.ack(item)
  return items
}
