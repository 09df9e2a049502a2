/**
 * Plane v1.3 fires webhooks for API writes (#8792), so every write the bridge makes comes back to it (issue 31).
 * One working session (the Concierge creates two dependent tasks, the agent starts, asks a question, finishes; the
 * human approves the next task from Telegram) is played on v1.2, where no echo exists, and on v1.3 with the echoes
 * delivered before the write is answered, after it, late (after a poll), twice, or never. What the human reads and
 * what the agents are told must be the same every time: each change told once.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { CHAT_ID, startE2E } from '../../sim/e2e/harness.ts'
import { chatCards } from '../../sim/e2e/telegram-cards.ts'
import { virtualClock } from '../helpers/clock.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

type Echo = 'none' | 'before' | 'after' | 'late' | 'twice' | 'never'

/** What a person and the agents were told, in order: the chat's messages as they stand, and every wake. */
type Transcript = { chat: string[]; wakes: string[] }

async function session(echo: Echo): Promise<{ transcript: Transcript; echoes: number }> {
  // Plane's real throttle, on a clock its waits move: the bridge's key spends most of its minute on the
  // session, and the poll (background work) waits for the window as it would, without the test sleeping.
  const clock = virtualClock()
  e2e = await startE2E({
    concierge: true,
    agentKeys: true,
    now: clock.now,
    sleep: clock.sleep,
    plane: { version: echo === 'none' ? '1.2' : '1.3', now: clock.now },
  })
  const t = e2e
  if (echo === 'before') t.plane.faults.echoesBeforeAnswer = true
  if (echo === 'after' || echo === 'late') t.webhooks.hold()
  if (echo === 'twice') t.webhooks.route(() => 'duplicate')
  if (echo === 'never') t.webhooks.route(() => 'drop')
  const deliveredBefore = t.plane.webhooks.deliveries.length

  const as = (agent: 'imhotep' | 'ra') => async (tool: string, input: unknown) => {
    const result = await callHttp(t.app, tool, t.bridgeTokens[agent] as string, input)
    if (result.status !== 200) throw new Error(`${tool}: ${JSON.stringify(result.body)}`)
    // "after": the tool has answered; its webhooks arrive now.
    if (echo === 'after') await t.webhooks.release()
    if (echo === 'after') t.webhooks.hold()
    return result.body as Record<string, unknown> & { ref: string }
  }
  const ra = as('ra')
  const imhotep = as('imhotep')

  const faq = await ra('create_task', {
    project: 'ONB',
    title: 'Rédiger la FAQ',
    assignee: 'imhotep',
  })
  await ra('create_task', {
    project: 'ONB',
    title: 'Publier la FAQ',
    assignee: 'imhotep',
    dependencies: [faq.ref],
    approval: true,
  })
  await t.settle()
  await imhotep('update_task_status', { task: faq.ref, status: 'in_progress' })
  await imhotep('add_comment', {
    task: faq.ref,
    kind: 'question',
    text: 'Tutoiement ou vouvoiement ?',
  })
  await imhotep('update_task_status', {
    task: faq.ref,
    status: 'done',
    summary: 'FAQ rédigée',
    confidence: 0.9,
  })
  await t.settle()
  const isApprove = (b: { text: string }) => b.text.includes('Approuver')
  const card = chatCards(t.telegram, Number(CHAT_ID)).find((c) => c.buttons.some(isApprove))
  const approve = card?.buttons.find(isApprove)
  if (!card || !approve)
    throw new Error(
      `no card to approve (${echo}): ${JSON.stringify(chatCards(t.telegram, Number(CHAT_ID)))}`
    )
  await t.postTelegram(
    t.telegram.makeCallbackUpdate({
      data: approve.callback_data,
      chatId: Number(CHAT_ID),
      messageId: card.id,
    })
  )
  await t.settle()
  if (echo === 'late') {
    // Everything was told and a poll ran before the first echo comes back.
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    await t.webhooks.release()
    await t.settle()
  }
  await runPollCycle({ ...t.services, ...t.bridge })
  await t.settle()

  const transcript = {
    chat: t.telegram.messagesIn(Number(CHAT_ID)).map((m) => m.text),
    wakes: t.openclaw.calls
      .filter((c) => c.path === '/hooks/agent' && c.status >= 200 && c.status < 300)
      .map((c) => {
        const body = c.body as { agentId?: string; message?: string }
        return `${body.agentId}: ${body.message}`
      }),
  }
  const echoes = t.plane.webhooks.deliveries.length - deliveredBefore
  await t.stop()
  e2e = null
  return { transcript, echoes }
}

/** Ids and times differ from run to run; the words must not. */
function words(transcript: Transcript): Transcript {
  const scrub = (text: string) =>
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/127\.0\.0\.1:\d+/g, '<plane>')
      .replace(/\b\d{1,2}[:h]\d{2}\b/g, '<time>')
  return { chat: transcript.chat.map(scrub), wakes: transcript.wakes.map(scrub) }
}

describe("the bridge's own writes coming back as webhooks on Plane v1.3 (issue 31)", () => {
  let baseline: { transcript: Transcript; echoes: number }
  beforeAll(async () => {
    baseline = await session('none')
  })

  it('should tell the question, the completion and the approval once on v1.2, where only comments echo', () => {
    const told = words(baseline.transcript)
    const once = (list: string[], pattern: RegExp) => list.filter((m) => pattern.test(m)).length
    expect(once(told.chat, /Tutoiement ou vouvoiement/)).toBe(1)
    expect(once(told.chat, /a terminé/)).toBe(1)
    expect(once(told.chat, /Approbation demandée/)).toBe(1)
    // The dependent still waited for approval when its dependency was done: its approval's wake is all it gets.
    expect(once(told.wakes, /débloquée/)).toBe(0)
    expect(once(told.wakes, /Nouvelle tâche/)).toBe(2)
  })

  it.each(['before', 'after', 'late', 'twice', 'never'] as const)(
    'should tell the same things on v1.3 with the echoes arriving %s',
    async (echo) => {
      const { transcript, echoes } = await session(echo)
      expect(words(transcript)).toEqual(words(baseline.transcript))
      // The work items' echoes really were sent (delivered or lost): the case is not v1.2 in disguise.
      expect(echoes).toBeGreaterThan(baseline.echoes)
    }
  )
})
