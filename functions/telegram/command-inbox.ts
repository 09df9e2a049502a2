/** @module Accepted /plane commands are stored before Telegram gets its 200, answered after, replayed if left. */
import type { Services } from '../../shared/function.ts'
import { answerCommandTask, type CommandTask } from './answer-command.ts'

type StoredCommand = { task: CommandTask; receivedAt: number }

const PREFIX = 'telegram:inbox:'
/** A command nobody could answer within an hour is no longer worth answering. */
const COMMAND_TTL_S = 60 * 60

export async function storeCommand(services: Services, task: CommandTask): Promise<void> {
  const entry: StoredCommand = { task, receivedAt: services.now() }
  await services.store.set(`${PREFIX}${task.updateId}`, entry, { ttlSeconds: COMMAND_TTL_S })
}

/** Answer a stored command; it leaves the inbox once its reply is in the outbox (the reply dedupes on update_id). */
export async function answerStoredCommand(services: Services, task: CommandTask): Promise<void> {
  await answerCommandTask(services, task)
  await services.store.delete(`${PREFIX}${task.updateId}`)
}

/** Commands older than `minAgeMs` still in the inbox: their first answer died with a process, or failed. */
export async function replayCommands(services: Services, minAgeMs: number): Promise<number> {
  let replayed = 0
  for (const key of await services.store.keys(PREFIX)) {
    const entry = await services.store.get<StoredCommand>(key)
    if (!entry || services.now() - entry.receivedAt < minAgeMs) continue
    try {
      await answerStoredCommand(services, entry.task)
      replayed++
    } catch (error) {
      services.log.warn('telegram command replay failed', {
        update: entry.task.updateId,
        error: error instanceof Error ? error.message : String(error),
      })
    }
  }
  return replayed
}
