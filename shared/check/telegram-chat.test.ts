import { describe, expect, it } from 'vitest'
import { createTelegramSim, type TelegramSimOptions } from '../../sim/telegram/index.ts'
import { loadConfig } from '../core/config.ts'
import type { ChatHold } from '../notify/chat-holds.ts'
import { createTelegramClient } from '../telegram/index.ts'
import { checkTelegram } from './telegram.ts'
import { type ChatRole, judgeChat, readChatFacts } from './telegram-chat.ts'

const TOKEN = '4242:check-chat_TOKEN'
const BOT_ID = 4242
const PERSON = 987_654_321
const GROUP = -4_001
const SUPERGROUP = -1_001_234_567_890
const NOW = Date.parse('2026-06-01T12:00:00Z')

const main = (chatId: number | string): ChatRole => ({
  name: 'telegram chat',
  chatId: String(chatId),
  setting: 'TELEGRAM_CHAT_ID',
  ok: `messages go to ${chatId}`,
})

/** The chat's line as check prints it, against a simulator in the given state. */
async function lineFor(
  chatId: number | string,
  options: Partial<TelegramSimOptions> = {},
  hold: ChatHold | null = null
) {
  const sim = createTelegramSim({ token: TOKEN, botUsername: 'javisi_bot', ...options })
  const telegram = createTelegramClient({ token: TOKEN, apiBase: sim.apiBase, fetch: sim.fetch })
  const facts = await readChatFacts({
    telegram,
    chatId: String(chatId),
    botId: BOT_ID,
    holdOf: async () => hold,
  })
  const line = judgeChat({ role: main(chatId), facts, bot: 'javisi_bot', host: 'h', now: NOW })
  return { line, sim }
}

describe('readChatFacts + judgeChat', () => {
  it('should pass a supergroup the bot is in, with its title and the bot’s status, sending nothing', async () => {
    const { line, sim } = await lineFor(SUPERGROUP)
    expect(line).toEqual({
      name: 'telegram chat',
      status: 'ok',
      detail: `messages go to ${SUPERGROUP} (supergroup "Sim supergroup", @javisi_bot member)`,
    })
    expect(sim.calls.map((c) => c.method)).toEqual(['getChat', 'getChatMember'])
    expect(sim.callsOf('getChatMember')[0]?.params).toMatchObject({ user_id: BOT_ID })
  })

  it('should fail an id Telegram does not know (400 chat not found), naming the setting and how to find the id', async () => {
    const { line } = await lineFor(PERSON, { knownChats: [SUPERGROUP] })
    expect(line.status).toBe('fail')
    expect(line.detail).toMatch(
      /^Telegram knows no chat 987654321 \(400 Bad Request: chat not found\): fix TELEGRAM_CHAT_ID\. A person's id works once they opened @javisi_bot and pressed Start/
    )
    expect(line.detail).toContain('getUpdates shows message.chat.id')
  })

  it('should fail a supergroup that kicked the bot (403 on getChat), and a basic group whose member read says so', async () => {
    const supergroup = (await lineFor(SUPERGROUP, { blockedChats: [SUPERGROUP] })).line
    expect(supergroup).toMatchObject({ status: 'fail' })
    expect(supergroup.detail).toBe(
      `@javisi_bot is not in chat ${SUPERGROUP} (403 Forbidden: bot was kicked from the supergroup chat): add @javisi_bot to it again (a channel: as an administrator allowed to post messages), or fix TELEGRAM_CHAT_ID`
    )
    // A basic group answers getChat to a kicked bot (telegram-bot-api): its member count does not.
    const { line, sim } = await lineFor(GROUP, { blockedChats: [GROUP] })
    expect(sim.callsOf('getChat')[0]?.status).toBe(200)
    expect(line.detail).toMatch(/^@javisi_bot is not in chat -4001 \(403 Forbidden: bot was kicked/)
  })

  it('should fail a group where the bot may not write: restricted, members closed, a channel subscriber', async () => {
    const restricted = (await lineFor(SUPERGROUP, { restrictedChats: [SUPERGROUP] })).line
    expect(restricted).toMatchObject({ status: 'fail' })
    expect(restricted.detail).toMatch(
      /^@javisi_bot may not write in supergroup "Sim supergroup" \(restricted, can_send_messages false\): an administrator lets it send messages again/
    )
    const closed = (await lineFor(GROUP, { restrictedChats: [GROUP] })).line
    expect(closed.detail).toMatch(
      /^members may not send messages in group "Sim group" and @javisi_bot is a plain member: make @javisi_bot an administrator/
    )
    const channel = (await lineFor('@plane_news', { restrictedChats: ['@plane_news'] })).line
    expect(channel.detail).toMatch(
      /^@javisi_bot may not post in channel "plane_news" \(a subscriber\): make @javisi_bot an administrator allowed to post messages/
    )
    expect((await lineFor('@plane_news')).line).toMatchObject({ status: 'ok' })
  })

  it('should warn, with the new id, for a group that became a supergroup', async () => {
    const { line } = await lineFor(GROUP, { migratedChats: { [GROUP]: SUPERGROUP } })
    expect(line.status).toBe('warn')
    expect(line.detail).toMatch(
      new RegExp(
        `^group ${GROUP} became the supergroup ${SUPERGROUP} .*set TELEGRAM_CHAT_ID to ${SUPERGROUP}$`
      )
    )
  })

  it('should fail a private chat the bridge was told is blocked: no read of Telegram shows it', async () => {
    const blocked: ChatHold = {
      why: 'blocked',
      since: NOW - 3 * 60 * 60_000,
      until: NOW + 60_000,
      description: 'Forbidden: bot was blocked by the user',
    }
    const { line, sim } = await lineFor(PERSON, { blockedChats: [PERSON] }, blocked)
    expect(line).toMatchObject({ status: 'fail' })
    expect(line.detail).toBe(
      'the human blocked @javisi_bot (the bridge was told 3 h ago: "Forbidden: bot was blocked by the user"): nothing reaches them until they open the chat with @javisi_bot in Telegram and unblock it (Restart); what waited goes then'
    )
    // Read only: the member list of a private chat holds nothing to learn.
    expect(sim.calls.map((c) => c.method)).toEqual(['getChat'])
    // Without a hold the same chat reads as fine, and the line says what it cannot see.
    const unknown = (await lineFor(PERSON, { blockedChats: [PERSON] })).line
    expect(unknown).toMatchObject({ status: 'ok' })
    expect(unknown.detail).toContain('a block shows only once a message is refused')
    // A flood wait is not the human leaving.
    const flood = (await lineFor(PERSON, {}, { ...blocked, why: 'flood' })).line
    expect(flood.status).toBe('ok')
  })

  it('should judge facts no simulator state gives: a deleted account, a channel admin without Post messages', () => {
    const judge = (facts: Parameters<typeof judgeChat>[0]['facts'], chatId = PERSON) =>
      judgeChat({ role: main(chatId), facts, bot: 'javisi_bot', host: 'h', now: NOW })
    const person = {
      id: PERSON,
      type: 'private' as const,
      first_name: 'Ada',
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: {
        unlimited_gifts: false,
        limited_gifts: false,
        unique_gifts: false,
        premium_subscription: false,
        gifts_from_channels: false,
      },
    }
    const deleted: ChatHold = {
      why: 'deactivated',
      since: NOW,
      until: NOW,
      description: 'Forbidden: user is deactivated',
    }
    expect(judge({ seen: 'chat', chat: person, member: null, hold: deleted }).detail).toMatch(
      /^the account of chat 987654321 was deleted .*: set TELEGRAM_CHAT_ID to another chat$/
    )
    const channel = { ...person, type: 'channel' as const, title: 'News', first_name: undefined }
    const admin = {
      status: 'administrator' as const,
      user: { id: BOT_ID, is_bot: true, first_name: 'Bot' },
      can_be_edited: false,
      is_anonymous: false,
      can_manage_chat: true,
      can_delete_messages: false,
      can_manage_video_chats: false,
      can_restrict_members: false,
      can_promote_members: false,
      can_change_info: false,
      can_invite_users: false,
      can_post_stories: false,
      can_edit_stories: false,
      can_delete_stories: false,
      can_send_welcome_messages: false,
      can_post_messages: false,
    }
    expect(judge({ seen: 'chat', chat: channel, member: admin, hold: null }).detail).toBe(
      '@javisi_bot may not post in channel "News" (an administrator without Post messages): make @javisi_bot an administrator allowed to post messages (the channel → Administrators)'
    )
    const poster = { ...admin, can_post_messages: true }
    expect(judge({ seen: 'chat', chat: channel, member: poster, hold: null }).status).toBe('ok')
  })

  it('should fail on no answer, naming the host and never the token', async () => {
    const sim = createTelegramSim({ token: TOKEN })
    const telegram = createTelegramClient({ token: TOKEN, apiBase: sim.apiBase, fetch: sim.fetch })
    sim.faults.networkErrorNext(1)
    const facts = await readChatFacts({ telegram, chatId: String(GROUP), botId: BOT_ID })
    const line = judgeChat({
      role: main(GROUP),
      facts,
      bot: 'b',
      host: 'api.telegram.org',
      now: NOW,
    })
    expect(line.status).toBe('fail')
    expect(line.detail).toMatch(/check that this machine reaches api\.telegram\.org$/)
    expect(line.detail).not.toContain('check-chat_TOKEN')
  })
})

describe('checkTelegram', () => {
  const config = (env: Record<string, string> = {}) =>
    loadConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_CHAT_ID: String(SUPERGROUP),
      TELEGRAM_API_BASE: 'http://api.telegram.test',
      ...env,
    })
  const run = (env: Record<string, string>, options: Partial<TelegramSimOptions> = {}) => {
    const sim = createTelegramSim({ token: TOKEN, botUsername: 'javisi_bot', ...options })
    return checkTelegram({ config: config(env), now: () => NOW, fetch: sim.fetch })
  }

  it('should try each numeric chat /plane is answered in, on a line of its own', async () => {
    const lines = await run(
      { TELEGRAM_ALLOWED_CHAT_IDS: `${SUPERGROUP},${PERSON},@ops_room` },
      { knownChats: [SUPERGROUP] }
    )
    expect(lines.map((l) => `${l.status} ${l.name}`)).toEqual([
      'ok telegram',
      'ok telegram chat',
      `fail telegram chat ${PERSON}`,
      'off telegram webhook',
    ])
    expect(lines[1]?.detail).toMatch(
      new RegExp(`; /plane answered in ${SUPERGROUP}, ${PERSON}, @ops_room$`)
    )
    expect(lines[2]?.detail).toMatch(/^Telegram knows no chat .*: fix TELEGRAM_ALLOWED_CHAT_IDS/)
  })

  it('should not try the chat when the bot token is refused, and still say an unset chat', async () => {
    const sim = createTelegramSim({ token: 'another:token' })
    const refused = await checkTelegram({ config: config(), now: () => NOW, fetch: sim.fetch })
    expect(refused.map((l) => `${l.status} ${l.name}`)).toEqual(['fail telegram'])
    expect(sim.callsOf('getChat')).toEqual([])
    const unset = await checkTelegram({
      config: config({ TELEGRAM_CHAT_ID: '' }),
      now: () => NOW,
      fetch: sim.fetch,
    })
    expect(unset.map((l) => `${l.status} ${l.name}`)).toEqual([
      'fail telegram',
      'fail telegram chat',
    ])
  })
})
