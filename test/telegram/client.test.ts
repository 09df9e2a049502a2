import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { withRetry } from '../../shared/net/retry.ts'
import { createTelegramClient, type TelegramCallLog } from '../../shared/telegram/client.ts'
import { classifyTelegramError, TelegramError } from '../../shared/telegram/errors.ts'
import { createTelegramSim } from '../../sim/telegram/index.ts'

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'
const TOKEN_SECRET_PART = 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'
const CHAT = 4242

function setup(simOptions: Partial<Parameters<typeof createTelegramSim>[0]> = {}) {
  const sim = createTelegramSim({ token: TOKEN, ...simOptions })
  const logs: TelegramCallLog[] = []
  const telegram = createTelegramClient({
    token: TOKEN,
    apiBase: sim.apiBase,
    fetch: sim.fetch,
    onCall: (entry) => logs.push(entry),
  })
  return { sim, telegram, logs }
}

async function failure(promise: Promise<unknown>): Promise<TelegramError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(TelegramError)
  return error as TelegramError
}

/** Every way an error can reach a log line or a bug report. */
function renderings(error: unknown): string[] {
  const e = error as Error
  const causes: unknown[] = []
  for (let c: unknown = e.cause; c instanceof Error; c = c.cause) causes.push(c)
  return [
    String(e),
    e.message,
    e.stack ?? '',
    JSON.stringify(e),
    inspect(e, { depth: 10, showHidden: true }),
    ...causes.flatMap((c) => [String(c), (c as Error).stack ?? '', inspect(c, { depth: 10 })]),
  ]
}

function expectNoToken(texts: string[]) {
  for (const text of texts) {
    expect(text).not.toContain(TOKEN_SECRET_PART)
    expect(text).not.toContain(encodeURIComponent(TOKEN))
  }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('createTelegramClient', () => {
  it('should POST JSON to {apiBase}/bot{token}/{method} and return the result', async () => {
    const seen: Request[] = []
    const sim = createTelegramSim({ token: TOKEN })
    const telegram = createTelegramClient({
      token: TOKEN,
      apiBase: `${sim.apiBase}/`,
      fetch: (input, init) => {
        seen.push(new Request(input, init))
        return sim.fetch(input, init)
      },
    })
    const message = await telegram.sendMessage({
      chat_id: CHAT,
      text: '<b>PB-12</b> done',
      parse_mode: 'HTML',
    })
    expect(message).toMatchObject({ message_id: 1, chat: { id: CHAT }, text: 'PB-12 done' })
    expect(message.entities).toEqual([{ type: 'bold', offset: 0, length: 5 }])
    const request = seen[0] as Request
    expect(request.method).toBe('POST')
    expect(request.url).toBe(`http://api.telegram.test/bot${TOKEN}/sendMessage`)
    expect(request.headers.get('content-type')).toBe('application/json')
    expect(await request.json()).toEqual({
      chat_id: CHAT,
      text: '<b>PB-12</b> done',
      parse_mode: 'HTML',
    })
  })

  it('should send each method with the params the Bot API expects', async () => {
    const { sim, telegram } = setup()
    const me = await telegram.getMe()
    expect(me).toMatchObject({ is_bot: true, username: 'plane_bridge_bot', id: 123456789 })

    const sent = await telegram.sendMessage({ chat_id: CHAT, text: 'v1' })
    const edited = await telegram.editMessageText({
      chat_id: CHAT,
      message_id: sent.message_id,
      text: 'v2',
    })
    expect(edited).toMatchObject({ message_id: sent.message_id, text: 'v2' })

    const update = sim.makeCallbackUpdate({
      chatId: CHAT,
      messageId: sent.message_id,
      data: 't:1:done',
    })
    const queryId = update.callback_query?.id as string
    await expect(
      telegram.answerCallbackQuery({ callback_query_id: queryId, text: 'Done' })
    ).resolves.toBe(true)

    await expect(
      telegram.setWebhook({
        url: 'https://bridge.example/telegram/webhook',
        secret_token: 'sec_ret-1',
        allowed_updates: ['message', 'callback_query'],
      })
    ).resolves.toBe(true)
    const info = await telegram.getWebhookInfo()
    expect(info).toMatchObject({
      url: 'https://bridge.example/telegram/webhook',
      allowed_updates: ['message', 'callback_query'],
    })
    await expect(telegram.deleteWebhook({ drop_pending_updates: true })).resolves.toBe(true)
    await expect(
      telegram.setMyCommands({ commands: [{ command: 'plane', description: 'Plane bridge' }] })
    ).resolves.toBe(true)

    expect(sim.calls.map((c) => c.method)).toEqual([
      'getMe',
      'sendMessage',
      'editMessageText',
      'answerCallbackQuery',
      'setWebhook',
      'getWebhookInfo',
      'deleteWebhook',
      'setMyCommands',
    ])
    expect(sim.callsOf('setWebhook')[0]?.params).toEqual({
      url: 'https://bridge.example/telegram/webhook',
      secret_token: 'sec_ret-1',
      allowed_updates: ['message', 'callback_query'],
    })
    expect(sim.callsOf('deleteWebhook')[0]?.params).toEqual({ drop_pending_updates: true })
    expect(sim.callsOf('getMe')[0]?.params).toEqual({})
    expect(sim.callbackAnswer(queryId)).toMatchObject({ text: 'Done' })
    expect(sim.commands()).toEqual([{ command: 'plane', description: 'Plane bridge' }])
  })

  it('should not retry by itself', async () => {
    const { sim, telegram } = setup()
    sim.faults.failNext(1, 502)
    await failure(telegram.sendMessage({ chat_id: CHAT, text: 'x' }))
    expect(sim.callsOf('sendMessage')).toHaveLength(1)
  })

  it('should expose the generic call for other JSON methods', async () => {
    const { telegram } = setup()
    await expect(telegram.call('getMyCommands', {})).resolves.toEqual([])
  })
})

describe('TelegramError from the client', () => {
  it('should carry error_code and description of a 400', async () => {
    const { telegram } = setup()
    const error = await failure(
      telegram.sendMessage({ chat_id: CHAT, text: 'a < b', parse_mode: 'HTML' })
    )
    expect(error).toMatchObject({ kind: 'api', method: 'sendMessage', errorCode: 400 })
    expect(error.description).toMatch(/^Bad Request: can't parse entities: /)
    expect(error.message).toContain('Telegram sendMessage failed: 400 Bad Request')
    expect(classifyTelegramError(error)).toEqual({ retry: false })
  })

  it('should carry retry_after of a 429 as retryAfterS', async () => {
    const { sim, telegram } = setup()
    sim.faults.rateLimitNext(1, 35)
    const error = await failure(telegram.sendMessage({ chat_id: CHAT, text: 'x' }))
    expect(error).toMatchObject({ errorCode: 429, retryAfterS: 35 })
    expect(error.description).toBe('Too Many Requests: retry after 35')
    expect(classifyTelegramError(error)).toEqual({ retry: true, afterMs: 35_000 })
  })

  it('should carry migrate_to_chat_id as migrateToChatId', async () => {
    const { telegram } = setup({ migratedChats: { '-4001': -1004001 } })
    const error = await failure(telegram.sendMessage({ chat_id: -4001, text: 'x' }))
    expect(error).toMatchObject({ errorCode: 400, migrateToChatId: -1004001 })
    expect(classifyTelegramError(error)).toEqual({ retry: false })
  })

  it('should type 401, 403 and 404 answers as final api errors', async () => {
    const { sim } = setup({ blockedChats: [CHAT] })
    const wrongToken = createTelegramClient({
      token: '1:wrong-token',
      apiBase: sim.apiBase,
      fetch: sim.fetch,
    })
    const right = createTelegramClient({ token: TOKEN, apiBase: sim.apiBase, fetch: sim.fetch })
    const e401 = await failure(wrongToken.getMe())
    const e403 = await failure(right.sendMessage({ chat_id: CHAT, text: 'x' }))
    const e404 = await failure(right.call('getChatHistory' as 'getMe'))
    expect([e401.errorCode, e403.errorCode, e404.errorCode]).toEqual([401, 403, 404])
    expect(e403.description).toBe('Forbidden: bot was blocked by the user')
    for (const e of [e401, e403, e404]) expect(classifyTelegramError(e)).toEqual({ retry: false })
  })

  it('should type a non-JSON 502 from the front proxy by its HTTP status, retryable', async () => {
    const { sim, telegram } = setup()
    sim.faults.failNext(1, 502)
    const error = await failure(telegram.getMe())
    expect(error).toMatchObject({ kind: 'api', errorCode: 502, description: 'HTTP 502' })
    expect(classifyTelegramError(error)).toEqual({ retry: true })
  })

  it('should type a refused connection as a retryable network error', async () => {
    const { sim, telegram, logs } = setup()
    sim.faults.networkErrorNext(1)
    const error = await failure(telegram.sendMessage({ chat_id: CHAT, text: 'x' }))
    expect(error).toMatchObject({ kind: 'network', errorCode: undefined, timedOut: false })
    expect(error.description).toContain('ECONNREFUSED')
    expect((error.cause as Error | undefined)?.cause).toMatchObject({ code: 'ECONNREFUSED' })
    expect(classifyTelegramError(error)).toEqual({ retry: true })
    expect(logs).toEqual([expect.objectContaining({ method: 'sendMessage', ok: false })])
  })

  it('should type a timeout as a network error with timedOut', async () => {
    vi.useFakeTimers()
    const sim = createTelegramSim({ token: TOKEN })
    const telegram = createTelegramClient({
      token: TOKEN,
      apiBase: sim.apiBase,
      fetch: sim.fetch,
      timeoutMs: 5_000,
    })
    sim.faults.delayNext(1, 60_000)
    const pending = failure(telegram.getMe())
    await vi.advanceTimersByTimeAsync(5_000)
    const error = await pending
    expect(error).toMatchObject({
      kind: 'network',
      timedOut: true,
      description: 'request timed out',
    })
    expect(classifyTelegramError(error)).toEqual({ retry: true })
  })

  it('should never leak the token through an error, its cause chain or the call log', async () => {
    const { sim, telegram, logs } = setup()
    const errors: unknown[] = []
    sim.faults.networkErrorNext(1)
    errors.push(await failure(telegram.sendMessage({ chat_id: CHAT, text: 'x' })))
    sim.faults.failNext(1, 502)
    errors.push(await failure(telegram.getMe()))
    errors.push(
      await failure(telegram.sendMessage({ chat_id: CHAT, text: '<x>', parse_mode: 'HTML' }))
    )
    // A runtime whose native message quotes the URL, percent-encoded or not.
    const leaky = createTelegramClient({
      token: TOKEN,
      fetch: (input) => {
        const url = String(input instanceof Request ? input.url : input)
        return Promise.reject(
          new Error(`getaddrinfo ENOTFOUND ${url} (${encodeURIComponent(TOKEN)})`)
        )
      },
    })
    errors.push(await failure(leaky.getMe()))
    // The native messages did quote the token URL: it was redacted, not absent.
    expect(String((errors[0] as Error).cause)).toContain('/bot[redacted]/sendMessage')
    for (const error of errors) expectNoToken(renderings(error))
    expectNoToken([JSON.stringify(logs)])
    expect(String(errors[3])).toContain('getaddrinfo ENOTFOUND')
  })
})

describe('classifyTelegramError with withRetry', () => {
  it('should wait exactly retry_after between attempts (fake timers, no real sleep)', async () => {
    vi.useFakeTimers()
    const { sim, telegram } = setup()
    sim.faults.rateLimitNext(2, 7)
    const onRetry = vi.fn()
    const sending = withRetry(() => telegram.sendMessage({ chat_id: CHAT, text: 'hello' }), {
      classify: classifyTelegramError,
      onRetry,
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(sim.callsOf('sendMessage')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(6_999)
    expect(sim.callsOf('sendMessage')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(sim.callsOf('sendMessage')).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(7_000)
    const message = await sending
    expect(message.text).toBe('hello')
    expect(sim.callsOf('sendMessage').map((c) => c.status)).toEqual([429, 429, 200])
    expect(onRetry.mock.calls.map(([info]) => info.delayMs)).toEqual([7_000, 7_000])
    expect(sim.messagesIn(CHAT)).toHaveLength(1)
  })

  it('should give up at once when retry_after exceeds maxWaitMs', async () => {
    const { sim, telegram } = setup()
    sim.faults.rateLimitNext(1, 3_600)
    const error = await failure(
      withRetry(() => telegram.getMe(), { classify: classifyTelegramError, maxWaitMs: 120_000 })
    )
    expect(error.retryAfterS).toBe(3_600)
    expect(sim.callsOf('getMe')).toHaveLength(1)
  })

  it('should not repeat a 400', async () => {
    const { sim, telegram } = setup()
    await failure(
      withRetry(() => telegram.sendMessage({ chat_id: CHAT, text: '' }), {
        classify: classifyTelegramError,
      })
    )
    expect(sim.callsOf('sendMessage')).toHaveLength(1)
  })
})
