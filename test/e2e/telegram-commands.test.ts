import { afterEach, describe, expect, it } from 'vitest'
import { notifyFunction } from '../../functions/notify/notify.ts'
import { storeCommand } from '../../functions/telegram/command-inbox.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { CHAT_ID, startE2E } from '../../sim/e2e/harness.ts'
import { parseTelegramHtml } from '../../sim/telegram/index.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

/** The human's private chat (DEFAULT_HUMAN of the Telegram sim) is allowed next to the group. */
const PRIVATE_CHAT = 1001
const GROUP = Number(CHAT_ID)

async function start(env: Record<string, string> = {}): Promise<E2E> {
  e2e = await startE2E({ env: { TELEGRAM_ALLOWED_CHAT_IDS: `${CHAT_ID},${PRIVATE_CHAT}`, ...env } })
  const t = e2e
  t.plane.seed.workItem(t.project.id, {
    name: 'Configurer Redis',
    state: t.state('In Progress').id,
    assignees: [t.users.imhotep.id],
  })
  t.plane.seed.workItem(t.project.id, {
    name: 'Doc <API> & co 📚',
    state: t.state('In Progress').id,
    assignees: [t.users.thot.id],
  })
  return t
}

const sent = (t: E2E, chatId?: number) =>
  t.telegram
    .callsOf('sendMessage')
    .filter(
      (c) =>
        c.status === 200 && (chatId === undefined || String(c.params.chat_id) === String(chatId))
    )

describe('/plane commands over Telegram (end to end)', () => {
  it('should answer /plane status in a private chat and /plane@bot status in the group', async () => {
    const t = await start()
    expect(await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))).toBe(200)
    await t.settle()
    const [reply] = sent(t, PRIVATE_CHAT)
    expect(reply?.params).toMatchObject({
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    })
    const text = String(reply?.params.text)
    expect(text).toContain('📁 <b>Onboarding</b> (ONB) — 2 tâches')
    expect(text).toContain('« Configurer Redis » — Imhotep')
    expect(parseTelegramHtml(text).ok).toBe(true)
    // What the human reads: escaped names came back as plain text.
    expect(t.telegram.messagesIn(PRIVATE_CHAT)[0]?.text).toContain('Doc <API> & co 📚')

    const group = t.telegram.makeMessageUpdate({
      text: '/plane@plane_bridge_bot status',
      chatId: GROUP,
    })
    expect(await t.postTelegram(group)).toBe(200)
    await t.settle()
    expect(sent(t, GROUP)).toHaveLength(1)
    // getMe once, then from the store.
    expect(t.telegram.callsOf('getMe')).toHaveLength(1)
  })

  it('should ignore a command addressed to another bot, and take ours whatever its case', async () => {
    const t = await start()
    await t.postTelegram(
      t.telegram.makeMessageUpdate({ text: '/plane@OtherBot status', chatId: GROUP })
    )
    await t.settle()
    expect(sent(t)).toHaveLength(0)
    await t.postTelegram(
      t.telegram.makeMessageUpdate({ text: '/plane@Plane_Bridge_Bot help', chatId: GROUP })
    )
    await t.settle()
    expect(sent(t, GROUP).map((c) => String(c.params.text).split('\n')[0])).toEqual([
      '🤖 <b>Commandes /plane</b>',
    ])
  })

  it('should answer 401 to a wrong or missing secret and do nothing', async () => {
    const t = await start()
    const update = t.telegram.makeMessageUpdate({ text: '/plane status' })
    expect(await t.postTelegram(update, { secretToken: 'wrong_secret' })).toBe(401)
    expect(await t.postTelegram(update, { secretToken: null })).toBe(401)
    await t.settle()
    expect(sent(t)).toHaveLength(0)
    // Not claimed: the genuine delivery of the same update is still answered.
    expect(await t.postTelegram(update)).toBe(200)
    await t.settle()
    expect(sent(t)).toHaveLength(1)
  })

  it('should not answer a chat that is not allowed, and count it', async () => {
    const t = await start({ TELEGRAM_ALLOWED_CHAT_IDS: '' })
    // Default list: TELEGRAM_CHAT_ID only, so the private chat is refused.
    expect(await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))).toBe(200)
    expect(
      await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status', chatId: -42 }))
    ).toBe(200)
    await t.settle()
    expect(sent(t)).toHaveLength(0)
    const metrics = await (await t.app.request('/metrics')).text()
    expect(metrics).toContain('plane_bridge_telegram_updates_total{outcome="not_allowed"} 2')
  })

  it('should not re-run a command for an edited message', async () => {
    const t = await start()
    const original = t.telegram.makeMessageUpdate({ text: '/plane help' })
    expect(await t.postTelegram(original)).toBe(200)
    await t.settle()
    expect(sent(t)).toHaveLength(1)
    const edited = t.telegram.makeMessageUpdate({ text: '/plane status', edited: true })
    expect(await t.postTelegram(edited)).toBe(200)
    await t.settle()
    expect(sent(t)).toHaveLength(1)
  })

  it('should answer the same update_id once', async () => {
    const t = await start()
    const update = t.telegram.makeMessageUpdate({ text: '/plane help' })
    const statuses = await Promise.all([t.postTelegram(update), t.postTelegram(update)])
    expect(statuses).toEqual([200, 200])
    await t.settle()
    expect(await t.postTelegram(update)).toBe(200)
    await t.settle()
    expect(sent(t)).toHaveLength(1)
  })

  it('should answer a burst of commands without extra Plane requests', async () => {
    const t = await start()
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))
    await t.settle()
    const workItemReads = () =>
      t.plane.requests.filter((r) => r.method === 'GET' && r.path.includes('/work-items/')).length
    const before = { items: workItemReads(), all: t.plane.requests.length }
    expect(before.items).toBe(1)
    for (const text of ['/plane status', '/plane agent imhotep', '/plane status'])
      await t.postTelegram(t.telegram.makeMessageUpdate({ text }))
    await t.settle()
    expect(sent(t)).toHaveLength(4)
    expect(t.plane.requests.length).toBe(before.all)
  })

  it('should answer /plane status without a project Plane refuses the bridge, and not ask for it at every status (issue 46)', async () => {
    const t = await start()
    // A public project a person made: Plane lists it to the bridge, and refuses it the work items (403).
    const theirs = t.plane.seed.project({
      name: 'Privé',
      identifier: 'PRV',
      creator: t.users.imhotep.id,
    })
    t.plane.seed.workItem(theirs.id, { name: 'Secret' })
    const refused = () =>
      t.plane.requests.filter(
        (r) => r.method === 'GET' && r.path.includes(`/projects/${theirs.id}/work-items/`)
      ).length
    for (let i = 0; i < 3; i++) {
      await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))
      await t.settle()
    }
    const replies = sent(t, PRIVATE_CHAT).map((c) => String(c.params.text))
    expect(replies).toHaveLength(3)
    for (const text of replies) {
      expect(text).toContain('📁 <b>Onboarding</b> (ONB) — 2 tâches')
      expect(text).not.toContain('Privé')
    }
    expect(refused()).toBe(1)
    expect(
      t.services.logs.filter((l) => String(l.msg).startsWith('project left out of /plane'))
    ).toHaveLength(1)
  })

  it('should answer status and project from the same data at once after a change, not a minute later (issue 36)', async () => {
    const t = await start()
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))
    await t.settle()
    // The listing is now cached; a person makes a task overdue and blocked in Plane's UI (webhooks follow).
    const [task] = [...t.plane.state.issues.values()].filter((i) => i.name === 'Configurer Redis')
    if (!task) throw new Error('no task')
    const blocked = t.plane.seed.label(t.project.id, { name: 'blocked' })
    await t.plane.ui.updateWorkItem(t.users.thot.id, task.id, {
      target_date: '2020-01-01',
      label_ids: [blocked.id],
    })
    await t.settle()
    const before = sent(t).length
    const listings = () =>
      t.plane.requests.filter((r) => r.method === 'GET' && /\/work-items\/(\?|$)/.test(r.path))
        .length
    const listed = listings()
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))
    await t.settle()
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane project onb' }))
    await t.settle()
    const [status, project] = sent(t)
      .slice(before)
      .map((c) => String(c.params.text))
    const line = (text: string | undefined, heading: string) =>
      text?.split('\n\n').find((part) => part.includes(heading)) ?? ''
    for (const reply of [status, project]) {
      expect(line(reply, '⛔')).toContain('« Configurer Redis »')
      expect(line(reply, '⏰')).toContain('« Configurer Redis »')
    }
    // Counted once, as blocked: "En cours" is what is really under way.
    expect(status).toContain('📁 <b>Onboarding</b> (ONB) — 2 tâches\nEn cours 1 · Bloquées 1')
    expect(line(status, '🔨')).not.toContain('Configurer Redis')
    // The change was laid over the cached listing: no new listing of the project (issue 39).
    expect(listings()).toBe(listed)
  })

  it('should answer /plane project and /plane agent, accents and case ignored', async () => {
    const t = await start()
    t.plane.seed.cycle(t.project.id, {
      name: 'Sprint 1',
      start_date: '2020-01-01',
      end_date: '2099-12-31',
    })
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane project ONBOÄRD' }))
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane agent THOT' }))
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane dance' }))
    await t.settle()
    // Replies are built concurrently: each is found by what it says, not by its rank.
    const texts = sent(t).map((c) => String(c.params.text))
    expect(texts).toHaveLength(3)
    const project = texts.find((x) => x.startsWith('📁'))
    expect(project).toMatch(
      /^📁 <b>Onboarding<\/b> \(ONB\)\nAvancement : 0 tâche terminée sur 2 \(0 %\)/
    )
    expect(project).toContain('🔄 Cycle en cours : « Sprint 1 »')
    expect(project).toContain('<b>Imhotep</b> (1)')
    const agent = texts.find((x) => x.startsWith('🤖 <b>Thot'))
    expect(agent).toMatch(/^🤖 <b>Thot<\/b> — 1 tâche/)
    expect(agent).toContain('« Doc &lt;API&gt; &amp; co 📚 »')
    expect(texts.filter((x) => x.startsWith('🤖 <b>Commandes /plane</b>'))).toHaveLength(1)
  })

  it('should answer in English with LOCALE=en', async () => {
    const t = await start({ LOCALE: 'en' })
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))
    await t.settle()
    expect(String(sent(t)[0]?.params.text)).toContain('📁 <b>Onboarding</b> (ONB) — 2 tasks')
  })

  it('should drill down from a button: answer the callback query, then send the project', async () => {
    const t = await start()
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))
    await t.settle()
    const markup = sent(t)[0]?.params.reply_markup as {
      inline_keyboard: Array<Array<{ text: string; callback_data: string }>>
    }
    const button = markup.inline_keyboard.flat().find((b) => b.text === '📁 Onboarding')
    expect(button?.callback_data).toBe(`p:${t.project.id}`)
    const press = t.telegram.makeCallbackUpdate({ data: button?.callback_data ?? '' })
    expect(await t.postTelegram(press)).toBe(200)
    await t.settle()
    const queryId = (press as { callback_query: { id: string } }).callback_query.id
    expect(t.telegram.callbackAnswer(queryId)).toBeDefined()
    expect(String(sent(t)[1]?.params.text)).toMatch(/^📁 <b>Onboarding<\/b> \(ONB\)/)
  })

  it('should split a long /plane status into several messages, in order', async () => {
    const t = await start()
    for (let i = 0; i < 45; i++)
      t.plane.seed.workItem(t.project.id, {
        name: `Tâche ${String(i).padStart(2, '0')} <longue> & détaillée — ${'x'.repeat(70)}`,
        state: t.state('In Progress').id,
        assignees: [t.users.imhotep.id],
      })
    await t.postTelegram(t.telegram.makeMessageUpdate({ text: '/plane status' }))
    await t.settle(20_000)
    const messages = t.telegram.messagesIn(PRIVATE_CHAT)
    expect(messages.length).toBeGreaterThanOrEqual(2)
    for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(4096)
    const all = messages.map((m) => m.text).join('\n')
    expect(all.indexOf('Tâche 00')).toBeGreaterThan(-1)
    expect(all.indexOf('Tâche 00')).toBeLessThan(all.indexOf('Tâche 30'))
    // The buttons come under the last part.
    const calls = sent(t)
    expect(calls.at(-1)?.params.reply_markup).toBeDefined()
    expect(calls[0]?.params.reply_markup).toBeUndefined()
  }, 40_000)

  it('should answer a command a crash left unanswered, at the next notify run', async () => {
    let skew = 0
    e2e = await startE2E({
      env: { TELEGRAM_ALLOWED_CHAT_IDS: `${CHAT_ID},${PRIVATE_CHAT}` },
      now: () => Date.now() + skew,
    })
    const t = e2e
    // What the route had stored (and acknowledged) when the process died before answering.
    await storeCommand(t.services, {
      kind: 'message',
      updateId: 4242,
      chatId: String(PRIVATE_CHAT),
      threadId: null,
      args: ['help'],
    })
    skew = 60_000
    const run = await executeJob(notifyFunction, t.services.root, { trigger: 'cli' })
    expect(run.summary).toMatch(/^1 replayed/)
    await t.settle()
    expect(sent(t, PRIVATE_CHAT)).toHaveLength(1)
    expect(await t.services.store.keys('telegram:inbox:')).toEqual([])
  })
})
