/**
 * `npm run job -- dead-letters [--retry [id]]` against the Telegram simulator: a message Telegram refuses
 * for good (403, the bot blocked) is listed with its error, then sent again once the chat takes it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { runJobCommand } from '../../runtime/node-cli.ts'
import { telegramMessage } from '../../shared/notify/outbox.ts'
import { CHAT_ID, startE2E } from '../../sim/e2e/harness.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

async function job(t: E2E, args: string[]) {
  const lines: string[] = []
  const code = await runJobCommand({
    args: ['dead-letters', ...args],
    functions,
    root: t.services.root,
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
  })
  return { code, out: lines.join('\n') }
}

describe('npm run job -- dead-letters', () => {
  it('should list what Telegram refused for good, then send it again with --retry', async () => {
    e2e = await startE2E()
    const t = e2e
    // A refusal no other form of the message gets past (a 400 Telegram does not explain): a dead letter. A blocked
    // bot is not one any more: its chat is held until the human is back (telegram-refusals.test.ts).
    t.telegram.faults.failNext(1, 400)
    await t.bridge.outbox.enqueue(telegramMessage(CHAT_ID, 'Bonjour <b>Ada</b>', 'hello'))
    await t.settle()
    const [dead] = await t.bridge.outbox.deadLetters()
    expect(dead).toBeDefined()

    const listed = await job(t, [])
    expect(listed.code).toBe(0)
    expect(listed.out).toContain(`${dead?.id}\ttelegram\t${CHAT_ID}\t1 attempts\t`)
    expect(listed.out).toContain('sendMessage failed: 400 Error 400')
    expect(listed.out).not.toContain('Bonjour')
    expect(listed.out).toMatch(/job dead-letters: ok in \d+ ms — 1 dead letter\(s\)$/)

    expect((await job(t, ['--retry', 'no-such-id'])).code).toBe(1)
    const retried = await job(t, ['--retry'])
    expect(retried.code).toBe(0)
    expect(retried.out).toContain(`queued again: ${dead?.id} telegram → ${CHAT_ID}`)
    expect(await t.bridge.outbox.deadLetters()).toEqual([])
    const sent = t.telegram.callsOf('sendMessage').filter((c) => c.status === 200)
    // The human was told when it was given up, then got it.
    expect(sent.map((c) => c.params.text)).toEqual([
      expect.stringContaining('⚠️ Telegram a refusé un message de plane-bridge'),
      'Bonjour <b>Ada</b>',
    ])
    expect((await job(t, [])).out).toMatch(/— no dead letter$/)
  })
})
