/**
 * Every message reaches the human as the real Telegram judges it (issue 44), end to end against the strict Telegram
 * simulator: a name cut inside an emoji, 101 projects, a text Telegram cannot parse, a card the human deleted, a group
 * that became a supergroup, a flood wait, a bot blocked then unblocked. Each test shows what the human finally sees;
 * none ends in a silent dead letter.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { telegramMessage } from '../../shared/notify/outbox.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { CHAT_ID, startE2E } from '../../sim/e2e/harness.ts'
import { chatCards } from '../../sim/e2e/telegram-cards.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

const GROUP = Number(CHAT_ID)
const SUPERGROUP = -1_009_876_543_210

async function start(options: Parameters<typeof startE2E>[0] = {}) {
  e2e = await startE2E({ concierge: true, ...options })
  const t = e2e
  const tool = (agent: 'imhotep' | 'thot' | 'ra') => async (name: string, input: unknown) => {
    const result = await callHttp(t.app, name, t.bridgeTokens[agent] as string, input)
    if (result.status !== 200) throw new Error(`${name}: ${JSON.stringify(result.body)}`)
    return result.body as Record<string, unknown> & { id: string }
  }
  const texts = (chat = GROUP) => t.telegram.messagesIn(chat).map((m) => m.text)
  /** Every Bot API call that Telegram refused (4xx), with what it said. */
  const refused = () =>
    t.telegram.calls
      .filter((c) => c.status >= 400)
      .map((c) => `${c.method} ${c.status} ${JSON.stringify(c.params.chat_id)}`)
  const send = async (html: string, key: string) => {
    await t.bridge.outbox.enqueue(telegramMessage(CHAT_ID, html, key))
    t.bridge.kick()
  }
  const approvalCard = async (title: string) => {
    await tool('ra')('create_task', { project: 'ONB', title, assignee: 'thot', approval: true })
    await t.settle()
    const card = chatCards(t.telegram, GROUP).find((c) => c.text.includes('Approbation demandée'))
    if (!card) throw new Error(`no approval card in ${JSON.stringify(texts())}`)
    return card
  }
  return { t, tool, texts, refused, send, approvalCard }
}

describe('what Telegram refuses, and what the human sees (issue 44)', () => {
  it('should act on a press by a person whose long name ends inside an emoji: the card is edited, Plane gets the name', async () => {
    const { t, approvalCard, refused } = await start()
    const card = await approvalCard('Supprimer les vieux comptes')
    const button = card.buttons.find((b) => b.text === '✅ Approuver')
    // 62 letters, then a ZWJ emoji across the 64th unit: `slice(0, 64)` left half of it.
    const first_name = `${'A'.repeat(62)}👩‍💻`
    const press = t.telegram.makeCallbackUpdate({
      data: button?.callback_data ?? '',
      chatId: GROUP,
      messageId: card.id,
      from: { first_name, last_name: 'Lovelace' },
    })
    expect(await t.postTelegram(press)).toBe(200)
    await t.settle()
    expect(refused()).toEqual([])
    const edited = chatCards(t.telegram, GROUP).find((c) => c.id === card.id)
    expect(edited?.text).toContain(`✅ Approuvé par ${'A'.repeat(62)}…`)
    expect(edited?.buttons).toEqual([])
    const comments = [...t.plane.state.comments.values()].map((c) => c.comment_html ?? '')
    expect(comments.some((c) => c.includes(`${'A'.repeat(62)}…`))).toBe(true)
  })

  it('should page /plane status for 101 projects: every page accepted, every project and agent reachable', async () => {
    // A workspace this large reads a listing per project: Plane's key limit raised, as such a deployment would.
    const { t, texts, refused } = await start({
      plane: { rateLimitPerMinute: 6_000 },
      env: { PLANE_API_RATE_LIMIT: '6000/minute' },
    })
    for (let i = 1; i <= 100; i++)
      t.plane.seed.project({
        name: `Projet ${String(i).padStart(3, '0')} 👩‍💻 ${'très long nom '.repeat(3)}`,
        identifier: `P${i}`,
        creator: t.users.bridge.id,
      })
    expect(
      await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status', chatId: GROUP }))
    ).toBe(200)
    await t.settle()
    expect(refused()).toEqual([])
    const reply = chatCards(t.telegram, GROUP).at(-1)
    const labels = new Set<string>()
    let message = reply
    for (let page = 0; message && page < 10; page++) {
      for (const b of message.buttons)
        if (!/Précédents|Suivants/.test(b.text)) labels.add(b.callback_data)
      expect(message.buttons.length).toBeLessThanOrEqual(42)
      const next = message.buttons.find((b) => b.text === 'Suivants ▸')
      if (!next) break
      const turn = t.telegram.makeCallbackUpdate({
        data: next.callback_data,
        chatId: GROUP,
        messageId: message.id,
      })
      expect(await t.postTelegram(turn)).toBe(200)
      await t.settle()
      // The same message, its keyboard turned to the next page.
      message = chatCards(t.telegram, GROUP).find((c) => c.id === reply?.id)
      expect(message?.buttons.some((b) => b.text === '◂ Précédents')).toBe(true)
    }
    // 101 projects (ONB and the 100) and the three agents, each once.
    expect(labels.size).toBe(104)
    expect(refused()).toEqual([])
    // "No such project" lists them too, within Telegram's limits.
    await t.postTelegram(
      t.telegram.makeMessageUpdate({ text: '/plane project zzz', chatId: GROUP })
    )
    await t.settle()
    expect(refused()).toEqual([])
    expect(texts().at(-1)).toContain('… et 61 de plus')
  }, 60_000)

  it('should send as plain text what Telegram cannot parse or encode, once, and count it', async () => {
    const { t, texts, send } = await start()
    await send('Bloqué par <b>Thot & co', 'broken-html')
    await send(`Réponse tronquée ${'😀'.slice(0, 1)} ici`, 'half-emoji')
    await t.settle()
    expect(texts()).toEqual(['Bloqué par Thot & co', 'Réponse tronquée \ufffd ici'])
    expect(await t.bridge.outbox.deadLetters()).toEqual([])
    const metrics = await (await t.app.request('/metrics')).text()
    expect(metrics).toContain(
      'plane_bridge_telegram_refusals_total{policy="plain",why="entities"} 1'
    )
    expect(metrics).toContain(
      'plane_bridge_telegram_refusals_total{policy="plain",why="encoding"} 1'
    )
  })

  it('should send the new state of a card the human deleted as a new message', async () => {
    const { t, approvalCard, texts } = await start()
    const card = await approvalCard('Archiver 2024')
    t.telegram.chats.deleteMessage(GROUP, card.id)
    const button = card.buttons.find((b) => b.text === '✅ Approuver')
    await t.postTelegram(
      t.telegram.makeCallbackUpdate({
        data: button?.callback_data ?? '',
        chatId: GROUP,
        messageId: card.id,
      })
    )
    await t.settle()
    const now = texts().at(-1) ?? ''
    expect(now).toContain('Archiver 2024')
    expect(now).toMatch(/✅ Approuvé par Ada à/)
    expect(await t.bridge.outbox.deadLetters()).toEqual([])
    const ready = (await (await t.app.request('/ready')).json()) as { status: string }
    expect(ready.status).toBe('ok')
  })

  it('should follow a group to its supergroup: messages there, commands from there answered, the operator told once', async () => {
    const { t, texts, send } = await start()
    t.telegram.chats.migrate(GROUP, SUPERGROUP)
    await send('Premier message après la migration', 'm1')
    await t.settle()
    await send('Deuxième', 'm2')
    await t.settle()
    // The operator's notice goes right after the message that met the old id.
    expect(texts(SUPERGROUP)).toEqual([
      'Premier message après la migration',
      expect.stringContaining('Ce groupe est devenu un supergroupe'),
      'Deuxième',
    ])
    // Only the first message met the old id.
    expect(t.telegram.calls.filter((c) => c.status === 400)).toHaveLength(1)
    // The human's commands now come from the supergroup, which no setting names yet.
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane help', chatId: SUPERGROUP }))
    await t.settle()
    expect(texts(SUPERGROUP).at(-1)).toContain('/plane status')
    expect(await t.bridge.outbox.deadLetters()).toEqual([])
  })

  it('should hold the whole chat while Telegram asks to wait, then send everything in order', async () => {
    const { t, texts, send } = await start()
    t.telegram.faults.floodWait(GROUP, 2)
    const floodEnds = Date.now() + 2_000
    await send('un', 'f1')
    await send('deux', 'f2')
    // A command's reply goes first in the chat's lane: it must wait as well.
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane help', chatId: GROUP }))
    await t.settle()
    const toGroup = t.telegram
      .callsOf('sendMessage')
      .filter((c) => String(c.params.chat_id) === CHAT_ID)
    const [limited, ...after] = toGroup
    expect(limited?.status).toBe(429)
    // Nothing else went to the chat before the wait was over.
    expect(after.every((c) => c.status === 200)).toBe(true)
    expect(after.every((c) => c.at >= floodEnds)).toBe(true)
    expect(texts()).toEqual([expect.stringContaining('/plane status'), 'un', 'deux'])
  })

  it('should keep what is sent while the bot is blocked, and deliver it when the human is back', async () => {
    const { t, texts, send, tool } = await start()
    t.telegram.chats.block(GROUP)
    await send('un', 'b1')
    await send('deux', 'b2')
    await send('trois', 'b3')
    await t.settle(2_000)
    expect(texts()).toEqual([])
    expect(await t.bridge.outbox.deadLetters()).toEqual([])
    expect((await t.bridge.outbox.pending('telegram')).length).toBe(3)
    const ready = (await (await t.app.request('/ready')).json()) as Record<string, unknown>
    expect(JSON.stringify(ready)).toContain('bot was kicked from the supergroup chat')

    // An agent's question meanwhile is not "told": it waits with the rest, and the agent hears so.
    await tool('ra')('create_task', { project: 'ONB', title: 'Licence', assignee: 'imhotep' })
    const asked = await tool('imhotep')('add_comment', {
      task: 'ONB-1',
      text: 'MIT ou Apache ?',
      kind: 'question',
    })
    expect(asked).toMatchObject({
      human_notification: 'held',
      human_notification_detail: expect.stringContaining('bot was kicked'),
    })
    await t.settle(2_000)

    // The human lets the bot back in and writes to it.
    t.telegram.chats.unblock(GROUP)
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: 'me revoilà', chatId: GROUP }))
    await t.settle()
    expect(texts()).toEqual([
      '📬 4 messages attendaient pendant votre absence : les voici.',
      'un',
      'deux',
      'trois',
      expect.stringContaining('MIT ou Apache ?'),
    ])
    expect(await t.bridge.outbox.deadLetters()).toEqual([])
  })

  it('should deliver within seconds what waited for a chat held, released while still refused, held again, then back; and follow its migration after', async () => {
    const { t, texts, send } = await start()
    const sentTo = (chat: number) =>
      t.telegram
        .callsOf('sendMessage')
        .filter((c) => c.status === 200 && String(c.params.chat_id) === String(chat))
    // A flood wait: the chat waits Telegram's retry_after, then takes the message.
    t.telegram.faults.floodWait(GROUP, 1)
    await send('un', 'seq-1')
    await t.settle()
    expect(texts()).toEqual(['un'])

    // The group removes the bot (403): what is sent meanwhile waits.
    t.telegram.chats.block(GROUP)
    await send('deux', 'seq-2')
    await send('trois', 'seq-3')
    await t.settle(2_000)
    expect(texts()).toEqual(['un'])

    // It lets the bot back in without the right to write, and its members write: the hold ends, the next send is
    // refused (400 not enough rights), the chat is held again.
    t.telegram.chats.unblock(GROUP)
    t.telegram.chats.restrict(GROUP)
    await t.postTelegram(
      t.telegram.makeMessageUpdate({ text: 'on vous a réintégré', chatId: GROUP })
    )
    await t.settle(2_000)
    await send('quatre', 'seq-4')
    await t.settle(2_000)
    expect(texts()).toEqual(['un'])
    const ready = (await (await t.app.request('/ready')).json()) as Record<string, unknown>
    expect(JSON.stringify(ready)).toContain('not enough rights')
    // Telegram said each of them: the flood wait, the bot removed, no right to write.
    const said = new Set(t.telegram.callsOf('sendMessage').map((c) => c.status))
    expect([...said]).toEqual(expect.arrayContaining([429, 403, 400]))

    // The right to write comes back and a member writes: everything that waited goes, within seconds.
    t.telegram.chats.unrestrict(GROUP)
    const backAt = Date.now()
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: 'me revoilà', chatId: GROUP }))
    await t.settle()
    expect(texts()).toEqual([
      'un',
      '📬 3 messages attendaient pendant votre absence : les voici.',
      'deux',
      'trois',
      'quatre',
    ])
    expect(Math.max(...sentTo(GROUP).map((c) => c.at)) - backAt).toBeLessThan(30_000)
    expect(await t.bridge.outbox.pending('telegram')).toEqual([])
    expect(await t.bridge.outbox.deadLetters()).toEqual([])

    // The group becomes a supergroup: the next message learns it, and the supergroup's commands are answered.
    t.telegram.chats.migrate(GROUP, SUPERGROUP)
    await send('cinq', 'seq-5')
    await t.settle()
    expect(texts(SUPERGROUP)).toEqual([
      'cinq',
      expect.stringContaining('Ce groupe est devenu un supergroupe'),
    ])
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane help', chatId: SUPERGROUP }))
    await t.settle()
    expect(texts(SUPERGROUP).at(-1)).toContain('/plane status')
    expect(await t.bridge.outbox.deadLetters()).toEqual([])
  }, 60_000)

  it('should sum up a long absence: the cards the human acts on, the rest in Plane', async () => {
    const { t, texts, send, tool } = await start()
    t.telegram.chats.block(GROUP)
    for (let i = 1; i <= 12; i++) await send(`notification ${i}`, `n${i}`)
    await tool('ra')('create_task', {
      project: 'ONB',
      title: 'Purger',
      assignee: 'thot',
      approval: true,
    })
    await t.settle(2_000)
    expect(texts()).toEqual([])
    t.telegram.chats.unblock(GROUP)
    // Telegram tells the bot it is back in the group (my_chat_member).
    const back = {
      update_id: 9_000_001,
      my_chat_member: {
        chat: { id: GROUP, type: 'supergroup' },
        new_chat_member: { status: 'member' },
      },
    }
    expect(await t.postTelegram(back as never)).toBe(200)
    await t.settle()
    const [summary, ...rest] = texts()
    expect(summary).toMatch(
      /^📬 1[3-9] messages pendant votre absence\. Voici celui qui attend votre action/
    )
    expect(rest).toEqual([expect.stringContaining('Approbation demandée')])
    expect(await t.bridge.outbox.pending('telegram')).toEqual([])
  })
})
