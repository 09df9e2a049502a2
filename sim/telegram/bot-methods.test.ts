import { describe, expect, it } from 'vitest'
import { badRequest, setupSimApi } from './sim-api.ts'

const setup = setupSimApi

describe('answerCallbackQuery', () => {
  it('should answer an issued query once, with text up to 200 characters', async () => {
    const { sim, api } = setup()
    const id = sim.makeCallbackUpdate({ data: 't:1:done' }).callback_query?.id
    expect(
      (await api('answerCallbackQuery', { callback_query_id: id, text: 'x'.repeat(201) })).status
    ).toBe(400)
    expect(
      await api('answerCallbackQuery', { callback_query_id: id, text: 'x'.repeat(200) })
    ).toEqual({ status: 200, body: { ok: true, result: true } })
    const again = await api('answerCallbackQuery', { callback_query_id: id })
    expect(again.body.description).toMatch(/query is too old/)
    expect((await api('answerCallbackQuery', { callback_query_id: 'unknown' })).status).toBe(400)
  })
})

describe('setWebhook / getWebhookInfo / deleteWebhook', () => {
  it('should store url, secret and allowed_updates, and never echo the secret', async () => {
    const { sim, api } = setup()
    const url = 'https://bridge.example/telegram'
    expect(
      await api('setWebhook', { url, secret_token: 'S3cr3t_-', allowed_updates: ['message'] })
    ).toEqual({
      status: 200,
      body: { ok: true, result: true, description: 'Webhook was set' },
    })
    expect(sim.webhook).toMatchObject({ url, secretToken: 'S3cr3t_-' })
    const info = await api('getWebhookInfo')
    expect(info.body.result).toEqual({
      url,
      has_custom_certificate: false,
      pending_update_count: 0,
      max_connections: 40,
      allowed_updates: ['message'],
    })
    expect(JSON.stringify(info)).not.toContain('S3cr3t')
    await api('setWebhook', { url, secret_token: 'n3w' })
    expect(sim.webhook.allowedUpdates).toEqual(['message'])
    expect((await api('deleteWebhook')).body).toMatchObject({ description: 'Webhook was deleted' })
    expect((await api('getWebhookInfo')).body.result).toEqual({
      url: '',
      has_custom_certificate: false,
      pending_update_count: 0,
    })
  })

  it('should reject a bad secret_token, a non-HTTPS url and unsupported ports', async () => {
    const { api } = setup()
    const url = 'https://bridge.example/telegram'
    for (const secret_token of ['has space', 'slash/', 'x'.repeat(257), '']) {
      expect((await api('setWebhook', { url, secret_token })).status, secret_token).toBe(400)
    }
    expect(await api('setWebhook', { url: 'http://bridge.example/t' })).toEqual(
      badRequest('bad webhook: An HTTPS URL must be provided for webhook')
    )
    expect((await api('setWebhook', { url: 'https://bridge.example:3000/t' })).status).toBe(400)
    expect((await api('setWebhook', { url, allowed_updates: ['messages'] })).status).toBe(400)
  })

  it('should refuse getUpdates while a webhook is set', async () => {
    const { api } = setup()
    expect((await api('getUpdates')).body).toEqual({ ok: true, result: [] })
    await api('setWebhook', { url: 'https://bridge.example/t' })
    expect((await api('getUpdates')).status).toBe(409)
  })
})

describe('setMyCommands', () => {
  it('should store valid commands per scope and reject invalid names', async () => {
    const { sim, api } = setup()
    const commands = [{ command: 'plane', description: 'Plane bridge' }]
    expect((await api('setMyCommands', { commands })).body).toEqual({ ok: true, result: true })
    expect(sim.commands()).toEqual(commands)
    for (const command of ['Plane', 'plane-status', '', 'x'.repeat(33), 'plane status']) {
      expect(
        await api('setMyCommands', { commands: [{ command, description: 'd' }] }),
        command
      ).toEqual(badRequest('BOT_COMMAND_INVALID'))
    }
    expect(
      (await api('setMyCommands', { commands: [{ command: 'ok', description: '' }] })).status
    ).toBe(400)
    expect((await api('getMyCommands')).body).toEqual({ ok: true, result: commands })
  })
})

describe('forum topics', () => {
  it('should create topics only in a forum, and send into an existing topic only', async () => {
    const forum = -1001111
    const { sim, api } = setup({ forumChats: [forum] })
    expect(await api('createForumTopic', { chat_id: -1002222, name: 'ONB' })).toEqual(
      badRequest('the chat is not a forum')
    )
    const created = await api('createForumTopic', { chat_id: forum, name: 'ONB' })
    const topic = created.body.result as { message_thread_id: number; name: string }
    expect(topic.name).toBe('ONB')
    const thread = topic.message_thread_id
    const sent = await api('sendMessage', { chat_id: forum, text: 'hi', message_thread_id: thread })
    expect(sent.status).toBe(200)
    expect(sim.messagesIn(forum)[0]).toMatchObject({
      message_thread_id: thread,
      is_topic_message: true,
    })
    expect(
      await api('sendMessage', { chat_id: forum, text: 'hi', message_thread_id: thread + 50 })
    ).toEqual(badRequest('message thread not found'))
  })
})

describe('answerCallbackQuery past its time', () => {
  it('should refuse a query answered more than 15 minutes after the press', async () => {
    let now = 5_000_000
    const { sim, api } = setupSimApi({ now: () => now })
    const update = sim.makeCallbackUpdate({ data: 's', chatId: 1 })
    const id = update.callback_query?.id
    now += 15 * 60 * 1000 + 1
    expect(await api('answerCallbackQuery', { callback_query_id: id })).toEqual(
      badRequest('query is too old and response timeout expired or query ID is invalid')
    )
  })
})
