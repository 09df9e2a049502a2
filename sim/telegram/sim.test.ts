import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SIM_TOKEN, setupSimApi } from './sim-api.ts'

const TOKEN = SIM_TOKEN
const CHAT = 777
const setup = setupSimApi

afterEach(() => {
  vi.useRealTimers()
})

describe('createTelegramSim routing', () => {
  it('should answer 401 Unauthorized for a wrong token', async () => {
    const { api } = setup()
    expect(await api('getMe', {}, '42:other')).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    })
  })

  it('should answer 404 Not Found for unknown methods and paths', async () => {
    const { sim, api } = setup()
    expect(await api('getChatHistory')).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found' },
    })
    expect((await sim.fetch(`${sim.apiBase}/nope`)).status).toBe(404)
  })

  it('should treat method names case-insensitively and record every call', async () => {
    const { sim, api } = setup()
    expect((await api('GETME')).status).toBe(200)
    await api('getChatHistory')
    expect(sim.calls.map(({ method, status }) => ({ method, status }))).toEqual([
      { method: 'getMe', status: 200 },
      { method: 'getChatHistory', status: 404 },
    ])
  })

  it('should read form-encoded and query-string parameters too', async () => {
    const { sim } = setup()
    const form = new URLSearchParams({
      chat_id: String(CHAT),
      text: 'from a form',
      reply_markup: '{"inline_keyboard":[[{"text":"ok","callback_data":"t:1:ok"}]]}',
    })
    const response = await sim.fetch(`${sim.apiBase}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      body: form,
    })
    expect(response.status).toBe(200)
    await sim.fetch(`${sim.apiBase}/bot${TOKEN}/sendMessage?chat_id=${CHAT}&text=query`)
    expect(sim.messagesIn(CHAT).map((m) => m.text)).toEqual(['from a form', 'query'])
    expect(sim.messagesIn(CHAT)[0]?.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'ok', callback_data: 't:1:ok' }]],
    })
  })

  it('should serve the same app on a real socket', async () => {
    const { sim } = setup()
    const server = await sim.listen()
    try {
      const response = await fetch(`${server.url}/bot${TOKEN}/getMe`, { method: 'POST' })
      expect(await response.json()).toMatchObject({
        ok: true,
        result: { username: 'plane_bridge_bot' },
      })
    } finally {
      await server.close()
    }
  })
})

describe('getMe', () => {
  it('should return the bot user with is_bot and username, id from the token', async () => {
    const { api } = setup({ botUsername: 'OurBot' })
    expect(await api('getMe')).toMatchObject({
      status: 200,
      body: { ok: true, result: { id: 42, is_bot: true, username: 'OurBot' } },
    })
  })
})

describe('faults', () => {
  it('should answer the documented 429 shape for rateLimitNext, then recover', async () => {
    const { sim, api } = setup()
    sim.faults.rateLimitNext(1, 35)
    expect(await api('getMe')).toEqual({
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 35',
        parameters: { retry_after: 35 },
      },
    })
    expect((await api('getMe')).status).toBe(200)
  })

  it('should fail with nginx HTML for 502 and Bot API JSON for 500', async () => {
    const { sim } = setup()
    sim.faults.failNext(1, 502)
    sim.faults.failNext(1, 500)
    const gateway = await sim.fetch(`${sim.apiBase}/bot${TOKEN}/getMe`)
    expect(gateway.status).toBe(502)
    expect(gateway.headers.get('content-type')).toMatch(/text\/html/)
    expect(await gateway.text()).toContain('502 Bad Gateway')
    const internal = await sim.fetch(`${sim.apiBase}/bot${TOKEN}/getMe`)
    expect(await internal.json()).toEqual({
      ok: false,
      error_code: 500,
      description: 'Internal Server Error',
    })
  })

  it('should reject the next fetches like a refused connection, quoting the URL', async () => {
    const { sim } = setup()
    sim.faults.networkErrorNext(1)
    await expect(sim.fetch(`${sim.apiBase}/bot${TOKEN}/getMe`)).rejects.toThrow(`bot${TOKEN}/getMe`)
    expect((await sim.fetch(`${sim.apiBase}/bot${TOKEN}/getMe`)).status).toBe(200)
    expect(sim.calls).toHaveLength(1)
  })

  it('should delay an answer and still apply the call (a timed-out send may have been sent)', async () => {
    vi.useFakeTimers()
    const { sim } = setup()
    sim.faults.delayNext(1, 10_000)
    const controller = new AbortController()
    const pending = sim.fetch(`${sim.apiBase}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: CHAT, text: 'late' }),
      signal: controller.signal,
    })
    const outcome = pending.then(
      () => 'answered',
      () => 'aborted'
    )
    await vi.advanceTimersByTimeAsync(5_000)
    controller.abort(new Error('client timeout'))
    expect(await outcome).toBe('aborted')
    expect(sim.messagesIn(CHAT)).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(sim.messagesIn(CHAT).map((m) => m.text)).toEqual(['late'])
  })
})

describe('postUpdate and update factories', () => {
  it('should POST the update with the secret header, like Telegram', async () => {
    const { sim, api } = setup()
    await api('setWebhook', { url: 'https://bridge.example/telegram', secret_token: 'hook_secret' })
    const received: Array<{ secret: string | undefined; body: unknown }> = []
    const bridge = new Hono().post('/telegram', async (c) => {
      received.push({
        secret: c.req.header('x-telegram-bot-api-secret-token'),
        body: await c.req.json(),
      })
      return c.req.header('x-telegram-bot-api-secret-token') === 'hook_secret'
        ? c.body(null, 200)
        : c.body(null, 401)
    })
    const deliver = (url: string, init: RequestInit) => Promise.resolve(bridge.request(url, init))
    const update = sim.makeMessageUpdate({
      chatId: -1001234,
      text: '/plane@plane_bridge_bot status',
    })
    expect(
      await sim.postUpdate('https://bridge.example/telegram', update, { fetch: deliver })
    ).toBe(200)
    expect(received[0]).toEqual({ secret: 'hook_secret', body: update })
    expect(
      await sim.postUpdate('https://bridge.example/telegram', update, {
        fetch: deliver,
        secretToken: null,
      })
    ).toBe(401)
    expect(sim.webhook.lastErrorMessage).toMatch(/^Wrong response from the webhook: 401/)
    expect((await api('getWebhookInfo')).body.result).toMatchObject({
      last_error_message: expect.stringContaining('401'),
    })
  })

  it('should build message updates with increasing update_id and bot_command entities', () => {
    const { sim } = setup()
    const a = sim.makeMessageUpdate({ text: '/plane@plane_bridge_bot status' })
    const b = sim.makeMessageUpdate({ text: 'hello /plane', chatId: -1005, edited: true })
    expect(b.update_id).toBe(a.update_id + 1)
    expect(a.message).toMatchObject({
      chat: { id: 1001, type: 'private' },
      from: { id: 1001, is_bot: false },
      entities: [{ type: 'bot_command', offset: 0, length: 23 }],
    })
    expect(b.message).toBeUndefined()
    expect(b.edited_message).toMatchObject({
      chat: { type: 'group' },
      entities: [{ type: 'bot_command', offset: 6, length: 6 }],
    })
  })

  it('should embed the current bot message in callback updates', async () => {
    const { sim, api } = setup()
    await api('sendMessage', { chat_id: CHAT, text: 'Task PB-1' })
    const update = sim.makeCallbackUpdate({ chatId: CHAT, messageId: 1, data: 't:1:done' })
    expect(update.callback_query).toMatchObject({
      data: 't:1:done',
      message: { message_id: 1, text: 'Task PB-1' },
    })
  })
})
