import { describe, expect, it } from 'vitest'
import { badRequest, setupSimApi } from './sim-api.ts'

const CHAT = 777
const setup = setupSimApi

describe('sendMessage', () => {
  it('should answer a Message with per-chat increasing message_id', async () => {
    const { sim, api } = setup()
    const first = await api('sendMessage', { chat_id: CHAT, text: 'one' })
    await api('sendMessage', { chat_id: -100, text: 'other chat' })
    const second = await api('sendMessage', { chat_id: String(CHAT), text: 'two' })
    expect(first.body).toMatchObject({
      ok: true,
      result: {
        message_id: 1,
        chat: { id: CHAT, type: 'private' },
        text: 'one',
        from: { is_bot: true },
      },
    })
    expect(second.body).toMatchObject({ result: { message_id: 2 } })
    expect(sim.messagesIn(-100)).toMatchObject([{ message_id: 1, chat: { type: 'group' } }])
  })

  it('should reject a missing chat_id and an empty or whitespace text', async () => {
    const { api } = setup()
    expect(await api('sendMessage', { text: 'x' })).toEqual(badRequest('chat_id is empty'))
    expect(await api('sendMessage', { chat_id: CHAT })).toEqual(badRequest('message text is empty'))
    expect(await api('sendMessage', { chat_id: CHAT, text: '' })).toEqual(
      badRequest('message text is empty')
    )
    expect(
      await api('sendMessage', { chat_id: CHAT, text: '<b> </b>', parse_mode: 'HTML' })
    ).toEqual(badRequest('message text is empty'))
  })

  it('should count the length after entity parsing, in UTF-16 code units', async () => {
    const { api } = setup()
    const fits = `<b>${'&amp;'.repeat(4096)}</b>`
    expect(
      (await api('sendMessage', { chat_id: CHAT, text: fits, parse_mode: 'HTML' })).status
    ).toBe(200)
    expect(await api('sendMessage', { chat_id: CHAT, text: 'a'.repeat(4097) })).toEqual(
      badRequest('message is too long')
    )
    expect(await api('sendMessage', { chat_id: CHAT, text: `${'a'.repeat(4095)}😀` })).toEqual(
      badRequest('message is too long')
    )
    // Without parse_mode the tags are text and count.
    expect(await api('sendMessage', { chat_id: CHAT, text: fits })).toEqual(
      badRequest('message is too long')
    )
  })

  it("should reject invalid HTML with can't parse entities", async () => {
    const { api } = setup()
    for (const text of ['<b>x', 'a < b', '<p>x</p>', 'Tom & Jerry', '&nbsp;', '<b><i>x</b></i>']) {
      const reply = await api('sendMessage', { chat_id: CHAT, text, parse_mode: 'HTML' })
      expect(reply.status, text).toBe(400)
      expect(reply.body.description, text).toMatch(/^Bad Request: can't parse entities: /)
    }
  })

  it('should reject an unknown parse_mode', async () => {
    const { api } = setup()
    expect(await api('sendMessage', { chat_id: CHAT, text: 'x', parse_mode: 'html5' })).toEqual(
      badRequest('unsupported parse_mode')
    )
  })

  it('should answer migrate_to_chat_id for an upgraded group', async () => {
    const { api } = setup({ migratedChats: { '-5': -1000000000005 } })
    expect(await api('sendMessage', { chat_id: -5, text: 'x' })).toEqual({
      status: 400,
      body: {
        ok: false,
        error_code: 400,
        description: 'Bad Request: group chat was upgraded to a supergroup chat',
        parameters: { migrate_to_chat_id: -1000000000005 },
      },
    })
  })

  it('should answer 403 for a chat that blocked the bot and 400 for an unknown chat', async () => {
    const { api } = setup({ blockedChats: [CHAT], knownChats: [CHAT, 1] })
    expect(await api('sendMessage', { chat_id: CHAT, text: 'x' })).toMatchObject({
      status: 403,
      body: { description: 'Forbidden: bot was blocked by the user' },
    })
    expect(await api('sendMessage', { chat_id: 2, text: 'x' })).toEqual(
      badRequest('chat not found')
    )
  })

  it('should validate inline keyboards: one action per button, callback_data 1-64 bytes', async () => {
    const { api } = setup()
    const send = (button: Record<string, unknown>) =>
      api('sendMessage', {
        chat_id: CHAT,
        text: 'x',
        reply_markup: { inline_keyboard: [[button]] },
      })
    expect((await send({ text: 'ok', callback_data: `t:${'x'.repeat(62)}` })).status).toBe(200)
    expect(await send({ text: 'ok', callback_data: `t:${'x'.repeat(63)}` })).toEqual(
      badRequest('BUTTON_DATA_INVALID')
    )
    expect(await send({ text: 'ok', callback_data: 'é'.repeat(33) })).toEqual(
      badRequest('BUTTON_DATA_INVALID')
    )
    expect((await send({ text: 'ok' })).status).toBe(400)
  })

  it('should enforce per-chat flood control only when configured', async () => {
    let now = 1_000_000
    const { api } = setup({ floodControl: { minIntervalMs: 1_000 }, now: () => now })
    expect((await api('sendMessage', { chat_id: CHAT, text: 'a' })).status).toBe(200)
    expect((await api('sendMessage', { chat_id: CHAT + 1, text: 'other chat' })).status).toBe(200)
    now += 200
    expect(await api('sendMessage', { chat_id: CHAT, text: 'b' })).toEqual({
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 1',
        parameters: { retry_after: 1 },
      },
    })
    now += 800
    expect((await api('sendMessage', { chat_id: CHAT, text: 'c' })).status).toBe(200)

    const { api: unlimited } = setup()
    for (let i = 0; i < 5; i++)
      expect((await unlimited('sendMessage', { chat_id: CHAT, text: 'x' })).status).toBe(200)
  })
})

describe('editMessageText', () => {
  it('should refuse edits of a chat too close together or past 20 in a minute, under flood control', async () => {
    let now = 1_000_000
    const { api } = setup({ floodControl: { minIntervalMs: 1_000 }, now: () => now })
    const edit = (text: string) => api('editMessageText', { chat_id: CHAT, message_id: 1, text })
    expect((await api('sendMessage', { chat_id: CHAT, text: 'v0' })).status).toBe(200)
    now += 200
    // An edit is a request to the chat like a send: the interval holds it too.
    expect(await edit('v1')).toMatchObject({
      status: 429,
      body: { parameters: { retry_after: 1 } },
    })
    for (let i = 1; i <= 20; i++) {
      now += 1_000
      expect((await edit(`v${i}`)).status).toBe(200)
    }
    now += 1_000
    // Twenty edits within the minute: the next waits until the first leaves it (40 s later).
    expect(await edit('v21')).toMatchObject({
      status: 429,
      body: { error_code: 429, parameters: { retry_after: 40 } },
    })
    now += 40_000
    expect((await edit('v21')).status).toBe(200)
  })

  it('should edit a sent message and reject unknown or unchanged ones', async () => {
    const { sim, api } = setup()
    await api('sendMessage', { chat_id: CHAT, text: '<b>v1</b>', parse_mode: 'HTML' })
    const edited = await api('editMessageText', { chat_id: CHAT, message_id: 1, text: 'v2' })
    expect(edited.body).toMatchObject({ ok: true, result: { message_id: 1, text: 'v2' } })
    expect((edited.body.result as Record<string, unknown>).edit_date).toEqual(expect.any(Number))
    expect(sim.messagesIn(CHAT)[0]?.text).toBe('v2')
    expect(await api('editMessageText', { chat_id: CHAT, message_id: 9, text: 'x' })).toEqual(
      badRequest('message to edit not found')
    )
    const same = await api('editMessageText', { chat_id: CHAT, message_id: 1, text: 'v2' })
    expect(same.status).toBe(400)
    expect(same.body.description).toMatch(/^Bad Request: message is not modified/)
    const markup = { inline_keyboard: [[{ text: 'Done', callback_data: 'd' }]] }
    expect(
      (
        await api('editMessageText', {
          chat_id: CHAT,
          message_id: 1,
          text: 'v2',
          reply_markup: markup,
        })
      ).status
    ).toBe(200)
  })
})

describe('refusals of the real Bot API (§1.7b)', () => {
  it('should refuse half a surrogate pair anywhere in the parameters', async () => {
    const { api } = setup()
    const refused = {
      status: 400,
      body: {
        ok: false,
        error_code: 400,
        description: 'Bad Request: strings must be encoded in UTF-8',
      },
    }
    expect(await api('sendMessage', { chat_id: CHAT, text: 'ok 😀'.slice(0, 4) })).toEqual(refused)
    const keyboard = { inline_keyboard: [[{ text: '\ude00', callback_data: 's' }]] }
    expect(await api('sendMessage', { chat_id: CHAT, text: 'x', reply_markup: keyboard })).toEqual(
      refused
    )
    expect((await api('sendMessage', { chat_id: CHAT, text: 'ok 😀 👩‍💻' })).status).toBe(200)
  })

  it('should refuse more than 100 buttons, more than 8 in a row, or a markup over 10 kB', async () => {
    const { api } = setup()
    const button = (i: number) => ({ text: `b${i}`, callback_data: `d${i}` })
    const rows = (n: number, perRow: number) =>
      Array.from({ length: Math.ceil(n / perRow) }, (_, r) =>
        Array.from({ length: Math.min(perRow, n - r * perRow) }, (_, i) => button(r * perRow + i))
      )
    const send = (inline_keyboard: unknown) =>
      api('sendMessage', { chat_id: CHAT, text: 'x', reply_markup: { inline_keyboard } })
    expect((await send(rows(100, 2))).status).toBe(200)
    expect(await send(rows(101, 2))).toEqual(badRequest('reply markup is too long'))
    expect(await send(rows(9, 9))).toEqual(badRequest('reply markup is too long'))
    const wide = [[{ text: 'x'.repeat(10_000), callback_data: 'd' }]]
    expect(await send(wide)).toEqual(badRequest('reply markup is too long'))
  })

  it('should hold a chat in flood wait for every send until the wait ends', async () => {
    let now = 1_000_000
    const { sim, api } = setup({ now: () => now })
    sim.faults.floodWait(CHAT, 10)
    now += 1_800
    expect(await api('sendMessage', { chat_id: CHAT, text: 'x' })).toMatchObject({
      status: 429,
      body: { parameters: { retry_after: 9 } },
    })
    expect((await api('sendMessage', { chat_id: 1, text: 'other chat' })).status).toBe(200)
    now += 8_200
    expect((await api('sendMessage', { chat_id: CHAT, text: 'x' })).status).toBe(200)
  })

  it('should answer 403 while the human blocks the bot or a group kicks it, and take messages again after', async () => {
    const { sim, api } = setup()
    sim.chats.block(CHAT)
    sim.chats.block(-100)
    sim.chats.block(-1_001_234_567_890)
    expect(await api('sendMessage', { chat_id: CHAT, text: 'x' })).toMatchObject({
      status: 403,
      body: { description: 'Forbidden: bot was blocked by the user' },
    })
    expect(await api('sendMessage', { chat_id: -100, text: 'x' })).toMatchObject({
      body: { description: 'Forbidden: bot was kicked from the group chat' },
    })
    expect(await api('sendMessage', { chat_id: -1_001_234_567_890, text: 'x' })).toMatchObject({
      body: { description: 'Forbidden: bot was kicked from the supergroup chat' },
    })
    sim.chats.unblock(CHAT)
    expect((await api('sendMessage', { chat_id: CHAT, text: 'x' })).status).toBe(200)
  })

  it('should refuse every send to a group that took away the bot’s right to write, until it gives it back', async () => {
    const { sim, api } = setup()
    sim.chats.restrict(-100)
    expect(await api('sendMessage', { chat_id: -100, text: 'x' })).toEqual(
      badRequest('not enough rights to send text messages to the chat')
    )
    expect((await api('sendMessage', { chat_id: CHAT, text: 'other chat' })).status).toBe(200)
    sim.chats.unrestrict(-100)
    expect((await api('sendMessage', { chat_id: -100, text: 'x' })).status).toBe(200)
  })

  it('should hold edits too while the chat is in flood wait', async () => {
    let now = 1_000_000
    const { sim, api } = setup({ now: () => now })
    const sent = await api('sendMessage', { chat_id: CHAT, text: 'card' })
    const messageId = (sent.body as { result: { message_id: number } }).result.message_id
    sim.faults.floodWait(CHAT, 5)
    const edit = () =>
      api('editMessageText', { chat_id: CHAT, message_id: messageId, text: `edited ${now}` })
    expect(await edit()).toMatchObject({ status: 429, body: { parameters: { retry_after: 5 } } })
    now += 5_000
    expect((await edit()).status).toBe(200)
  })

  it('should send a migrated group to its supergroup, and lose a message the human deleted', async () => {
    const { sim, api } = setup()
    await api('sendMessage', { chat_id: -100, text: 'card' })
    sim.chats.migrate(-100, -1_009_999)
    expect(await api('sendMessage', { chat_id: -100, text: 'x' })).toMatchObject({
      status: 400,
      body: { parameters: { migrate_to_chat_id: -1_009_999 } },
    })
    const sent = await api('sendMessage', { chat_id: CHAT, text: 'card' })
    const messageId = (sent.body as { result: { message_id: number } }).result.message_id
    sim.chats.deleteMessage(CHAT, messageId)
    expect(
      await api('editMessageText', { chat_id: CHAT, message_id: messageId, text: 'edited' })
    ).toEqual(badRequest('message to edit not found'))
  })
})
