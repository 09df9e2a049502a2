/**
 * `npm run demo` (issue 30): the bridge between the simulators of sim/ on loopback, one task from its assignment in
 * Plane to a button pressed on Telegram, printed as the human and the agent see it. Nothing real is reached.
 */
import { pathToFileURL } from 'node:url'
import { errorMessage } from '../shared/observe/errors.ts'
import { callHttp } from '../sim/e2e/bridge-tools.ts'
import { CHAT_ID, type E2E, SIM_PLANE_VERSION, startE2E } from '../sim/e2e/harness.ts'
import { type ChatCard, chatCards } from '../sim/e2e/telegram-cards.ts'

export type DemoOptions = {
  /** Where each printed line goes (default: stdout). */
  write?: (line: string) => void
  /** The longest wait for one step to happen. */
  stepTimeoutMs?: number
}

/** A step of the scenario that did not happen in time, or a call the bridge refused. */
export class DemoStepError extends Error {
  override name = 'DemoStepError'
}

const AGENT = 'imhotep'
const GROUP = Number(CHAT_ID)
const STEP_TIMEOUT_MS = 10_000
const POLL_INTERVAL_MS = 20
const TITLE = 'Configurer Redis'
/** Below 0.7 the bridge asks the human to review the work (OPENCLAW-12): the card that carries buttons. */
const CONFIDENCE = 0.6
/** Run cards are the bridge's own bookkeeping comment in Plane, edited in place: not part of the story. */
const RUN_CARD_MARK = 'plane-bridge:run-card:v1'

/** Polls `probe` until it gives a value, or fails naming the step that did not happen. */
export async function waitFor<T>(
  step: string,
  probe: () => T | null | undefined | false,
  timeoutMs: number
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== null && value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new DemoStepError(`timed out after ${timeoutMs} ms: ${step}`)
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))
  }
}

/** `[who] first line`, the following lines indented under it. */
function printer(write: (line: string) => void) {
  return function say(who: string, text: string, more: string[] = []): void {
    const [first = '', ...rest] = text.split('\n')
    write(`[${who}] ${first}`)
    for (const line of [...rest, ...more]) write(line.trim() === '' ? '' : `    ${line}`)
  }
}

/** What the Telegram, OpenClaw and Plane simulators received since the last look, for printing once. */
function watch(t: E2E) {
  const seenCards = new Map<number, string>()
  const seenComments = new Set<string>()
  const seenWakes = new Set<number>()
  const cardKey = (c: ChatCard) => `${c.text}\n${c.buttons.map((b) => b.text).join('|')}`
  return {
    /** Messages the group got or saw edited since the last call. */
    cards(): Array<ChatCard & { edited: boolean }> {
      return chatCards(t.telegram, GROUP).flatMap((card) => {
        const before = seenCards.get(card.id)
        if (before === cardKey(card)) return []
        seenCards.set(card.id, cardKey(card))
        return [{ ...card, edited: before !== undefined }]
      })
    },
    /** Wakes OpenClaw admitted since the last call. */
    wakes(): Array<{ agentId: string; message: string }> {
      return t.openclaw.calls.flatMap((call, i) => {
        if (call.path !== '/hooks/agent' || call.status !== 200 || seenWakes.has(i)) return []
        seenWakes.add(i)
        const body = call.body as { agentId?: string; message?: string }
        return [{ agentId: String(body.agentId), message: String(body.message) }]
      })
    },
    /** Comments written on the task since the last call, with their author's Plane name. */
    comments(taskId: string): Array<{ author: string; text: string }> {
      return [...t.plane.state.comments.values()]
        .filter((c) => c.issue === taskId && !c.deleted_at && !seenComments.has(c.id))
        .filter((c) => !String(c.comment_html).includes(RUN_CARD_MARK))
        .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)))
        .map((c) => {
          seenComments.add(c.id)
          const author = t.plane.state.users.get(String(c.actor))?.display_name ?? 'someone'
          return { author, text: htmlToText(String(c.comment_html)) }
        })
    },
  }
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  nbsp: ' ',
}

/** Plane's comment HTML as terminal text: blocks and breaks become new lines, tags go, entities are decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6]|blockquote|pre)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) => ENTITIES[name] ?? '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

const buttonsLine = (card: ChatCard) =>
  card.buttons.length > 0 ? [`buttons: ${card.buttons.map((b) => `[${b.text}]`).join(' ')}`] : []

/** Runs the scenario on fresh simulators and stops them all, whether it succeeds or not. */
export async function runDemo({
  write = (line) => process.stdout.write(`${line}\n`),
  stepTimeoutMs = STEP_TIMEOUT_MS,
}: DemoOptions = {}): Promise<void> {
  const started = Date.now()
  const say = printer(write)
  // The bridge's clock may run ahead of real time (25 minutes of work in a blink); the simulators keep real time.
  let ahead = 0
  const t = await startE2E({ agentKeys: true, now: () => Date.now() + ahead })
  try {
    const seen = watch(t)
    const token = t.bridgeTokens[AGENT] as string
    say(
      'demo',
      `Plane CE v${SIM_PLANE_VERSION}, Telegram and OpenClaw simulated on loopback; the real bridge between them (memory store).`
    )
    const printTelegram = () => {
      for (const card of seen.cards())
        say('bridge → Telegram', `${card.edited ? 'edits' : 'sends'} message #${card.id}:`, [
          ...card.text.split('\n'),
          ...buttonsLine(card),
        ])
    }
    const printComments = (taskId: string) => {
      for (const c of seen.comments(taskId)) say('Plane', `comment by ${c.author}: ${c.text}`)
    }
    const tool = async (name: string, input: Record<string, unknown>) => {
      const args = Object.keys(input).length > 0 ? ` ${JSON.stringify(input)}` : ''
      say(`${AGENT} → bridge`, `${name}${args}`)
      const { status, body } = await callHttp(t.app, name, token, input)
      if (status !== 200)
        throw new DemoStepError(`${name} answered ${status}: ${JSON.stringify(body)}`)
      return body
    }

    // a. The human assigns a task in Plane's web UI: Plane's webhook reaches the bridge, which wakes the agent.
    const ada = t.plane.seed.user({
      email: 'ada@javisi.local',
      display_name: 'ada',
      first_name: 'Ada',
      role: 20,
    })
    t.plane.seed.member(t.project.id, ada.id, 20)
    const item = await t.plane.ui.createWorkItem(ada.id, t.project.id, {
      name: TITLE,
      state_id: t.state('Todo').id,
      assignee_ids: [t.users.imhotep.id],
      priority: 'high',
    })
    const ref = `ONB-${item.sequence_id}`
    say(
      'human',
      `in Plane's web UI, as ada: creates ${ref} « ${TITLE} » in Todo, priority high, assigned to ${AGENT}`
    )
    // Plane's emitter delivers in the background; everything after is polled for, each step with its deadline.
    await t.plane.webhooks.settle()
    const delivery = await waitFor(
      'Plane delivers the work item webhook to the bridge',
      () => t.plane.webhooks.deliveries.find((d) => d.event === 'issue' && d.status === 200),
      stepTimeoutMs
    )
    say(
      'Plane → bridge',
      `webhook ${delivery.event} ${delivery.action}: answered ${delivery.status}`
    )
    const [wake] = await waitFor(
      `OpenClaw receives a wake for ${AGENT}`,
      () => {
        const wakes = seen.wakes().filter((w) => w.agentId === AGENT)
        return wakes.length > 0 && wakes
      },
      stepTimeoutMs
    )
    say(`bridge → OpenClaw`, `wake ${AGENT}:`, wake?.message.split('\n') ?? [])
    printTelegram()

    // b. The agent works the task with its tools over HTTP, with its own bridge token.
    const mine = await tool('list_my_tasks', {})
    const tasks = (mine.tasks ?? []) as Array<
      Record<'ref' | 'title' | 'status' | 'priority', string>
    >
    const listed = tasks.map((x) => `${x.ref} « ${x.title} » (${x.status}, priority ${x.priority})`)
    say(`bridge → ${AGENT}`, `${tasks.length} open task(s): ${listed.join(', ')}`)
    if (!tasks.some((x) => x.ref === ref))
      throw new DemoStepError(`list_my_tasks does not list ${ref}`)
    const startedTask = await tool('update_task_status', { task: ref, status: 'in_progress' })
    say(`bridge → ${AGENT}`, `status ${startedTask.status} (was ${startedTask.previous_status})`)
    printComments(item.id)
    // The task's live message (TELEGRAM_LIVE): sent without sound, edited in place as the agent reports.
    const liveShows = async (step: string, text: string) => {
      await waitFor(
        step,
        () =>
          chatCards(t.telegram, GROUP).some((c) => c.text.includes(ref) && c.text.includes(text)),
        stepTimeoutMs
      )
      printTelegram()
    }
    await liveShows(`Telegram receives the live message of ${ref}`, '🔨 en cours')
    ahead += 25 * 60_000
    say('demo', '… 25 minutes later on the bridge’s clock …')
    const progress = await tool('add_comment', {
      task: ref,
      kind: 'progress',
      percent: 60,
      text: 'Image Docker construite',
    })
    say(
      `bridge → ${AGENT}`,
      `comment ${progress.kind} written (human notification: ${progress.human_notification})`
    )
    printComments(item.id)
    await liveShows(`the live message of ${ref} shows the progress`, '60 %')
    ahead += 60_000
    say('demo', '… a minute later …')
    const done = await tool('update_task_status', {
      task: ref,
      status: 'done',
      summary: 'Redis 7.2 installé, PING OK',
      confidence: CONFIDENCE,
    })
    say(
      `bridge → ${AGENT}`,
      `status ${done.status} (was ${done.previous_status}), time spent ${Math.round(Number(done.time_spent_seconds) / 60)} min`
    )
    printComments(item.id)

    // c. The completion is told to the human on Telegram, with the buttons of a review.
    const card = await waitFor(
      `Telegram receives the review of ${ref}, with buttons, and its completion`,
      () => {
        const about = chatCards(t.telegram, GROUP).filter((c) => c.text.includes(ref))
        const review = about.find((c) => c.buttons.length > 0)
        return about.some((c) => c.text.includes(`a terminé ${ref}`)) && review
      },
      stepTimeoutMs
    )
    await liveShows(`the live message of ${ref} shows its end`, '✅ terminée')

    // d. The human presses a button: the bridge answers the press, acts in Plane, and edits the card.
    const button = card.buttons.find((b) => b.text.includes('Valider')) ?? card.buttons[0]
    if (!button) throw new DemoStepError(`message #${card.id} has no button`)
    say('human', `presses "${button.text}" on message #${card.id}`)
    const update = t.telegram.makeCallbackUpdate({
      data: button.callback_data,
      chatId: GROUP,
      messageId: card.id,
    })
    const status = await t.postTelegram(update)
    if (status !== 200) throw new DemoStepError(`the bridge answered ${status} to the button press`)
    const answer = await waitFor(
      'the bridge answers the button press',
      () => t.telegram.callbackAnswer(update.callback_query?.id ?? ''),
      stepTimeoutMs
    )
    say('bridge → Telegram', `answers the press: "${answer.text ?? ''}"`)
    await waitFor(
      `the bridge edits message #${card.id}`,
      () => chatCards(t.telegram, GROUP).find((c) => c.id === card.id && c.buttons.length === 0),
      stepTimeoutMs
    )
    printTelegram()
    const acted = await waitFor(
      `the bridge comments the validation on ${ref} in Plane`,
      () => {
        const comments = seen.comments(item.id)
        return comments.length > 0 && comments
      },
      stepTimeoutMs
    )
    for (const c of acted) say('Plane', `comment by ${c.author}: ${c.text}`)
    const state = t.plane.state.states.get(String(t.plane.state.issues.get(item.id)?.state))
    say('Plane', `${ref} is now in ${state?.name ?? 'an unknown state'}`)
    for (const w of seen.wakes())
      say('bridge → OpenClaw', `wake ${w.agentId}:`, w.message.split('\n'))
    say('demo', `done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } finally {
    await t.stop()
  }
}

const direct =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (direct)
  runDemo().catch((error: unknown) => {
    process.stderr.write(`demo failed: ${errorMessage(error)}\n`)
    process.exitCode = 1
  })
