/**
 * @module Plane's request window per API key (its rate limit), counted the way Plane counts it: DRF's
 * `SimpleRateThrottle` (`ApiKeyRateThrottle`, `API_KEY_RATE_LIMIT`, default 60/minute) keeps the timestamps of the
 * key's accepted requests over the last minute and refuses one more when the window is full (plane-api.md §5). So the
 * client keeps the same sliding window: it sends at once while the window has room, and waits for the oldest request
 * to leave it when not. Waiting requests go by priority (a person's action, then an agent's tool call, then background
 * work: polls, run cards, reconciliation), and background work never fills the window: a third of it is kept for
 * people and agents (and one press for people alone), so a poll or a burst of run cards never makes an agent
 * or the human wait a minute for the window to empty (without these shares the agents bench measures 60 s waits).
 * Plane's own `X-RateLimit-Remaining` says when another client spends the same key: the window takes their requests
 * into account; a 429 closes it for its `Retry-After`.
 *
 * One request window per key and runtime, shared by every client the runtime builds with the key and its key windows (the
 * FNV fingerprint keeps raw keys out of the map; the key windows are a part the composition root builds). With a shared window (the store), every process on the store counts its starts
 * in the same window, as Plane does: the server, a `npm run job -- poll` beside it and other replicas together
 * never start more than the limit in a minute. Before, each counted its own and learnt of the others only from
 * Plane's answers, too late: the agents bench saw a 429 in its hour and a person's action waiting 43 s for its
 * `Retry-After`. A store that fails leaves this process's own window in charge (no request waits on the store).
 */
import { sleep as defaultSleep } from '../net/retry.ts'
import type { Store } from '../store/types.ts'
import { RequestNotStarted } from './errors.ts'
import { fingerprintApiKey } from './key-names.ts'

/** Who is waiting: served in this order when the window has room for one more. */
export type RequestPriority = 'human' | 'agent' | 'background'
const ORDER: readonly RequestPriority[] = ['human', 'agent', 'background']

/**
 * How many requests of a window each priority may have started in it (the rest is kept for the ones above):
 * background work two thirds (40 of 60), agents all but one press (56), people all of it. A press costs four of the
 * bridge's requests (the task read, the comment, the change, the read-back); a twentieth (3) was kept before, less
 * than one press, and in the agents bench's busy first minute a press's fourth request waited 45 s for the window,
 * its agent woken that late. More is not kept: agents need 16 above background work's share at once (a project
 * created and set up by a Concierge without its own key, while a poll holds that share), and a fifth kept for people
 * had the deploy bench's create_task wait 10 s.
 */
export function windowCeiling(
  priority: RequestPriority,
  requests: number,
  { peopleShare = true }: { peopleShare?: boolean } = {}
): number {
  // Every priority may send at least one request per window (a limit of 1/second has no share to keep), and
  // an unlimited key has no ceiling (∞ − ∞ would be NaN: nothing would ever be sent).
  if (priority === 'human' || !Number.isFinite(requests)) return requests
  // An agent's own key: no person's request ever spends it, so nothing is kept above its agent.
  if (priority === 'agent' && !peopleShare) return requests
  const kept = priority === 'agent' ? Math.ceil(requests / 15) : Math.ceil(requests / 3)
  return Math.max(1, requests - kept)
}

/**
 * How much longer than Plane a start stays in our window: a second a minute. Plane stamps a request when it
 * handles it, some ms after we started it (this process's event loop, the network, Plane's own queue), so a
 * request sent the instant our oldest start left the window could reach a Plane whose oldest has not: at a full
 * window the agents bench saw that 429, and its `Retry-After` held a person's action for 47 s.
 */
export function lateness(windowMs: number): number {
  return Math.ceil(Math.min(1_000, windowMs / 60))
}

/** Plane's default `API_KEY_RATE_LIMIT`. */
export const DEFAULT_RATE_LIMIT = { requests: 60, windowMs: 60_000 } as const

export type RateLimit = { requests: number; windowMs: number }

/** No window at all: for simulators and benches that measure the bridge, not Plane's limit. */
export const UNLIMITED_RATE: RateLimit = { requests: Number.POSITIVE_INFINITY, windowMs: 60_000 }

/** Where a key's window is kept for every process on the store (the store's atomic sliding window). */
export type SharedWindow = Pick<Store, 'windowTake'>

export type RequestWindowOptions = {
  apiKey: string
  limit?: RateLimit
  /** The key's window as every process on the store counts it; this process's own alone without it. */
  shared?: SharedWindow
  /** The runtime's key windows, shared by its clients of one key (default: this request window's own). */
  keyWindows?: KeyWindows
  /**
   * Whether a press is kept for people in the window (default): the bridge's key, which a person's presses spend.
   * An agent's own key keeps nothing from its agent (windowCeiling).
   */
  peopleShare?: boolean
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

/** A key's request window as one client sees it: a start asked for, and what Plane said of the key. */
export type RequestWindow = {
  /**
   * Resolves when a request of this priority may start now (its start is counted). With a `signal`, a wait still
   * queued when it aborts is given up (rejects with `RequestNotStarted`); a start already granted stands.
   */
  acquire(priority: RequestPriority, signal?: AbortSignal): Promise<void>
  /** What Plane's answer said of the key's window: `X-RateLimit-Remaining` after this request. */
  observe(remaining: number | null): void
  /** Plane refused the key (429): nothing starts before `retryAfterMs` has passed. */
  refused(retryAfterMs: number): void
  /** Requests started in the current window, and waiters (for tests and metrics). */
  state(): { inWindow: number; waiting: number }
}

type Waiter = { resolve: () => void }
/** One key's window in this runtime: its starts and its waiters. */
export type KeyWindowState = {
  limit: RateLimit
  /** Start times in the window, oldest first: ours, and others' seen through X-RateLimit-Remaining. */
  starts: number[]
  queues: Record<RequestPriority, Waiter[]>
  closedUntil: number
  pumping: boolean
}

/**
 * One runtime's windows, a window state per key and limit: every request window built with the same key windows and key counts one
 * window (the bridge's client and its priority views, an agent's writer and the poll's check of its key).
 */
export type KeyWindows = { windowFor(id: string, limit: RateLimit): KeyWindowState }

export function createKeyWindows(): KeyWindows {
  const states = new Map<string, KeyWindowState>()
  return {
    windowFor(id, limit) {
      let state = states.get(id)
      if (!state) {
        state = {
          limit,
          starts: [],
          queues: { human: [], agent: [], background: [] },
          closedUntil: 0,
          pumping: false,
        }
        states.set(id, state)
      }
      return state
    },
  }
}

export function createRequestWindow({
  apiKey,
  limit = DEFAULT_RATE_LIMIT,
  shared,
  keyWindows = createKeyWindows(),
  peopleShare = true,
  now = Date.now,
  sleep = defaultSleep,
}: RequestWindowOptions): RequestWindow {
  const fingerprint = fingerprintApiKey(apiKey)
  const id = `${fingerprint}:${limit.requests}/${limit.windowMs}`
  const sharedKey = sharedWindowKey(apiKey, limit)
  const self = keyWindows.windowFor(id, limit)
  /** How long a start counts here: Plane's window and our lateness (whole ms, as the store's window takes them). */
  const span = Math.ceil(self.limit.windowMs) + lateness(self.limit.windowMs)
  const expire = () => {
    const since = now() - span
    while (self.starts.length > 0 && (self.starts[0] as number) <= since) self.starts.shift()
  }
  const ceilingOf = (priority: RequestPriority) =>
    windowCeiling(priority, self.limit.requests, { peopleShare })
  /** The best priority with someone waiting. */
  const first = (): RequestPriority | undefined => ORDER.find((p) => self.queues[p].length > 0)
  const room = (priority: RequestPriority) => self.starts.length < ceilingOf(priority)
  const waiting = () => ORDER.reduce((n, p) => n + self.queues[p].length, 0)
  /**
   * Take a start in the shared window at this priority's ceiling: 0 when taken (or when there is no shared window,
   * or the store failed: this process's window alone then), else how long until its oldest start leaves.
   */
  const takeShared = async (priority: RequestPriority): Promise<number> => {
    if (!shared) return 0
    try {
      const ceiling = ceilingOf(priority)
      const took = await shared.windowTake(sharedKey, {
        nowMs: now(),
        windowMs: span,
        ceiling,
      })
      return took.taken ? 0 : Math.max(1, took.waitMs + 1)
    } catch {
      return 0
    }
  }
  /** Grant whoever waits, best priority first, while the window has room; else wait for the oldest to leave. */
  const pump = async () => {
    if (self.pumping) return
    self.pumping = true
    try {
      while (waiting() > 0) {
        expire()
        const closedFor = self.closedUntil - now()
        if (closedFor > 0) {
          await sleep(closedFor)
          continue
        }
        const priority = first() as RequestPriority
        // Lower priorities have lower ceilings: when the best one waiting has no room, nobody has.
        if (room(priority)) {
          const wait = await takeShared(priority)
          if (wait > 0) {
            await sleep(wait)
            continue
          }
          // Only the pump grants from the queues: the one it took a start for is still first in its own, unless it
          // gave up its wait meanwhile (its signal): the next one takes that start, or it goes unused (counted all
          // the same, never more than the window).
          self.starts.push(now())
          self.queues[priority].shift()?.resolve()
          continue
        }
        const oldest = self.starts[0] as number
        await sleep(Math.max(1, oldest + span - now() + 1))
      }
    } finally {
      self.pumping = false
    }
  }
  return {
    acquire(priority, signal) {
      if (signal?.aborted) return Promise.reject(new RequestNotStarted())
      if (self.limit.requests === Number.POSITIVE_INFINITY && self.closedUntil <= now())
        return Promise.resolve()
      expire()
      // Room for its priority and nobody ahead of it: start at once, even while lower priorities wait (and the
      // common case costs no promise hop through the pump).
      const ahead = ORDER.slice(0, ORDER.indexOf(priority) + 1).some(
        (p) => self.queues[p].length > 0
      )
      const queue = () => {
        if (signal?.aborted) return Promise.reject(new RequestNotStarted())
        return new Promise<void>((resolve, reject) => {
          const queued = self.queues[priority]
          const waiter: Waiter = { resolve }
          if (signal) {
            const giveUp = () => {
              const at = queued.indexOf(waiter)
              if (at < 0) return
              queued.splice(at, 1)
              reject(new RequestNotStarted())
            }
            waiter.resolve = () => {
              signal.removeEventListener('abort', giveUp)
              resolve()
            }
            signal.addEventListener('abort', giveUp, { once: true })
          }
          queued.push(waiter)
          void pump()
        })
      }
      if (!ahead && self.closedUntil <= now() && room(priority)) {
        if (!shared) {
          self.starts.push(now())
          return Promise.resolve()
        }
        return takeShared(priority).then((wait) => {
          if (wait > 0) return queue()
          self.starts.push(now())
        })
      }
      return queue()
    },
    observe(remaining) {
      if (remaining === null || !Number.isFinite(remaining)) return
      if (!Number.isFinite(self.limit.requests)) return
      // The shared window already holds every bridge process's starts, at their times. Plane's count says neither
      // whose nor when: taken as starts made now, it filled this process's window for a whole minute whenever a
      // poll job spent the key, and a person's action waited 45 s (agents bench). A client outside the bridge
      // spending the key is met by its 429 and Retry-After instead.
      if (shared) return
      expire()
      // Plane counted more in its window than this process started: another client spends the key too.
      const others =
        Math.min(self.limit.requests, self.limit.requests - remaining) - self.starts.length
      for (let i = 0; i < others; i++) self.starts.push(now())
    },
    refused(retryAfterMs) {
      self.closedUntil = Math.max(self.closedUntil, now() + Math.max(0, retryAfterMs))
    },
    state: () => {
      expire()
      return { inWindow: self.starts.length, waiting: waiting() }
    },
  }
}

/**
 * Where the store keeps a key's window (a sorted set of start times). The limit is in it as in a window state's id: a window
 * counted under another setting (a bench's unthrottled set-up, a changed API_KEY_RATE_LIMIT) is not this one.
 */
export function sharedWindowKey(apiKey: string, limit: RateLimit = DEFAULT_RATE_LIMIT): string {
  return `plane:window:${fingerprintApiKey(apiKey)}:${limit.requests}-${limit.windowMs}`
}
