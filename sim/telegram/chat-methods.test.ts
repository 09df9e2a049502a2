import { describe, expect, it } from 'vitest'
import { badRequest, setupSimApi } from './sim-api.ts'

const setup = setupSimApi
const BOT_ID = 42
const PERSON = 777
const GROUP = -4_001
const SUPERGROUP = -1_001_234_567_890
const CHANNEL = '@plane_news'

const forbidden = (description: string) => ({
  status: 403,
  body: { ok: false, error_code: 403, description: `Forbidden: ${description}` },
})

describe('getChat', () => {
  it('should answer a ChatFullInfo shaped by the id: private, group, supergroup, channel', async () => {
    const { api } = setup({ forumChats: [SUPERGROUP] })
    const read = async (chat_id: number | string) =>
      (await api('getChat', { chat_id })).body.result as Record<string, unknown>
    expect(await read(PERSON)).toMatchObject({
      id: PERSON,
      type: 'private',
      first_name: 'Sim User',
      accent_color_id: 0,
      max_reaction_count: 11,
    })
    expect(await read(GROUP)).toMatchObject({
      type: 'group',
      permissions: { can_send_messages: true },
    })
    expect(await read(SUPERGROUP)).toMatchObject({ type: 'supergroup', is_forum: true })
    const channel = await read(CHANNEL)
    expect(channel).toMatchObject({ type: 'channel', username: 'plane_news' })
    expect(channel.permissions).toBeUndefined()
    expect((await read(PERSON)).accepted_gift_types).toBeDefined()
  })

  it('should answer 400 chat not found for a chat the bot does not know, as every other method', async () => {
    const { api } = setup({ knownChats: [SUPERGROUP] })
    for (const method of ['getChat', 'getChatMemberCount', 'sendMessage'])
      expect(await api(method, { chat_id: 123, text: 'x' }), method).toEqual(
        badRequest('chat not found')
      )
    expect(await api('getChatMember', { chat_id: 123, user_id: BOT_ID })).toEqual(
      badRequest('chat not found')
    )
    expect((await api('getChat', { chat_id: SUPERGROUP })).status).toBe(200)
  })
})

describe('getChatMember', () => {
  it('should say the bot is a member by default, an administrator in a forum or a channel', async () => {
    const { api } = setup({ forumChats: [SUPERGROUP] })
    const member = async (chat_id: number | string) =>
      (await api('getChatMember', { chat_id, user_id: BOT_ID })).body.result as Record<
        string,
        unknown
      >
    expect(await member(GROUP)).toEqual({
      status: 'member',
      user: { id: BOT_ID, is_bot: true, first_name: 'Plane Bridge', username: 'plane_bridge_bot' },
    })
    expect(await member(PERSON)).toMatchObject({ status: 'member' })
    expect(await member(SUPERGROUP)).toMatchObject({
      status: 'administrator',
      can_manage_topics: true,
    })
    expect(await member(CHANNEL)).toMatchObject({
      status: 'administrator',
      can_post_messages: true,
    })
  })

  it('should check user_id first, and know only the two people of a private chat', async () => {
    const { api } = setup()
    expect(await api('getChatMember', { chat_id: 'nope' })).toEqual(
      badRequest('invalid user_id specified')
    )
    expect(await api('getChatMember', { chat_id: PERSON, user_id: 5 })).toEqual(
      badRequest('member not found')
    )
    expect(
      (await api('getChatMember', { chat_id: PERSON, user_id: PERSON })).body.result
    ).toMatchObject({ status: 'member', user: { id: PERSON } })
  })
})

describe('refusals on reads (telegram-bot-api check_chat_access)', () => {
  it('should let a private chat that blocked the bot read as fine: only a send says so', async () => {
    const { api } = setup({ blockedChats: [PERSON] })
    expect((await api('getChat', { chat_id: PERSON })).status).toBe(200)
    expect(
      (await api('getChatMember', { chat_id: PERSON, user_id: BOT_ID })).body.result
    ).toMatchObject({ status: 'member' })
    expect(await api('sendMessage', { chat_id: PERSON, text: 'x' })).toEqual(
      forbidden('bot was blocked by the user')
    )
  })

  it('should refuse every call in a supergroup or channel that kicked the bot', async () => {
    const { api } = setup({ blockedChats: [SUPERGROUP, CHANNEL] })
    for (const method of ['getChat', 'getChatMember', 'getChatMemberCount', 'sendMessage'])
      expect(
        await api(method, { chat_id: SUPERGROUP, user_id: BOT_ID, text: 'x' }),
        method
      ).toEqual(forbidden('bot was kicked from the supergroup chat'))
    expect(await api('getChat', { chat_id: CHANNEL })).toEqual(
      forbidden('bot was kicked from the channel chat')
    )
  })

  it('should let a basic group that kicked the bot be read, its member say kicked, its member list refuse', async () => {
    const { api } = setup({ blockedChats: [GROUP] })
    expect((await api('getChat', { chat_id: GROUP })).status).toBe(200)
    expect(
      (await api('getChatMember', { chat_id: GROUP, user_id: BOT_ID })).body.result
    ).toMatchObject({ status: 'kicked', until_date: 0 })
    const kicked = forbidden('bot was kicked from the group chat')
    expect(await api('getChatMemberCount', { chat_id: GROUP })).toEqual(kicked)
    expect(await api('sendMessage', { chat_id: GROUP, text: 'x' })).toEqual(kicked)
  })

  it('should answer migrate_to_chat_id to a migrated group’s member list and sends, not to getChat', async () => {
    const { sim, api } = setup()
    sim.chats.migrate(GROUP, SUPERGROUP)
    expect((await api('getChat', { chat_id: GROUP })).body.result).toMatchObject({ type: 'group' })
    expect(
      (await api('getChatMember', { chat_id: GROUP, user_id: BOT_ID })).body.result
    ).toMatchObject({ status: 'left' })
    const moved = {
      status: 400,
      body: {
        ok: false,
        error_code: 400,
        description: 'Bad Request: group chat was upgraded to a supergroup chat',
        parameters: { migrate_to_chat_id: SUPERGROUP },
      },
    }
    expect(await api('getChatMemberCount', { chat_id: GROUP })).toEqual(moved)
    expect(await api('sendMessage', { chat_id: GROUP, text: 'x' })).toEqual(moved)
    expect((await api('getChatMemberCount', { chat_id: SUPERGROUP })).body.result).toBe(3)
  })

  it('should show a restriction in getChatMember (supergroup), the permissions (group), the status (channel), and refuse sends', async () => {
    const { sim, api } = setup()
    for (const chat of [SUPERGROUP, GROUP, CHANNEL]) sim.chats.restrict(chat)
    const member = async (chat_id: number | string) =>
      (await api('getChatMember', { chat_id, user_id: BOT_ID })).body.result
    expect(await member(SUPERGROUP)).toMatchObject({
      status: 'restricted',
      is_member: true,
      can_send_messages: false,
      until_date: 0,
    })
    expect(await member(GROUP)).toMatchObject({ status: 'member' })
    expect((await api('getChat', { chat_id: GROUP })).body.result).toMatchObject({
      permissions: { can_send_messages: false },
    })
    expect(await member(CHANNEL)).toMatchObject({ status: 'member' })
    for (const chat_id of [SUPERGROUP, GROUP])
      expect(await api('sendMessage', { chat_id, text: 'x' })).toEqual(
        badRequest('not enough rights to send text messages to the chat')
      )
    expect(await api('sendMessage', { chat_id: CHANNEL, text: 'x' })).toEqual(
      badRequest('need administrator rights in the channel chat')
    )
    sim.chats.unrestrict(SUPERGROUP)
    expect((await api('sendMessage', { chat_id: SUPERGROUP, text: 'x' })).status).toBe(200)
  })
})
