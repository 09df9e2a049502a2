/**
 * @module What one drain of a lane knows while it runs: what it reports, the targets blocked behind their head item,
 * the items it has read, each chat's hold read once a round, the spacing its next round waits for, and when the next
 * item is due.
 */
import type { ChatHold, ChatHolds } from './chat-holds.ts'
import type { OutboxItem } from './outbox.ts'

export type DrainReport = {
  /** false when another drain (another replica, an earlier call) held the lock. */
  ran: boolean
  sent: number
  retried: number
  dead: number
  /** Items still pending after this drain. */
  left: number
  /** When the next pending item becomes due (ms from now), or null when nothing waits. */
  nextDueInMs: number | null
}

export type DrainState = {
  readonly report: DrainReport
  /** When the drain began sending: it sends for `drainMs` from here. */
  readonly started: number
  /** A target whose head item cannot go now holds back its later items: per-chat order is kept. */
  readonly blockedTargets: Set<string>
  /**
   * Items read in an earlier round and not written since: under the lane's lock nobody else writes them, so a round
   * reads only what is new (a backlog of a thousand wakes was read again every second).
   */
  readonly known: Map<string, OutboxItem>
  /**
   * Each target's hold, read once a round: a chat back while this drain runs (its update, another process's try)
   * goes in the next round, not after the drain.
   */
  readonly holdOf: Map<string, ChatHold | null>
  /** Targets waiting for their spacing this round (their later items wait too). */
  readonly spaced: Set<string>
  /** The nearest spacing the next round waits for; null: no round after this one. */
  readonly spacingMs: number | null
  /** The target's hold, read once a round (null: not held, or no holds kept). */
  heldChat(target: string): Promise<ChatHold | null>
  /** Something pending becomes due at `at`: the report says when the nearest is. */
  due(at: number): void
  /** The target goes again once its spacing has passed, in this drain if its time allows. */
  space(target: string, wait: number): void
  /** A new round: holds are read again, no target waits for its spacing yet, no round after it unless one does. */
  beginRound(): void
}

export type DrainStateOptions = {
  now: () => number
  /** Longest a drain keeps sending. */
  drainMs: number
  holds?: ChatHolds | undefined
}

/** The state of a drain that took the lane's lock: its first round goes at once. */
export function createDrainState({ now, drainMs, holds }: DrainStateOptions): DrainState {
  const report: DrainReport = {
    ran: true,
    sent: 0,
    retried: 0,
    dead: 0,
    left: 0,
    nextDueInMs: null,
  }
  const started = now()
  const holdOf = new Map<string, ChatHold | null>()
  const spaced = new Set<string>()
  let spacingMs: number | null = 0
  const due = (at: number) => {
    const inMs = Math.max(0, at - now())
    report.nextDueInMs = report.nextDueInMs === null ? inMs : Math.min(report.nextDueInMs, inMs)
  }
  return {
    report,
    started,
    blockedTargets: new Set<string>(),
    known: new Map<string, OutboxItem>(),
    holdOf,
    spaced,
    get spacingMs() {
      return spacingMs
    },
    async heldChat(target) {
      if (!holds) return null
      if (!holdOf.has(target)) holdOf.set(target, await holds.get(target))
      return holdOf.get(target) ?? null
    },
    due,
    space(target, wait) {
      spaced.add(target)
      if (now() - started + wait > drainMs) due(now() + wait)
      else spacingMs = spacingMs === null ? wait : Math.min(spacingMs, wait)
    },
    beginRound() {
      spacingMs = null
      holdOf.clear()
      spaced.clear()
    },
  }
}

/** The report of a drain that did not run: another drain held the lane's lock. */
export function notRunReport(): DrainReport {
  return { ran: false, sent: 0, retried: 0, dead: 0, left: 0, nextDueInMs: null }
}
