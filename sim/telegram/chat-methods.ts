/**
 * @module Simulated reads of a chat: getChat (ChatFullInfo), getChatMember, getChatMemberCount. What each answers for a
 * blocked, banned, restricted, migrated or unknown chat follows telegram-bot-api (chat-access.ts): a read says less
 * than a write, so a private chat that blocked the bot still reads as fine.
 */
import type { ChatFullInfo, ChatMember, ChatPermissions, User } from '@grammyjs/types'
import { checkChatAccess, isChatBlocked, isChatRestricted } from './chat-access.ts'
import {
  type Answer,
  badRequest,
  type ChatId,
  describeChat,
  ok,
  type Params,
  type SimState,
} from './state.ts'
import { DEFAULT_HUMAN } from './updates.ts'

/** A basic group, supergroup or channel the sim invents has this many members. */
const GROUP_MEMBER_COUNT = 3
const NO_GIFTS = {
  unlimited_gifts: false,
  limited_gifts: false,
  unique_gifts: false,
  premium_subscription: false,
  gifts_from_channels: false,
}
/** The rights of a member nobody restricted (ChatPermissions; Bot API "ChatPermissions"). */
const MEMBER_RIGHTS = {
  can_send_messages: true,
  can_send_audios: true,
  can_send_documents: true,
  can_send_photos: true,
  can_send_videos: true,
  can_send_video_notes: true,
  can_send_voice_notes: true,
  can_send_polls: true,
  can_send_other_messages: true,
  can_add_web_page_previews: true,
  can_react_to_messages: true,
  can_change_info: false,
  can_invite_users: true,
  can_edit_tag: false,
  can_pin_messages: false,
  can_manage_topics: false,
} satisfies Required<ChatPermissions>

export function getChat(state: SimState, params: Params): Answer {
  const chat = checkChatAccess(state, params.chat_id, 'read')
  if (!chat.ok) return chat.answer
  return ok(_fullInfo(state, chat.id))
}

/**
 * The bot's own membership is a read (telegram-bot-api checks it as getChat); another user's is a read of the member
 * list. `user_id` is checked first, as Telegram does.
 */
export function getChatMember(state: SimState, params: Params): Answer {
  const userId = Number(params.user_id)
  if (!Number.isSafeInteger(userId) || userId <= 0) return badRequest('invalid user_id specified')
  const self = userId === state.bot.id
  const chat = checkChatAccess(state, params.chat_id, self ? 'read' : 'read-members')
  if (!chat.ok) return chat.answer
  if (self) return ok(_botMember(state, chat.id))
  const info = describeChat(chat.id)
  if (info.type === 'private') {
    // tdlib knows the two people of a private chat and no one else.
    if (userId !== info.id) return badRequest('member not found')
    return ok({ status: 'member', user: _person(userId) } satisfies ChatMember)
  }
  const user = _person(userId)
  return ok(
    (userId === DEFAULT_HUMAN.id
      ? { status: 'creator', user, is_anonymous: false }
      : { status: 'left', user }) satisfies ChatMember
  )
}

export function getChatMemberCount(state: SimState, params: Params): Answer {
  const chat = checkChatAccess(state, params.chat_id, 'read-members')
  if (!chat.ok) return chat.answer
  return ok(describeChat(chat.id).type === 'private' ? 2 : GROUP_MEMBER_COUNT)
}

// --- Internal helpers ---

function _fullInfo(state: SimState, id: ChatId): ChatFullInfo {
  const chat = describeChat(id)
  const common = { accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: NO_GIFTS }
  if (chat.type === 'private') return { ...chat, ...common }
  if (chat.type === 'channel') return { ...chat, ...common }
  // In a basic group a restriction can only be the group's own: members may not send.
  const closed = chat.type === 'group' && isChatRestricted(state, id)
  const permissions = { ...MEMBER_RIGHTS, ...(closed ? { can_send_messages: false } : {}) }
  if (chat.type === 'group') return { ...chat, ...common, permissions }
  return { ...chat, ...common, permissions, ...(_isForum(state, id) ? { is_forum: true } : {}) }
}

/** The bot's ChatMember: what an admin did to it, or what the group became (reference §1.7b). */
function _botMember(state: SimState, id: ChatId): ChatMember {
  const user = _botUser(state)
  const type = describeChat(id).type
  if (type === 'private') return { status: 'member', user }
  // A banned supergroup or channel refused the read already; a basic group says it here.
  if (isChatBlocked(state, id)) return { status: 'kicked', user, until_date: 0 }
  // A basic group moved on: its members are the supergroup's now [D: tdlib lists no one in a deactivated group].
  if (state.options.migratedChats?.[String(id)] !== undefined) return { status: 'left', user }
  const restricted = isChatRestricted(state, id)
  if (type === 'channel')
    return restricted
      ? { status: 'member', user }
      : _administrator(user, { can_post_messages: true })
  if (restricted && type === 'supergroup')
    return {
      status: 'restricted',
      user,
      is_member: true,
      ...MEMBER_RIGHTS,
      can_send_messages: false,
      until_date: 0,
    }
  // createForumTopic needs an administrator with can_manage_topics: a forum chat's bot is one.
  if (_isForum(state, id)) return _administrator(user, { can_manage_topics: true })
  return { status: 'member', user }
}

function _administrator(
  user: User,
  rights: { can_post_messages?: boolean; can_manage_topics?: boolean }
): ChatMember {
  return {
    status: 'administrator',
    user,
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
    ...rights,
  }
}

function _botUser(state: SimState): User {
  const { id, first_name, username } = state.bot
  return { id, is_bot: true, first_name, username }
}

function _person(id: number): User {
  return id === DEFAULT_HUMAN.id ? DEFAULT_HUMAN : { id, is_bot: false, first_name: 'Sim User' }
}

function _isForum(state: SimState, id: ChatId): boolean {
  return (state.options.forumChats ?? []).some((c) => String(c) === String(id))
}
