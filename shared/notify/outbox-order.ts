/** @module The outbox's order: an item's id and birth time, its place in its lane's index, and the order a drain sends in. */
import type { OutboxItem } from './outbox-types.ts'

/**
 * A bulk item's place in its lane's index: a day after its creation, so a drain's read (the first 1,000 items)
 * reaches what a change asks for now before a deploy's backlog, however long (the agents bench: an approval's wake
 * waited 9 s behind 1,000 older backlog wakes). An index entry left without its item goes after the day's grace.
 */
const BULK_SCORE_OFFSET_MS = 24 * 60 * 60 * 1000
export const scoreOf = (
  item: Pick<OutboxItem, 'createdAt' | 'bulk' | 'first' | 'scheduled' | 'notBefore'>
) =>
  item.first
    ? item.createdAt - BULK_SCORE_OFFSET_MS
    : item.bulk
      ? item.createdAt + BULK_SCORE_OFFSET_MS
      : item.scheduled
        ? Math.max(item.createdAt, item.notBefore)
        : item.createdAt
const ID_TIME_CHARS = 10

/** An item's id starts with its creation time (ms, base 36, 10 characters): its age whatever its place in the lane. */
export function outboxItemBornAt(id: string, score: number): number {
  if (id.charAt(ID_TIME_CHARS) !== '-') return score
  const at = Number.parseInt(id.slice(0, ID_TIME_CHARS), 36)
  return Number.isSafeInteger(at) &&
    at.toString(36).padStart(ID_TIME_CHARS, '0') === id.slice(0, ID_TIME_CHARS)
    ? at
    : score
}

/** Ids sortable by creation (time, then a sequence), unique across processes. */
export function createOutboxIds(now: () => number): () => string {
  let sequence = 0
  return function nextId() {
    sequence = (sequence + 1) % 1_000_000
    const time = now().toString(36).padStart(ID_TIME_CHARS, '0')
    return `${time}-${sequence.toString(36).padStart(4, '0')}-${crypto.randomUUID().slice(0, 8)}`
  }
}

/** The order items go in: bulk ones after the others, each by creation (ids sort by time). */
// Bulk items after all the others; a scheduled item (an agent's grouped message) at its time, so what is
// enqueued before it is due goes first instead of waiting behind it (it held a chat for its two minutes).
const placeOf = (item: OutboxItem) =>
  item.scheduled ? Math.max(item.createdAt, item.notBefore) : item.createdAt
export const inSendingOrder = (a: OutboxItem, b: OutboxItem) =>
  Number(b.first === true) - Number(a.first === true) ||
  Number(a.bulk === true) - Number(b.bulk === true) ||
  placeOf(a) - placeOf(b) ||
  (a.id < b.id ? -1 : 1)
