/** On workerd: a Telegram update gets its reply (outbound fetch stubbed), and the daily digest runs at its hour in TIMEZONE. */
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { functions } from '../../functions/index.ts'
import worker from '../../runtime/worker.ts'
import { workerCronOf } from '../../runtime/worker-crons.ts'
import { CHAT_ID, TELEGRAM_SECRET } from './bindings.ts'
import { createStubFetch, type StubFetch } from './stub-fetch.ts'

function useStubFetch(): StubFetch {
  const stub = createStubFetch()
  vi.spyOn(globalThis, 'fetch').mockImplementation(stub.fetch)
  return stub
}

const sentMessages = (stub: StubFetch) =>
  stub.calls
    .filter((c) => c.url.pathname.endsWith('/sendMessage'))
    .map((c) => JSON.parse(c.body) as { chat_id: string; text: string })

function telegramUpdate(updateId: number, text: string) {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(CHAT_ID), type: 'supergroup', title: 'Équipe' },
      from: { id: 42, is_bot: false, first_name: 'Ada' },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    },
  }
}

async function postUpdate(body: unknown, secret = TELEGRAM_SECRET) {
  const ctx = createExecutionContext()
  const res = await worker.fetch(
    new Request('https://bridge.test/webhooks/telegram', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    }),
    env,
    ctx
  )
  await waitOnExecutionContext(ctx)
  return res
}

afterEach(async () => {
  const { keys } = await env.STORE.list({ prefix: 'plane:' })
  for (const key of keys) await env.STORE.delete(key.name)
})

describe('telegram webhook on Workers', () => {
  it('should answer /plane help in the chat it came from', async () => {
    const stub = useStubFetch()
    const res = await postUpdate(telegramUpdate(1001, '/plane help'))
    expect(res.status).toBe(200)
    const sent = sentMessages(stub)
    expect(sent).toHaveLength(1)
    expect(sent[0]?.chat_id).toBe(CHAT_ID)
    expect(sent[0]?.text).toContain('/plane')
  })

  it('should refuse an update without the secret token and send nothing', async () => {
    const stub = useStubFetch()
    const res = await postUpdate(telegramUpdate(1002, '/plane help'), 'wrong-secret')
    expect(res.status).toBe(401)
    expect(sentMessages(stub)).toEqual([])
  })
})

describe('digest on Workers', () => {
  const digest = functions.find((f) => f.name === 'digest')
  if (digest?.kind !== 'cron') throw new Error('digest is not a cron function of the registry')
  const digestCron = workerCronOf(digest)

  async function tick(scheduledTime: number) {
    const ctx = createExecutionContext()
    await worker.scheduled(createScheduledController({ cron: digestCron, scheduledTime }), env, ctx)
    await waitOnExecutionContext(ctx)
  }

  it('should send the digest at 08:00 in TIMEZONE (UTC here), not before, and not again at 08:15', async () => {
    const stub = useStubFetch()
    await tick(Date.UTC(2026, 10, 23, 7, 45))
    expect(sentMessages(stub)).toEqual([])
    await tick(Date.UTC(2026, 10, 23, 8, 0))
    const sent = sentMessages(stub)
    expect(sent).toHaveLength(1)
    expect(sent[0]?.chat_id).toBe(CHAT_ID)
    // The quarter hours until noon are the day's retries: once sent, they send nothing.
    await tick(Date.UTC(2026, 10, 23, 8, 15))
    expect(sentMessages(stub)).toHaveLength(1)
  })
})
