import type { Update } from '@grammyjs/types'
import { describe, expect, it } from 'vitest'
import { signPlaneBody } from '../../shared/plane/webhook-signature.ts'
import {
  BOT_TOKEN,
  CHAT_ID,
  HOOKS_TOKEN,
  startE2E,
  TELEGRAM_SECRET,
  WEBHOOK_SECRET,
} from '../../sim/e2e/harness.ts'
import { runJobCli } from './run-cli.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>

// The Plane requests wait for their key's 1 req/s lane (OPENCLAW-20).
const SLOW_MS = 60_000
// Not example.com: a setting on a template's example domain is itself a ✗ (issue 45).
const PUBLIC_URL = 'https://hooks.bridge.test'

async function withE2E(options: Parameters<typeof startE2E>[0], body: (t: E2E) => Promise<void>) {
  const t = await startE2E(options)
  try {
    await body(t)
  } finally {
    await t.stop()
  }
}

const check = (t: E2E) => runJobCli(t, ['check'])

/** Everything in place: Telegram holds our webhook, Plane delivered a signed webhook. */
async function setUpEverything(t: E2E) {
  await t.bridge.telegram?.setWebhook({
    url: `${PUBLIC_URL}/webhooks/telegram`,
    secret_token: TELEGRAM_SECRET,
  })
  // An API create fires a signed delivery into the bridge (plane-api.md §0.1).
  await t.bridge.plane?.workItems.create(t.project.id, { name: 'Bonjour' })
  await t.settle()
}

describe.concurrent('check job (end to end)', () => {
  it(
    'should say ✓ for every integration, each agent key included, exit 0, and print no secret',
    async () => {
      await withE2E({ env: { PUBLIC_URL }, agentKeys: true }, async (t) => {
        await setUpEverything(t)
        const run = await check(t)
        expect(run.err).toBe('')
        expect(run.code).toBe(0)
        const lines = run.out.split('\n')
        expect(lines.filter((l) => !l.startsWith('✓'))).toEqual([
          expect.stringMatching(/^job check: ok in \d+ ms — 11 ok, 0 failed, 0 off$/),
        ])
        expect(run.out).toMatch(
          /^✓ plane: 127\.0\.0\.1:\d+ answers; PLANE_API_KEY accepted \(user bridge@javisi\.local\)$/m
        )
        expect(run.out).toContain('✓ plane workspace: "javisi" found; bridge@javisi.local is Admin')
        expect(run.out).toMatch(/^✓ plane webhook: last signed delivery 0 min ago/m)
        expect(run.out).toContain(`✓ telegram webhook: ${PUBLIC_URL}/webhooks/telegram, 0 pending`)
        expect(run.out).toContain(`✓ telegram chat: messages go to ${CHAT_ID}`)
        expect(run.out).toMatch(/^✓ openclaw: .*OPENCLAW_HOOKS_TOKEN accepted/m)
        expect(run.out).toContain('✓ plane key thot: accepted (user thot@javisi.local)')
        expect(run.out).toMatch(
          /^✓ agents: 2 agents: Plane members of workspace "javisi" and of its 1 projects, each with a bridge token and a Plane key$/m
        )
        expect(run.out).toMatch(/^✓ store: \w+ at .* answers in \d+ ms$/m)
        // The probe woke nobody.
        expect(t.openclaw.wakes).toEqual([])
        const printed = `${run.out}${run.err}${t.services.rawLogs.join('')}`
        for (const secret of [
          t.users.bridge.apiKey,
          t.users.thot.apiKey,
          BOT_TOKEN,
          HOOKS_TOKEN,
          TELEGRAM_SECRET,
          WEBHOOK_SECRET,
        ])
          expect(printed).not.toContain(secret)
      })
    },
    SLOW_MS
  )

  it(
    'should try the chat without sending: ✓ with its title, ✗ with the fix once the bot is restricted, then kicked',
    async () => {
      await withE2E({ env: { PUBLIC_URL } }, async (t) => {
        const chatLine = async () =>
          (await check(t)).out.split('\n').find((l) => / telegram chat: /.test(l))
        expect(await chatLine()).toBe(
          `✓ telegram chat: messages go to ${CHAT_ID} (supergroup "Sim supergroup", @plane_bridge_bot member); /plane answered in ${CHAT_ID}`
        )
        t.telegram.chats.restrict(CHAT_ID)
        expect(await chatLine()).toBe(
          '✗ telegram chat: @plane_bridge_bot may not write in supergroup "Sim supergroup" (restricted, can_send_messages false): an administrator lets it send messages again (the group → Members → @plane_bridge_bot → Permissions) or makes it an administrator'
        )
        t.telegram.chats.unrestrict(CHAT_ID)
        t.telegram.chats.block(CHAT_ID)
        const kicked = await check(t)
        expect(kicked.code).toBe(1)
        expect(kicked.out).toContain(
          `✗ telegram chat: @plane_bridge_bot is not in chat ${CHAT_ID} (403 Forbidden: bot was kicked from the supergroup chat): add @plane_bridge_bot to it again (a channel: as an administrator allowed to post messages), or fix TELEGRAM_CHAT_ID`
        )
        expect(kicked.err).toMatch(/^job check: failed .*[:,] telegram chat\b/m)
        // Read, never written: check sent nothing to the chat.
        expect(t.telegram.callsOf('sendMessage')).toEqual([])
        expect(t.telegram.callsOf('getChat').length).toBe(3)
      })
    },
    SLOW_MS
  )

  it(
    'should say ✗ with the fix for a TELEGRAM_CHAT_ID Telegram does not know (400 chat not found)',
    async () => {
      await withE2E(
        { env: { TELEGRAM_CHAT_ID: '987654321' }, telegram: { knownChats: [CHAT_ID] } },
        async (t) => {
          const run = await check(t)
          expect(run.code).toBe(1)
          expect(run.out).toMatch(
            /^✗ telegram chat: Telegram knows no chat 987654321 \(400 Bad Request: chat not found\): fix TELEGRAM_CHAT_ID\. A person's id works once they opened @plane_bridge_bot and pressed Start; .* getUpdates shows message\.chat\.id$/m
          )
          expect(run.out).not.toContain('✓ telegram chat')
          expect(run.out).not.toContain(BOT_TOKEN)
        }
      )
    },
    SLOW_MS
  )

  it(
    'should say ✗ for a private chat whose human blocked the bot, which only the bridge was told (my_chat_member)',
    async () => {
      const HUMAN = 987_654_321
      await withE2E({ env: { TELEGRAM_CHAT_ID: String(HUMAN) } }, async (t) => {
        const chatLine = async () =>
          (await check(t)).out.split('\n').find((l) => / telegram chat: /.test(l)) ?? ''
        const bot = { id: 123456, is_bot: true, first_name: 'Plane Bridge' }
        const human = { id: HUMAN, is_bot: false, first_name: 'Ada' }
        // What Telegram posts when the human blocks the bot (`kicked`) or starts it again (`member`).
        const membership = (blocked: boolean, update_id: number): Update => ({
          update_id,
          my_chat_member: {
            chat: { id: HUMAN, type: 'private', first_name: 'Ada' },
            from: human,
            date: 1_780_000_000,
            old_chat_member: blocked
              ? { status: 'member', user: bot }
              : { status: 'kicked', user: bot, until_date: 0 },
            new_chat_member: blocked
              ? { status: 'kicked', user: bot, until_date: 0 }
              : { status: 'member', user: bot },
          },
        })
        expect(await chatLine()).toMatch(
          /^✓ telegram chat: messages go to 987654321 \(private chat with Sim User; a block shows only once a message is refused: --send-test sends one\)/
        )
        // The human blocks the bot: Telegram answers every read as before, and tells the bridge.
        t.telegram.chats.block(HUMAN)
        expect(await t.postTelegram(membership(true, 9_100_001))).toBe(200)
        await t.settle()
        expect(await chatLine()).toBe(
          '✗ telegram chat: the human blocked @plane_bridge_bot (the bridge was told 0 min ago: "the bot was blocked or removed (my_chat_member)"): nothing reaches them until they open the chat with @plane_bridge_bot in Telegram and unblock it (Restart); what waited goes then'
        )
        // They let it back: the line is ✓ again.
        t.telegram.chats.unblock(HUMAN)
        expect(await t.postTelegram(membership(false, 9_100_002))).toBe(200)
        await t.settle()
        expect(await chatLine()).toMatch(/^✓ telegram chat: messages go to 987654321 /)
      })
    },
    SLOW_MS
  )

  it(
    'should say ✗ with the fix when Plane refuses the key and Telegram holds another webhook URL, and exit 1',
    async () => {
      await withE2E({ env: { PUBLIC_URL } }, async (t) => {
        await t.bridge.telegram?.setWebhook({ url: 'https://old.example.com/hook' })
        t.plane.seed.revokeKey(t.users.bridge.apiKey)
        const run = await check(t)
        expect(run.code).toBe(1)
        expect(run.out).toContain(
          '✗ plane: PLANE_API_KEY refused (HTTP 403): regenerate PLANE_API_KEY — a new key for that user in Plane, Profile settings → API tokens'
        )
        expect(run.out).toContain(
          `✗ telegram webhook: Telegram holds https://old.example.com/hook, expected ${PUBLIC_URL}/webhooks/telegram: run npm run job -- provision (it sets it), or fix PUBLIC_URL`
        )
        expect(run.out).toMatch(/^✗ plane webhook: none yet: check PLANE_WEBHOOK_SECRET/m)
        expect(run.err).toMatch(
          /^job check: failed in \d+ ms — \d+ ok, 3 failed, \d+ off: plane, plane webhook, telegram webhook$/
        )
      })
    },
    SLOW_MS
  )

  it(
    'should fail, with the fix, when the bot token is set and TELEGRAM_CHAT_ID is not (nothing reaches the human)',
    async () => {
      await withE2E({ env: { TELEGRAM_CHAT_ID: '' } }, async (t) => {
        const run = await check(t)
        expect(run.code).toBe(1)
        expect(run.out).toMatch(
          /^✗ telegram chat: TELEGRAM_CHAT_ID unset: nothing reaches the human \(notifications, alerts, the digest\): set it to the chat's id/m
        )
        expect(run.err).toMatch(/^job check: failed in .*: .*telegram chat$/m)
      })
    },
    SLOW_MS
  )

  it(
    'should not blame the secret for an unsigned request after a good delivery, only for Plane-shaped ones that fail (issue 45)',
    async () => {
      await withE2E({ env: { PUBLIC_URL } }, async (t) => {
        await setUpEverything(t)
        const post = (headers: Record<string, string>, body = 'x') =>
          t.app.request('/webhooks/plane', { method: 'POST', headers, body })
        // `curl -X POST …/webhooks/plane -d x`: anyone can, the route is public.
        expect((await post({ 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(
          401
        )
        const junk = await check(t)
        expect(junk.out).toMatch(
          /^✓ plane webhook: last signed delivery 0 min ago .*\(1 unsigned requests refused since, not Plane's: ignored\)$/m
        )
        expect(junk.out).not.toContain('PLANE_WEBHOOK_SECRET differs')
        // A delivery of Plane's shape signed with another secret: that one is the secret's.
        const body = '{"event": "issue", "action": "updated", "data": {}}'
        expect(
          (
            await post(
              {
                'content-type': 'application/json',
                'x-plane-signature': await signPlaneBody(body, 'plane_wh_another-secret'),
                'x-plane-delivery': '5b8a8a4e-0000-4000-8000-000000000001',
                'x-plane-event': 'issue',
              },
              body
            )
          ).status
        ).toBe(401)
        const wrong = await check(t)
        expect(wrong.out).toMatch(
          /^✗ plane webhook: 1 Plane deliveries refused for a bad signature since the last accepted one and none accepted since: PLANE_WEBHOOK_SECRET differs/m
        )
      })
    },
    SLOW_MS
  )

  it(
    'should hold the agents file against Plane: not a workspace member, not in a project, no bridge token, no Plane key (issue 45)',
    async () => {
      await withE2E(
        {
          env: { PUBLIC_URL },
          agentKeys: true,
          // A third agent Plane does not know, without a token or a key.
          extraAgents: () => [
            {
              id: 'ghost',
              name: 'Ghost',
              role: 'member',
              planeUser: 'ghost@javisi.local',
              openclawAgentId: 'ghost',
              planeTokenEnv: 'PLANE_TOKEN_GHOST',
              tags: [],
            },
          ],
        },
        async (t) => {
          // A second project with Imhotep in it, not Thot.
          const ops = t.plane.seed.project({
            name: 'Opérations',
            identifier: 'OPS',
            creator: t.users.bridge.id,
          })
          t.plane.seed.member(ops.id, t.users.imhotep.id, 15)
          const run = await check(t)
          expect(run.code).toBe(1)
          const line = run.out.split('\n').find((l) => l.startsWith('✗ agents: ')) ?? ''
          expect(line).toContain(
            'thot: not a member of project OPS (Plane drops it as an assignee there): run npm run job -- provision'
          )
          expect(line).toContain(
            'ghost: ghost@javisi.local is not a member of workspace "javisi": invite it'
          )
          expect(line).toContain('ghost: ghost@javisi.local')
          expect(line).toContain('; no bridge token; ')
          expect(line).toContain('make the missing bridge token: npm run job -- agent-token ghost')
          expect(line).toContain('no Plane key: PLANE_TOKEN_GHOST unset')
          expect(line).not.toMatch(/imhotep:/)
          expect(run.err).toMatch(/^job check: failed .*, agents$/m)
        }
      )
    },
    SLOW_MS
  )

  it(
    'should fail on a setting left at the template’s example value, naming it (issue 45)',
    async () => {
      await withE2E({ env: { PUBLIC_URL: 'https://hooks.example.com' } }, async (t) => {
        const run = await check(t)
        expect(run.code).toBe(1)
        expect(run.out.split('\n')[0]).toBe(
          "✗ settings: a setting still holds the template's example value (PUBLIC_URL=https://hooks.example.com): set your own in .env (or compose/.env) and restart; provision would register webhooks there"
        )
      })
    },
    SLOW_MS
  )

  it(
    'should send one test message to the chat and one test wake to the named agent with --send-test, each confirmed (issue 45)',
    async () => {
      await withE2E({ env: { PUBLIC_URL }, agentKeys: true }, async (t) => {
        await setUpEverything(t)
        const run = await runJobCli(t, ['check', '--send-test', 'imhotep'])
        expect(run.code).toBe(0)
        expect(run.out).toMatch(
          new RegExp(
            `^✓ test message: sent to ${CHAT_ID}, confirmed by Telegram \\(message \\d+\\): look for it in the chat$`,
            'm'
          )
        )
        expect(run.out).toMatch(
          /^✓ test wake: imhotep woken through OpenClaw \(agent imhotep\), confirmed by the Gateway \(run [\w-]+\)$/m
        )
        const messages = t.telegram
          .callsOf('sendMessage')
          .filter((c) => c.status === 200 && String(c.params.text).includes('Message de test'))
        expect(messages).toHaveLength(1)
        expect(messages[0]?.params.chat_id).toBe(CHAT_ID)
        const wakes = t.openclaw.calls.filter((c) => c.path === '/hooks/agent')
        expect(wakes).toHaveLength(1)
        expect(wakes[0]?.body).toMatchObject({ agentId: 'imhotep', deliver: false })
        // Without a name: the message only, and how to name one.
        const unnamed = await runJobCli(t, ['check', '--send-test'])
        expect(unnamed.out).toMatch(
          /^– test wake: off \(no agent named: npm run job -- check --send-test <agent id>, one of imhotep, thot\)$/m
        )
        // An agent the registry does not know: ✗, nothing sent to OpenClaw.
        const unknown = await runJobCli(t, ['check', '--send-test', 'nobody'])
        expect(unknown.code).toBe(1)
        expect(unknown.out).toContain('✗ test wake: no agent "nobody" in the registry')
        expect(t.openclaw.calls.filter((c) => c.path === '/hooks/agent')).toHaveLength(1)
        // Plain check sends nothing.
        await runJobCli(t, ['check'])
        expect(
          t.telegram
            .callsOf('sendMessage')
            .filter((c) => String(c.params.text).includes('Message de test'))
        ).toHaveLength(3)
      })
    },
    SLOW_MS
  )

  it(
    'should say ✗ with the fix when the test wake is refused (a wrong hooks token)',
    async () => {
      await withE2E(
        { env: { PUBLIC_URL, OPENCLAW_HOOKS_TOKEN: 'hooks_not-the-token' } },
        async (t) => {
          const run = await runJobCli(t, ['check', '--send-test', 'thot'])
          expect(run.code).toBe(1)
          expect(run.out).toContain(
            '✗ test wake: thot not woken: OPENCLAW_HOOKS_TOKEN refused (401): use hooks.token from the OpenClaw config'
          )
          expect(run.out).not.toContain('hooks_not-the-token')
        }
      )
    },
    SLOW_MS
  )

  it(
    'should ask a store that does not answer nothing after its ping, and say ✗ store',
    async () => {
      await withE2E({ env: { PUBLIC_URL } }, async (t) => {
        // The store goes down after the start: every read fails, as a Redis that refuses connections does (each
        // read then waits out the client's retries, a second or more).
        const store = t.services.store
        const asked: string[] = []
        const down = (name: string) => async (key?: unknown) => {
          asked.push(typeof key === 'string' ? `${name} ${key}` : name)
          throw new Error('connect ECONNREFUSED 127.0.0.1:6379')
        }
        Object.assign(store, {
          ping: down('ping'),
          get: down('get'),
          getMany: down('getMany'),
          windowTake: down('windowTake'),
        })
        const run = await check(t)
        expect(run.code).toBe(1)
        expect(run.out).toMatch(/^✗ store: .*connect ECONNREFUSED 127\.0\.0\.1:6379/m)
        // The ping, and the Telegram line's read of the chat's hold, made beside it: nothing after the ping failed.
        expect(asked.filter((a) => !a.startsWith('get telegram:'))).toEqual(['ping'])
        expect(run.out).not.toContain('the check itself failed')
      })
    },
    SLOW_MS
  )

  it(
    'should report unset settings as off, not as failures',
    async () => {
      await withE2E(
        {
          env: {
            TELEGRAM_BOT_TOKEN: '',
            OPENCLAW_HOOKS_URL: '',
            OPENCLAW_HOOKS_TOKEN: '',
            PLANE_WEBHOOK_SECRET: '',
          },
        },
        async (t) => {
          const run = await check(t)
          expect(run.out).toContain('– telegram: off (TELEGRAM_BOT_TOKEN unset)')
          expect(run.out).toContain(
            '– openclaw: off (OPENCLAW_HOOKS_URL, OPENCLAW_HOOKS_TOKEN unset)'
          )
          expect(run.out).toContain('– plane webhook: off (PLANE_WEBHOOK_SECRET unset')
          expect(run.out).toContain('– plane agent keys: off')
          expect(run.code).toBe(0)
        }
      )
    },
    SLOW_MS
  )
})
