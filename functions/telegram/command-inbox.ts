/** @module Accepted /plane commands are stored before Telegram gets its 200, answered after, replayed if left. */

import type { Services } from '../../shared/core/function.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { createStoreQueue } from '../../shared/store/queue.ts'
import { answerCommandUpdate, type CommandParts, type CommandUpdate } from './answer-command.ts'

/** `task` is the stored field's name since the first version: entries already kept are read by it. */
type StoredCommand = { task: CommandUpdate; receivedAt: number }

/** A command nobody could answer within an hour is no longer worth answering. */
const COMMAND_TTL_S = 60 * 60

/** Commands by arrival: replay reads the index, never a listing of keys. */
const commandInbox = (services: Services) =>
  createStoreQueue<StoredCommand>({
    store: services.store,
    sortedSet: 'index:telegram-inbox',
    itemPrefix: 'telegram:inbox:',
    ttlSeconds: COMMAND_TTL_S,
    now: services.now,
  })

export async function storeCommand(services: Services, update: CommandUpdate): Promise<void> {
  const entry: StoredCommand = { task: update, receivedAt: services.now() }
  await commandInbox(services).put(String(update.updateId), entry, entry.receivedAt)
}

/** Answer a stored command; it leaves the inbox once its reply is in the outbox (the reply dedupes on update_id). */
export async function answerStoredCommand(
  services: Services,
  parts: CommandParts,
  update: CommandUpdate
): Promise<void> {
  await answerCommandUpdate(services, parts, update)
  await commandInbox(services).remove(String(update.updateId))
}

/** Commands older than `minAgeMs` still in the inbox: their first answer died with a process, or failed. */
export async function replayCommands(
  services: Services,
  parts: CommandParts,
  minAgeMs: number
): Promise<number> {
  let replayed = 0
  const due = await commandInbox(services).range({ maxScore: services.now() - minAgeMs })
  for (const { value: entry } of due) {
    try {
      await answerStoredCommand(services, parts, entry.task)
      replayed++
    } catch (error) {
      services.log.warn('telegram command replay failed', {
        update: entry.task.updateId,
        error: errorMessage(error),
      })
    }
  }
  return replayed
}
