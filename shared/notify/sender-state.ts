/** @module What the outbox sender's steps share: its options and report, what one drain keeps, and one round's spacing. */
import type { Logger } from '../observe/log.ts'
import type { Counter, Gauge } from '../observe/metrics.ts'
import type { LeaseHeartbeat } from '../store/lease.ts'
import type { Store } from '../store/store.ts'
import type { HoldWhy } from '../telegram/refusals.ts'
import type { ChatHold, ChatHolds } from './chat-holds.ts'
import type { Outbox, OutboxChannel, OutboxItem } from './outbox.ts'

export type DeliveryDecision = {
  retry: boolean
  /** Server-given wait (Telegram retry_after, Retry-After) replacing the backoff for this attempt. */
  afterMs?: number
  /** Telegram moved the group to a supergroup: send there instead (migrate_to_chat_id). */
  retarget?: string
  /**
   * A rate limit (429) said when to come back: waiting it out is not a failed attempt, so a long flood
   * wait never dead-letters a message (within RATE_LIMITED_FOR_MS of its creation).
   */
  rateLimited?: boolean
  /**
   * The refusal is the chat's, not the message's (reference §1.7b): `wait` holds the whole chat that long (a flood
   * wait); `hold` holds it until it is back (blocked, kicked, not found). Neither is a failed attempt.
   */
  chat?: { wait: number; description: string } | { hold: HoldWhy; description: string }
}

export type OutboxSenderOptions = {
  outbox: Outbox
  /** The lane this sender drains: wake-ups and Telegram messages never wait for each other. */
  channel: OutboxChannel
  store: Store
  /** Sends one item; throws on failure. */
  deliver: (item: OutboxItem) => Promise<void>
  /** What a delivery error means for the item. */
  classify: (item: OutboxItem, error: unknown) => DeliveryDecision
  log: Logger
  metrics?: { deliveries: Counter; depth: Gauge }
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  maxAttempts?: number
  /** Delay before retry n (the last one repeats). */
  backoffMs?: readonly number[]
  /** Telegram FAQ: "avoid sending more than one message per second" in a chat. */
  perTargetIntervalMs?: number
  /** Telegram FAQ: "not … more than 20 messages per minute to the same group". */
  groupPerMinute?: number
  /** Longest a drain keeps sending (waiting for a chat's spacing counts). */
  budgetMs?: number
  /** The chats held (flood waits, blocked bots): their items wait, none counted as failed. */
  holds?: ChatHolds
  /** A held chat took a message again (`went`: an hourly try went through): what waited may be summed up. */
  onChatBack?: (target: string, hold: ChatHold, went: OutboxItem) => Promise<void>
  /** An item was given up (a dead letter): the human is told, never silently. */
  onBury?: (item: OutboxItem, reason: string) => Promise<void>
}

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

export type OutboxSender = { drain(): Promise<DrainReport> }

/** The options with their defaults applied: what every step of a drain reads. */
export type SenderDeps = Required<
  Omit<OutboxSenderOptions, 'metrics' | 'holds' | 'onChatBack' | 'onBury'>
> &
  Pick<OutboxSenderOptions, 'metrics' | 'holds' | 'onChatBack' | 'onBury'>

/** What one drain keeps from its start to its end. */
export type DrainState = {
  report: DrainReport
  started: number
  heartbeat: LeaseHeartbeat
  held: Set<string>
  known: Map<string, OutboxItem>
  holdOf: Map<string, ChatHold | null>
  heldChat: (target: string) => Promise<ChatHold | null>
  due: (at: number) => void
}

/** A drain's state, once its lock is taken and its heartbeat runs. */
export function createDrainState(
  { holds, now }: SenderDeps,
  report: DrainReport,
  heartbeat: LeaseHeartbeat
): DrainState {
  const started = now()
  // A target whose head item cannot go now holds back its later items: per-chat order is kept.
  const held = new Set<string>()
  // Items read in an earlier round and not written since: under the lane's lock nobody else writes them, so a
  // round reads only what is new (a backlog of a thousand wakes was read again every second).
  const known = new Map<string, OutboxItem>()
  // Each target's hold, read once a round: a chat back while this drain runs (its update, another process's
  // try) goes in the next round, not after the drain.
  const holdOf = new Map<string, ChatHold | null>()
  const heldChat = async (target: string) => {
    if (!holds) return null
    if (!holdOf.has(target)) holdOf.set(target, await holds.get(target))
    return holdOf.get(target) ?? null
  }
  const due = (at: number) => {
    const inMs = Math.max(0, at - now())
    report.nextDueInMs = report.nextDueInMs === null ? inMs : Math.min(report.nextDueInMs, inMs)
  }
  return { report, started, heartbeat, held, known, holdOf, heldChat, due }
}

/** One round of a drain: the targets waiting for their spacing, and the nearest spacing to wait for. */
export type DrainRound = {
  spaced: Set<string>
  spacingMs: number | null
  space: (target: string, wait: number) => void
}

export function createDrainRound({ now, budgetMs }: SenderDeps, drain: DrainState): DrainRound {
  const round: DrainRound = {
    // Targets waiting for their spacing this round (their later items wait too).
    spaced: new Set<string>(),
    spacingMs: null,
    /** The target goes again once its spacing has passed, in this drain if its budget allows. */
    space(target, wait) {
      round.spaced.add(target)
      if (now() - drain.started + wait > budgetMs) drain.due(now() + wait)
      else round.spacingMs = round.spacingMs === null ? wait : Math.min(round.spacingMs, wait)
    },
  }
  return round
}
