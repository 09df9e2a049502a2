/**
 * @module Work on a store queue's items in this process, after the response that queued them: at most `concurrency`
 * at once, in the order handed over. The first `keepGiven` waiting items keep what their caller already has (the
 * webhook route's kept entry, up to a total weight); the ones behind them keep only their id and are read back from the queue when
 * their turn comes, so a burst costs ~200 bytes an item here, and past `capacity` waiting items an offer is turned
 * away (the webhook route then processes that one before its answer). A burst is answered at the speed of the one
 * write that keeps it and processed behind it, never lost: what a stopped process held is in the queue.
 */
export type QueueWorkerOptions<G> = {
  /** The background task's name in logs. */
  name: string
  /** Where the work runs after the response (shared/background.ts: awaited at shutdown, kept alive on Workers). */
  background: { run(name: string, task: () => Promise<unknown>): void }
  /** Items worked on at once. */
  concurrency?: number
  /** Items worked on at once while responses are being made (`answering`): the answers first. */
  answeringConcurrency?: number
  /** Items waiting before an offer is turned away. */
  capacity?: number
  /** Waiting items that keep what their caller handed over; the others are read back from the store. */
  keepGiven?: number
  /** How much a handed-over item weighs (default 1), and the most the waiting ones keep in all (default: no cap). */
  weigh?: (given: G) => number
  keepGivenWeight?: number
}

/** Works on one item; `given` is what its caller handed over, or undefined when it was let go (read the store). */
export type QueueWork<G> = (given: G | undefined) => Promise<void>

export type QueueWorker<G> = {
  /**
   * Work on item `id` as soon as a place is free, after the items handed over before it. False when `capacity`
   * items wait already: nothing is held, and the item waits in its queue for a replay. An item held already is not
   * taken twice (true).
   */
  offer(id: string, work: QueueWork<G>, given: G): boolean
  /** Whether item `id` waits or is being worked on here (a replay leaves it to this worker). */
  holds(id: string): boolean
  /** Items waiting or being worked on. */
  size(): number
  /**
   * A response is being made (a delivery being kept): until the returned function is called, work goes on at
   * `answeringConcurrency`, so that a burst is answered at the speed of its writes and worked on behind it.
   */
  answering(): () => void
}

/**
 * Items worked on at once when no answer is being made: processing waits on round trips (a task's lock, its
 * snapshot, its pending change), so a backlog drains by how many go at once (at 4, 12,000 deliveries
 * took 32 s to drain after a burst on Redis).
 */
const DEFAULT_CONCURRENCY = 16
/**
 * One item at a time while answers are being made: it advances a step per turn of the event loop, ~5 % of a
 * saturated server (at 4, processing took the CPU the answers needed), and never stops.
 */
const DEFAULT_ANSWERING_CONCURRENCY = 1
/** ~200 bytes each (an id, a closure over the parts, an entry): 10 MB at most, a few seconds of a saturated server. */
const DEFAULT_CAPACITY = 50_000
/** Handed-over items kept while waiting, at most (the webhook route's also by weight: a body can be 1 MB). */
const DEFAULT_KEEP_GIVEN = 256

/** `weight`: what it counts against the waiting items' keep (0 for one that started at once). */
type Waiting<G> = { id: string; work: QueueWork<G>; given: G | undefined; weight: number }

/**
 * @example const worker = createQueueWorker<Delivery>({ name: 'plane-webhook', background })
 */
export function createQueueWorker<G>({
  name,
  background,
  concurrency = DEFAULT_CONCURRENCY,
  answeringConcurrency = DEFAULT_ANSWERING_CONCURRENCY,
  capacity = DEFAULT_CAPACITY,
  keepGiven = DEFAULT_KEEP_GIVEN,
  weigh = () => 1,
  keepGivenWeight = Number.POSITIVE_INFINITY,
}: QueueWorkerOptions<G>): QueueWorker<G> {
  // A ring of waiting items read from `head`: shift() on a 50,000-item array would copy it at every start.
  let waiting: Array<Waiting<G> | undefined> = []
  let head = 0
  let keeping = 0
  let keptWeight = 0
  let running = 0
  let answers = 0
  const held = new Set<string>()

  function pump(): void {
    while (running < (answers > 0 ? answeringConcurrency : concurrency) && head < waiting.length) {
      const next = waiting[head] as Waiting<G>
      waiting[head++] = undefined
      if (next.weight > 0) {
        keeping--
        keptWeight -= next.weight
      }
      running++
      background.run(name, () =>
        next.work(next.given).finally(() => {
          held.delete(next.id)
          running--
          pump()
        })
      )
    }
    if (head === waiting.length) {
      waiting = []
      head = 0
    } else if (head > 1024 && head * 2 > waiting.length) {
      waiting = waiting.slice(head)
      head = 0
    }
  }

  return {
    offer(id, work, given) {
      if (held.has(id)) return true
      if (waiting.length - head >= capacity) return false
      held.add(id)
      // One that starts at once keeps what it was handed, whatever it weighs: it never waits.
      const startsNow =
        head === waiting.length && running < (answers > 0 ? answeringConcurrency : concurrency)
      const weight = given === undefined || startsNow ? 0 : Math.max(1, weigh(given))
      const keep =
        given !== undefined &&
        (startsNow || (keeping < keepGiven && keptWeight + weight <= keepGivenWeight))
      if (keep && weight > 0) {
        keeping++
        keptWeight += weight
      }
      waiting.push({ id, work, given: keep ? given : undefined, weight: keep ? weight : 0 })
      pump()
      return true
    },
    holds: (id) => held.has(id),
    size: () => held.size,
    answering() {
      answers++
      let ended = false
      return () => {
        if (ended) return
        ended = true
        answers--
        if (answers === 0) pump()
      }
    },
  }
}
