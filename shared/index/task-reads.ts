/**
 * @module Reads of one task's parts (comments, activity, links, attachments) shared between callers: 30
 * `get_task_details` of one task at once would be 120 Plane requests on the agent's key, queued for minutes behind
 * Plane's 60 a minute. Concurrent reads of the same part share one request, and its answer is kept briefly; any
 * sighting of the task (a webhook, a poll, the bridge's own write) invalidates it. Per process, bounded in entries.
 */

export type TaskReads = {
  /** `load`'s answer for this task's `part`: a read in flight or kept is shared; a failure is not kept. */
  read<T>(taskId: string, part: string, load: () => Promise<T>): Promise<T>
  /** Something of the task changed: what is kept of it (and any read in flight) is not used again. */
  invalidate(taskId: string): void
}

export type TaskReadsOptions = {
  /** How long an answer is used again. */
  ttlMs?: number
  /** Parts kept at most (the oldest go first). */
  maxEntries?: number
  now?: () => number
}

type Entry = { value: Promise<unknown>; at: number; generation: number }

export const TASK_READS_TTL_MS = 10_000
const MAX_ENTRIES = 500

export function createTaskReads({
  ttlMs = TASK_READS_TTL_MS,
  maxEntries = MAX_ENTRIES,
  now = Date.now,
}: TaskReadsOptions = {}): TaskReads {
  const entries = new Map<string, Entry>()
  /** Bumped by `invalidate`: an answer that started before it is not kept after. */
  const generations = new Map<string, number>()
  const keyOf = (taskId: string, part: string) => `${taskId}\u0000${part}`
  const generationOf = (taskId: string) => generations.get(taskId) ?? 0
  return {
    read<T>(taskId: string, part: string, load: () => Promise<T>): Promise<T> {
      const key = keyOf(taskId, part)
      const generation = generationOf(taskId)
      const kept = entries.get(key)
      if (kept && kept.generation === generation && now() - kept.at < ttlMs)
        return kept.value as Promise<T>
      const value = load()
      entries.delete(key)
      entries.set(key, { value, at: now(), generation })
      // Oldest first in a Map's order: the first keys are the ones to drop.
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key)
      })
      return value
    },
    invalidate(taskId) {
      generations.set(taskId, generationOf(taskId) + 1)
      // Generations of tasks nothing reads any more: bounded like the entries.
      if (generations.size > maxEntries * 4) generations.clear()
      for (const key of entries.keys()) if (key.startsWith(`${taskId}\u0000`)) entries.delete(key)
    },
  }
}
