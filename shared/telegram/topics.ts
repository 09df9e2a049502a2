/**
 * @module One forum topic per project (`TELEGRAM_TOPICS=per-project`): its thread id is created once
 * (`provision`, or the project's first message) and kept in the store; messages about the project are sent
 * there. A chat that is not a forum, or a bot without the right to manage topics, leaves messages in
 * General: said once in the log, never a lost message.
 */

import { errorMessage } from '../observe/errors.ts'
import type { Logger } from '../observe/log.ts'
import type { Store } from '../store/store.ts'
import { capText } from '../text/cap.ts'
import type { TelegramClient } from './client.ts'
import { TelegramError } from './errors.ts'

export type ProjectTopics = {
  /** The project's thread in the chat, created when missing; null when topics cannot be used. */
  threadFor(projectId: string): Promise<number | null>
  /** The project's thread when one was made, without creating it (`provision --dry-run`). */
  known(projectId: string): Promise<number | null>
  /** The topic is gone (deleted in Telegram): the next message creates it again. */
  invalidate(projectId: string): Promise<void>
  /** Create the project's topic now if it has none (provision): whether it was created. */
  ensure(projectId: string): Promise<{ threadId: number | null; created: boolean; error?: string }>
}

const TOPIC_TTL_S = 400 * 24 * 60 * 60
const UNUSABLE_TTL_S = 60 * 60
/** Telegram's limit on a topic name. */
const MAX_NAME = 128
const topicKey = (chatId: string, projectId: string) => `telegram:topic:${chatId}:${projectId}`

export function createProjectTopics({
  store,
  telegram,
  chatId,
  projectName,
  log,
}: {
  store: Store
  telegram: TelegramClient
  chatId: string
  /** The project's name for the topic (`Onboarding (ONB)`), or null when unknown. */
  projectName: (projectId: string) => Promise<string | null>
  log: Logger
}): ProjectTopics {
  // Kept when Telegram says topics cannot be used here (every runtime and job reads it): no request per
  // message after that, and a new try an hour later (Topics turned on, the bot given the right).
  const unusableKey = `telegram:topics:unusable:${chatId}`

  const ensure: ProjectTopics['ensure'] = async (projectId) => {
    const known = await store.get<number>(topicKey(chatId, projectId))
    if (known !== null) return { threadId: known, created: false }
    const unusable = await store.get<string>(unusableKey)
    if (unusable) return { threadId: null, created: false, error: unusable }
    const name = (await projectName(projectId)) ?? projectId
    try {
      const topic = await telegram.call('createForumTopic', {
        chat_id: chatId,
        name: capText(name, MAX_NAME),
      })
      await store.set(topicKey(chatId, projectId), topic.message_thread_id, {
        ttlSeconds: TOPIC_TTL_S,
      })
      log.info('telegram topic created', { project: projectId, thread: topic.message_thread_id })
      return { threadId: topic.message_thread_id, created: true }
    } catch (error) {
      const final =
        error instanceof TelegramError &&
        (error.description.includes('not a forum') || error.description.includes('rights'))
      const detail = errorMessage(error)
      if (final) {
        await store.set(unusableKey, detail, { ttlSeconds: UNUSABLE_TTL_S })
        log.warn('telegram topics cannot be used; messages stay in General', { error: detail })
      }
      if (!final) throw error
      return { threadId: null, created: false, error: detail }
    }
  }

  return {
    async threadFor(projectId) {
      return (await ensure(projectId)).threadId
    },
    ensure,
    known: (projectId) => store.get<number>(topicKey(chatId, projectId)),
    invalidate: (projectId) => store.delete(topicKey(chatId, projectId)),
  }
}
