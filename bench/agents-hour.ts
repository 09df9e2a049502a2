/**
 * @module The agents bench's working hour, compressed: the Concierge creates tasks for ten agents (some with a
 * dependency, some held for approval), each agent works every task it is woken for (list, details, start, three
 * progress comments, a deliverable, done), the human approves the held ones from Telegram, and `npm run job -- poll`
 * runs in the middle. Everything reaches the bridge as it would in production: tool calls over HTTP with each
 * agent's token, Telegram updates on its webhook, wakes through the OpenClaw simulator's `/hooks/agent`.
 *
 * Agents behave as the skill tells them: a wake names a task; the agent reads it and starts it only when its
 * dependencies are done (otherwise it waits for the "débloquée" wake).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { createOpenClawSim } from '../sim/openclaw/index.ts'
import type { createTelegramSim } from '../sim/telegram/index.ts'
import { BENCH_CHAT_ID, BENCH_TELEGRAM_SECRET, type ToolCaller } from './agents-processes.ts'

export type HourPlan = {
  /** Tasks the Concierge creates, one agent after the other; task i ≥ agents depends on task i − agents. */
  creates: number
  /** Of them, the first ones of every other agent are held for approval. */
  approvals: number
  createSpacingMs: number
  /** An agent's pause between two calls (reading, thinking). */
  thinkMs: number
  /** How long the human takes to press Approuver once the card is there. */
  humanDelayMs: number
  /** Give up on what is not done by then. */
  timeoutMs: number
}

export type ToolCall = { tool: string; agent: string; at: number; ms: number; status: number }
export type Approval = {
  ref: string
  pressedAt: number
  answeredMs: number | null
  wokenMs: number | null
}
export type Telling = { ref: string; doneAt: number; heardMs: number | null }

export type HourRecord = {
  startedAt: number
  endedAt: number
  calls: ToolCall[]
  approvals: Approval[]
  tellings: Telling[]
  poll: { startedAt: number; ms: number } | null
  done: number
  problems: string[]
}

export type HourParts = {
  origin: string
  /** Makes and times an agent's tool call, in a process of its own (agents-caller.mjs). */
  callTool: ToolCaller['call']
  concierge: string
  workers: readonly string[]
  projects: readonly string[]
  telegram: ReturnType<typeof createTelegramSim>
  openclaw: ReturnType<typeof createOpenClawSim>
  /** Runs `npm run job -- poll` next to the server. */
  poll(): Promise<void>
}

const REF = /\b([A-Z][A-Z0-9]{1,11}-\d+)\b/
const DELIVERABLE = Buffer.from('# Rapport\n\nFait, vérifié, livré.\n').toString('base64')
const HEARD_WITHIN_MS = 60_000

/** Plays the hour; resolves when every created task is done (or at the plan's timeout). */
export async function playHour(parts: HourParts, plan: HourPlan): Promise<HourRecord> {
  const record: HourRecord = {
    startedAt: Date.now(),
    endedAt: 0,
    calls: [],
    approvals: [],
    tellings: [],
    poll: null,
    done: 0,
    problems: [],
  }
  const wakes = _watchWakes(parts.openclaw)
  const deadline = record.startedAt + plan.timeoutMs
  const call = (agent: string, tool: string, input: unknown) =>
    _call(parts, record, agent, tool, input)
  const refs: string[] = []
  const finished = new Set<string>()
  const heard: Array<Promise<void>> = []
  // The hour is over when the Concierge's tasks are done; agents also work what they were woken for before
  // (their backlog in the seeded workspace), as they would.
  const createdDone = () => refs.filter((r) => finished.has(r)).length
  const going = () =>
    Date.now() < deadline && (refs.length < plan.creates || createdDone() < plan.creates)

  const concierge = (async function conciergeCreates() {
    for (let i = 0; i < plan.creates; i++) {
      const agent = parts.workers[i % parts.workers.length] as string
      const first = i < parts.workers.length
      const held = first && i % 2 === 0 && i / 2 < plan.approvals
      const dependency = first ? [] : [refs[i - parts.workers.length] as string]
      // The Concierge looks at its team's load before it assigns (OPENCLAW-17).
      await call(parts.concierge, 'get_team_status', {})
      const created = await call(parts.concierge, 'create_task', {
        project: parts.projects[i % parts.projects.length],
        title: `Tâche du jour ${i + 1}`,
        description: `Préparer le livrable ${i + 1} et le documenter.`,
        assignee: agent,
        dependencies: dependency,
        approval: held,
        priority: 'medium',
      })
      refs.push(String(created?.ref ?? `?${i}`))
      if (i + 1 < plan.creates) await sleep(plan.createSpacingMs)
    }
  })()

  const human = (async function humanApproves() {
    const pressed = new Set<number>()
    // Each press is followed on its own (answered, woken): a slow one does not hold the next card back.
    const following: Array<Promise<void>> = []
    while (going()) {
      for (const card of _approvalCards(parts.telegram)) {
        if (pressed.has(card.messageId)) continue
        pressed.add(card.messageId)
        await sleep(plan.humanDelayMs)
        following.push(
          _approve(parts, card, wakes).then((approval) => void record.approvals.push(approval))
        )
      }
      await sleep(100)
    }
    await Promise.all(following)
  })()

  const poller = (async function pollInTheMiddle() {
    await sleep((plan.creates * plan.createSpacingMs) / 2)
    const startedAt = Date.now()
    try {
      await parts.poll()
      record.poll = { startedAt, ms: Date.now() - startedAt }
    } catch (error) {
      record.problems.push(`poll: ${error instanceof Error ? error.message : String(error)}`)
    }
  })()

  const agents = parts.workers.map(async function agentWorks(agent) {
    let seen = 0
    while (going()) {
      const mine = wakes.of(agent)
      if (seen >= mine.length) {
        await sleep(50)
        continue
      }
      const ref = mine[seen++]?.ref
      // The hour's work is the Concierge's tasks; wakes for the seeded backlog are the bridge's to send (they
      // count in its requests) but no part of the script: an agent working 200 old tasks measures its own key.
      if (!ref || finished.has(ref) || !refs.includes(ref)) continue
      const outcome = await _work(call, agent, ref, plan.thinkMs)
      if (outcome === 'done') {
        finished.add(ref)
        const doneAt = Date.now()
        const telling: Telling = { ref, doneAt, heardMs: null }
        record.tellings.push(telling)
        heard.push(
          _heard(parts.telegram, ref, doneAt).then((ms) => {
            telling.heardMs = ms
          })
        )
      }
    }
  })

  await Promise.all([concierge, human, poller, ...agents])
  await Promise.all(heard)
  wakes.stop()
  record.done = createdDone()
  record.endedAt = Date.now()
  if (record.done < plan.creates)
    record.problems.push(
      `${plan.creates - record.done} created task(s) not done before the timeout`
    )
  return record
}

// --- Internal helpers ---

type Call = (agent: string, tool: string, input: unknown) => Promise<Record<string, unknown> | null>

/** One working session on a task the agent was woken for; 'waiting' when a dependency or the approval holds it. */
async function _work(call: Call, agent: string, ref: string, thinkMs: number) {
  await call(agent, 'list_my_tasks', {})
  await sleep(thinkMs)
  const details = await call(agent, 'get_task_details', { task: ref })
  const dependencies = (details?.dependencies ?? []) as Array<{ status: string }>
  if (!details || details.status === 'done') return 'skipped'
  if (dependencies.some((d) => d.status !== 'done')) return 'waiting'
  await sleep(thinkMs)
  if (!(await call(agent, 'update_task_status', { task: ref, status: 'in_progress' })))
    return 'waiting'
  for (const percent of [25, 50, 75]) {
    await sleep(thinkMs)
    await call(agent, 'add_comment', {
      task: ref,
      kind: 'progress',
      percent,
      text: `Étape ${percent / 25} sur 4 faite.`,
    })
  }
  await sleep(thinkMs)
  await call(agent, 'upload_deliverable', {
    task: ref,
    filename: 'rapport.md',
    content_base64: DELIVERABLE,
    mime_type: 'text/markdown',
  })
  await sleep(thinkMs)
  const done = await call(agent, 'update_task_status', {
    task: ref,
    status: 'done',
    summary: 'Livrable prêt, vérifié.',
    confidence: 0.9,
  })
  return done ? 'done' : 'failed'
}

async function _call(
  parts: HourParts,
  record: HourRecord,
  agent: string,
  tool: string,
  input: unknown
): Promise<Record<string, unknown> | null> {
  const at = Date.now()
  const { status, ms, body, error } = await parts.callTool(agent, tool, input)
  if (error) record.problems.push(`${agent} ${tool}: ${error}`)
  record.calls.push({ tool, agent, at, ms, status })
  if (status === 200) return body
  // A 409 is an answer the skill expects (a dependency still open); anything else is a problem of the run.
  if (status !== 409 && !error)
    record.problems.push(`${agent} ${tool} → ${status}: ${JSON.stringify(body).slice(0, 300)}`)
  return null
}

type Wake = { agent: string; ref: string; seenAt: number }

/** Wakes as OpenClaw admits them, stamped when first seen (every 10 ms). */
function _watchWakes(openclaw: HourParts['openclaw']) {
  const wakes: Wake[] = []
  let read = 0
  const timer = setInterval(function stampWakes() {
    for (; read < openclaw.calls.length; read++) {
      const c = openclaw.calls[read]
      if (c?.path !== '/hooks/agent' || c.status !== 200) continue
      const body = c.body as { agentId?: string; message?: string }
      const ref = REF.exec(String(body.message ?? ''))?.[1]
      if (body.agentId && ref) wakes.push({ agent: body.agentId, ref, seenAt: Date.now() })
    }
  }, 10)
  return {
    of: (agent: string) => wakes.filter((w) => w.agent === agent),
    after: (ref: string, since: number) => wakes.find((w) => w.ref === ref && w.seenAt >= since),
    stop: () => clearInterval(timer),
  }
}

type Card = { messageId: number; ref: string; data: string }

function _approvalCards(telegram: HourParts['telegram']): Card[] {
  const cards: Card[] = []
  for (const m of telegram.messagesIn(Number(BENCH_CHAT_ID))) {
    const buttons = (
      (
        m.reply_markup as {
          inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>>
        }
      )?.inline_keyboard ?? []
    ).flat()
    const approve = buttons.find((b) => b.text === '✅ Approuver')
    const ref = REF.exec(m.text)?.[1]
    if (approve?.callback_data && ref)
      cards.push({ messageId: m.message_id, ref, data: approve.callback_data })
  }
  return cards
}

/** The human presses Approuver: when Telegram got the callback's answer, and when the agent was woken. */
async function _approve(
  parts: HourParts,
  card: Card,
  wakes: ReturnType<typeof _watchWakes>
): Promise<Approval> {
  const update = parts.telegram.makeCallbackUpdate({
    data: card.data,
    chatId: Number(BENCH_CHAT_ID),
    messageId: card.messageId,
  })
  const id = update.callback_query?.id ?? ''
  const pressedAt = Date.now()
  const status = await parts.telegram.postUpdate(`${parts.origin}/webhooks/telegram`, update, {
    secretToken: BENCH_TELEGRAM_SECRET,
  })
  const approval: Approval = { ref: card.ref, pressedAt, answeredMs: null, wokenMs: null }
  if (status !== 200) return approval
  const until = pressedAt + HEARD_WITHIN_MS
  while (Date.now() < until && (approval.answeredMs === null || approval.wokenMs === null)) {
    const answer = parts.telegram
      .callsOf('answerCallbackQuery')
      .find((c) => c.status === 200 && c.params.callback_query_id === id)
    if (answer && approval.answeredMs === null) approval.answeredMs = answer.at - pressedAt
    const woken = wakes.after(card.ref, pressedAt)
    if (woken && approval.wokenMs === null) approval.wokenMs = woken.seenAt - pressedAt
    await sleep(10)
  }
  return approval
}

/** How long after the done's answer the human's chat got the completion message (null: never within a minute). */
async function _heard(telegram: HourParts['telegram'], ref: string, since: number) {
  // "Imhotep a terminé <b>[Projet]</b> <a …>REF « Titre »</a>" or "<a …>REF « Titre »</a> est terminée" (HTML).
  const completion = new RegExp(`terminé .*\\b${ref} «|\\b${ref} «[^»]*»(</a>)? est terminée`, 's')
  const until = since + HEARD_WITHIN_MS
  while (Date.now() < until) {
    const sent = telegram
      .callsOf('sendMessage')
      .find((c) => c.status === 200 && completion.test(String(c.params.text)))
    if (sent) return Math.max(0, sent.at - since)
    await sleep(20)
  }
  return null
}
