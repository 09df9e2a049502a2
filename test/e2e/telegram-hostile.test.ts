/**
 * Issue 44, end to end against the strict Telegram simulator: a project, a task, an agent's comments and people's names
 * all hostile (tags, `&`, quotes, bidi marks, emoji sequences across the lengths the bridge cuts at, a 20,000-character
 * Markdown question), through the flows the human sees — an approval pressed, a question answered by reply, a
 * completion reviewed, /plane status, /plane project, /plane agent, the digest. Telegram refuses nothing, and nothing
 * ends as a dead letter. The property tests (test/telegram/hostile-*.test.ts) cover every message kind and cut.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { runJobCommand } from '../../runtime/node-cli.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { CHAT_ID, startE2E } from '../../sim/e2e/harness.ts'
import { chatCards, pressUpdate } from '../../sim/e2e/telegram-cards.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

const GROUP = Number(CHAT_ID)

/** `n` units of `filler`, then `cluster`: the cluster straddles the cut at `n + 1`… */
const across = (n: number, cluster: string, filler = 'a') => `${filler.repeat(n)}${cluster}`

/**
 * A project name of Plane's 255 characters at most: a ZWJ emoji across a button's cut (28), tags, `&`, quotes, a
 * right-to-left override and a flag across the reply's cut (80 escaped units).
 */
const PROJECT = `${across(26, '👩‍💻')} <b>R&D</b> "Labs" \u202eبحث\u202c ${across(11, '🇫🇷', '&')} ${'é'.repeat(60)}`
/** A title of 255 at most: an astronaut (skin tone and ZWJ) across the list's cut (120 escaped units), a script tag. */
const TITLE = `${across(23, '🧑🏽‍🚀', '&')} <script>alert("x")</script> & ${across(80, '👨‍👩‍👧‍👦', '<')}`
/** The person who presses, as Telegram names them: 63 letters and a ZWJ emoji across the 64 the bridge keeps. */
const PRESSER = { first_name: across(63, '👩‍💻', 'A'), last_name: '<i>Love</i> & "lace" \u200f' }
/** A Plane member's display name (255 at most), shown on the tasks given to her. */
const PERSON = `${across(78, '🏳️‍🌈')} <u>Ada</u> & co ${'😀'.repeat(40)}`
/** The agent's question: the family emoji across the quote's cut (1,500 escaped units), then Markdown to 20,000. */
const QUESTION =
  `${across(299, '👨‍👩‍👧‍👦', '&')}\n\n${'## Étape <2> & **gras** `code` [lien](https://x.test/?a=1&b=2) 🇫🇷\n- item > 3\n'.repeat(280)}`.slice(
    0,
    19_990
  )
/** The human's answer, by reply: HTML Telegram would parse if the bridge echoed it unescaped. */
const ANSWER = `Oui <b>MIT</b> & "Apache" 👍🏿 \u202e ${'&'.repeat(400)}`

async function start() {
  e2e = await startE2E({ concierge: true })
  const t = e2e
  const tool = (agent: 'thot' | 'ra') => async (name: string, input: unknown) => {
    const result = await callHttp(t.app, name, t.bridgeTokens[agent] as string, input)
    if (result.status !== 200) throw new Error(`${name}: ${JSON.stringify(result.body)}`)
    return result.body as Record<string, unknown> & { id: string; ref: string }
  }
  const cards = () => chatCards(t.telegram, GROUP)
  const card = (includes: string) => {
    const found = cards().find((c) => c.text.includes(includes))
    if (!found) throw new Error(`no message with "${includes}" in ${JSON.stringify(cards())}`)
    return found
  }
  /** Every Bot API call Telegram refused (4xx), with its method and the start of its text. */
  const refused = () =>
    t.telegram.calls
      .filter((c) => c.status >= 400)
      .map((c) => `${c.method} ${c.status} ${String(c.params.text ?? '').slice(0, 80)}`)
  const press = async (messageId: number, label: string) => {
    expect(await t.postTelegram(pressUpdate(t.telegram, GROUP, messageId, label, PRESSER))).toBe(
      200
    )
    await t.settle()
  }
  const say = async (text: string, replyToMessageId?: number) => {
    const update = t.telegram.makeMessageUpdate({
      text,
      chatId: GROUP,
      from: PRESSER,
      ...(replyToMessageId ? { replyToMessageId } : {}),
    })
    expect(await t.postTelegram(update)).toBe(200)
    await t.settle()
  }
  return { t, tool, cards, card, refused, press, say }
}

describe('hostile names and comments through every flow the human sees (issue 44)', () => {
  it('should have Telegram refuse nothing: approval, question, answer, review, /plane replies, digest', async () => {
    const { t, tool, cards, card, refused, press, say } = await start()
    const project = t.plane.state.projects.get(t.project.id)
    if (!project) throw new Error('no ONB in the Plane simulator')
    project.name = PROJECT
    const ada = t.plane.seed.user({ email: 'ada@javisi.local', display_name: PERSON })
    t.plane.seed.member(t.project.id, ada.id, 15)
    const blocked = t.plane.seed.label(t.project.id, { name: 'Bloqué' })
    t.plane.seed.workItem(t.project.id, {
      name: TITLE,
      state: t.state('In Progress').id,
      assignees: [ada.id],
      labels: [blocked.id],
    })

    // An approval asked, then given by a person whose name ends inside an emoji.
    const task = await tool('ra')('create_task', {
      project: 'ONB',
      title: TITLE,
      assignee: 'thot',
      approval: true,
    })
    await t.settle()
    const approval = card('Approbation demandée')
    await press(approval.id, '✅ Approuver')
    expect(cards().find((c) => c.id === approval.id)?.text).toContain(
      `✅ Approuvé par ${'A'.repeat(63)}…`
    )

    // The agent's 20,000-character question, answered by a reply to the prompt.
    await tool('thot')('update_task_status', { task: task.id, status: 'in_progress' })
    await tool('thot')('add_comment', { task: task.id, text: QUESTION, kind: 'question' })
    await t.settle()
    const question = card('signale un blocage')
    expect(question.text).toContain('…')
    await press(question.id, '💬 Répondre')
    const prompt = card('Votre réponse pour')
    await say(ANSWER, prompt.id)
    expect(cards().find((c) => c.id === question.id)?.text).toContain('💬 Répondu par')

    // The completion, below the review threshold: one message with the review's buttons, validated.
    await tool('thot')('update_task_status', {
      task: task.id,
      status: 'done',
      summary: `${across(40, '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '&')} <b>fini</b> & "livré"`,
      confidence: 0.4,
    })
    await t.settle()
    const review = card('Revue demandée')
    await press(review.id, '✅ Valider')
    expect(cards().find((c) => c.id === review.id)?.buttons).toEqual([])

    // What the human asks for, and the digest.
    for (const command of ['/plane status', '/plane project labs', '/plane agent thot'])
      await say(command)
    const status = cards().find((c) => c.text.startsWith('📊'))
    expect(status?.buttons.some((b) => b.text.startsWith(`📁 ${'a'.repeat(26)}…`))).toBe(true)
    const code = await runJobCommand({
      args: ['digest'],
      functions,
      root: t.services.root,
      out: () => undefined,
      err: () => undefined,
    })
    expect(code).toBe(0)
    await t.settle()
    expect(cards().at(-1)?.text).toMatch(/^☀️ Résumé du/)

    expect(refused()).toEqual([])
    expect(await t.bridge.outbox.deadLetters()).toEqual([])
    const metrics = await (await t.app.request('/metrics')).text()
    expect(metrics).not.toMatch(/plane_bridge_telegram_refusals_total\{[^}]*\} [1-9]/)
  }, 60_000)
})
