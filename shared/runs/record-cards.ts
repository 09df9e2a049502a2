/** @module The run cards: a changed record's card marked, and the marked cards written to Plane a few seconds later, one writer per card. */
import type { Locale } from '../notify/i18n.ts'
import { errorMessage } from '../observe/errors.ts'
import type { Logger } from '../observe/log.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError, RequestNotStarted } from '../plane/errors.ts'
import type { KeyedLock } from '../store/keyed-lock.ts'
import type { Store } from '../store/store.ts'
import { BRIDGE_EXTERNAL_SOURCE } from './external-source.ts'
import { RECORD_TTL_S, readRunRecord, runRecordKey } from './record-keys.ts'
import { renderRunCard } from './run-card.ts'
import type { RunRecord } from './types.ts'

/**
 * Tasks whose card is to be written (score: when). A working session's calls a second apart make one card
 * write, not one each: the card is for people reading Plane, the record in the store is what the bridge uses.
 */
export const CARDS_DUE_SET = 'runs:cards:due'
export const CARD_DELAY_MS = 5_000
/** A card Plane refused to take (429, 5xx, down): tried again this much later. */
const CARD_RETRY_MS = 30_000
const CARDS_PER_FLUSH = 50
/**
 * A flush of every marked card (`all`: a job's end, a test's settle) looks at this many: past the cards another
 * process is writing, which a busy card's short delay keeps at the front of the marked set.
 */
const CARDS_PER_FLUSH_ALL = 1_000
/** The latest mark of a task's card: a flush clears it only if no change came while it wrote. */
const cardMarkKey = (taskId: string) => `run:card-mark:${taskId}`
type CardMark = { id: string; names: Record<string, string> }
const cardLockKey = (taskId: string) => `run:card-lock:${taskId}`
/** Longer than a card's write can take (Plane's 30 s timeout, a wait for the key's window). */
const CARD_LOCK_TTL_S = 120
const CARD_BUSY_MS = 1_000

export type RunCardsOptions = {
  store: Store
  plane: PlaneClient
  nameOf?: ((agentId: string) => Promise<string | null>) | undefined
  log: Logger
  locale: Locale
  now: () => number
  onCardMarked?: ((dueInMs: number) => void) | undefined
  /** The run records' lock: a written card's comment id goes into the record under it. */
  taskLock: KeyedLock
}

/** `all`: every marked card, not only those past their delay; `signal`: stop by then (RunStore.flushCards). */
export type FlushCardsOptions = { all?: boolean; signal?: AbortSignal }
/**
 * What a flush did: the cards it tried and wrote, when the next marked one is due (null: none), and the tasks whose
 * card it found being written by another process (their lock held, not by this one): that process's to write, or,
 * if it died, a later flush's once its lock lapses. `settle` does not wait on those.
 */
export type CardsFlushed = {
  tried: number
  written: number
  nextDueInMs: number | null
  elsewhere: readonly string[]
}

export type RunCards = {
  markCard(
    record: RunRecord,
    options: { agentName: string | null; agentNames?: Readonly<Record<string, string>> }
  ): Promise<void>
  /** Whether the task's card is marked (to be written, perhaps being written now). */
  isMarked(taskId: string): Promise<boolean>
  flushCards(options?: FlushCardsOptions): Promise<CardsFlushed>
  dropCard(taskId: string): Promise<void>
}

export function createRunCards({
  store,
  plane,
  nameOf,
  log,
  locale,
  now,
  onCardMarked,
  taskLock,
}: RunCardsOptions): RunCards {
  const key = runRecordKey
  // The cards this process is writing now (it holds their lock): a busy card not in here is another process's.
  const writingHere = new Set<string>()

  const writeCard = async (
    record: RunRecord,
    mark: CardMark,
    via: PlaneClient
  ): Promise<RunRecord> => {
    // Every agent the card names, by its name: whichever call writes it, the card reads the same.
    const ids = [
      ...new Set([record.agentId, ...(record.previous ?? []).map((p) => p.agentId)]),
    ].filter((id): id is string => typeof id === 'string')
    const names: Record<string, string> = {}
    for (const id of ids) names[id] = (await nameOf?.(id)) ?? mark.names[id] ?? id
    const html = renderRunCard(record, {
      locale,
      agentName: record.agentId ? (names[record.agentId] ?? null) : null,
      now: now(),
      agentNames: names,
    })
    if (record.cardCommentId) {
      try {
        await via.comments.update(record.projectId, record.taskId, record.cardCommentId, {
          comment_html: html,
        })
        return record
      } catch (error) {
        // Someone deleted the card: write a new one.
        if (!(error instanceof PlaneApiError && error.kind === 'not_found')) throw error
      }
    }
    const created = await via.comments.create(record.projectId, record.taskId, {
      comment_html: html,
      external_source: BRIDGE_EXTERNAL_SOURCE,
      // The mark's id: two processes writing the same mark (or a retry after a crash) make one card (Plane
      // answers the second create 409 with the first).
      external_id: `run-card:${record.taskId}:${mark.id}`,
    })
    return { ...record, cardCommentId: created.id }
  }

  /** Mark the task's card to be written, with the names the caller knows; the earliest due time stands. */
  const markCard: RunCards['markCard'] = async (record, options) => {
    const names: Record<string, string> = { ...options.agentNames }
    if (options.agentName && record.agentId) names[record.agentId] = options.agentName
    const previous = await store.get<CardMark>(cardMarkKey(record.taskId))
    const mark: CardMark = { id: crypto.randomUUID(), names: { ...previous?.names, ...names } }
    await store.set(cardMarkKey(record.taskId), mark, { ttlSeconds: RECORD_TTL_S })
    await store.sortedAdd(CARDS_DUE_SET, record.taskId, now() + CARD_DELAY_MS, {
      onlyIfAbsent: true,
    })
    onCardMarked?.(CARD_DELAY_MS)
  }

  /**
   * Write one marked card from the record as it stands. No lock is held while Plane is asked (a tool call's
   * update never waits for a card); the mark is cleared only if no change came meanwhile, else written again.
   */
  const writeMarked = async (
    taskId: string,
    via: PlaneClient
  ): Promise<'written' | 'not' | 'elsewhere'> => {
    // One writer per card at a time, in any process: two writes in flight could land in either order and leave
    // the older content on the card. A card being written stays marked; it is looked at again a second later.
    const writing = await store.lock(cardLockKey(taskId), CARD_LOCK_TTL_S)
    if (!writing) {
      await store.sortedAdd(CARDS_DUE_SET, taskId, now() + CARD_BUSY_MS)
      return writingHere.has(taskId) ? 'not' : 'elsewhere'
    }
    writingHere.add(taskId)
    try {
      return (await _writeMarked(taskId, via)) ? 'written' : 'not'
    } finally {
      writingHere.delete(taskId)
      await writing.release().catch(() => undefined)
    }
  }

  const _writeMarked = async (taskId: string, via: PlaneClient): Promise<boolean> => {
    const mark = await store.get<CardMark>(cardMarkKey(taskId))
    const record = await readRunRecord(store, taskId)
    if (!mark || !record) {
      await store.sortedRemove(CARDS_DUE_SET, taskId)
      return false
    }
    let written: RunRecord
    try {
      written = await writeCard(record, mark, via)
    } catch (error) {
      // Given up before it was sent (the flush's deadline): the card stays marked as it was.
      if (error instanceof RequestNotStarted) return false
      log.warn('run card not written (tried again later)', {
        task: taskId,
        error: errorMessage(error),
      })
      await store.sortedAdd(CARDS_DUE_SET, taskId, now() + CARD_RETRY_MS)
      return false
    }
    await taskLock.run(`run:lock:${taskId}`, async () => {
      if (written.cardCommentId !== record.cardCommentId) {
        const current = await readRunRecord(store, taskId)
        if (current)
          await store.set(
            key(taskId),
            { ...current, cardCommentId: written.cardCommentId },
            { ttlSeconds: RECORD_TTL_S }
          )
      }
      if ((await store.get<CardMark>(cardMarkKey(taskId)))?.id !== mark.id) return
      await store.delete(cardMarkKey(taskId))
      await store.sortedRemove(CARDS_DUE_SET, taskId)
    })
    return true
  }

  return {
    markCard,
    isMarked: (taskId) => store.has(cardMarkKey(taskId)),
    flushCards: async ({ all = false, signal } = {}) => {
      const due = await store.sortedRange(CARDS_DUE_SET, {
        ...(all ? {} : { maxScore: now() }),
        limit: all ? CARDS_PER_FLUSH_ALL : CARDS_PER_FLUSH,
      })
      const via = signal ? plane.withStartSignal(signal) : plane
      let tried = 0
      let written = 0
      const elsewhere: string[] = []
      for (const { member: taskId } of due) {
        if (signal?.aborted) break
        tried++
        const outcome = await writeMarked(taskId, via)
        if (outcome === 'written') written++
        else if (outcome === 'elsewhere') elsewhere.push(taskId)
      }
      const [next] = await store.sortedRange(CARDS_DUE_SET, { limit: 1 })
      const nextDueInMs = next ? Math.max(0, next.score - now()) : null
      return { tried, written, nextDueInMs, elsewhere }
    },
    async dropCard(taskId) {
      await store.sortedRemove(CARDS_DUE_SET, taskId)
      await store.delete(cardMarkKey(taskId))
    },
  }
}
