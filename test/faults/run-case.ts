/**
 * @module One run of a flow under at most one store fault, then recovery as production does it, then what reached
 * the outside world. A `kill` fault stops the runtime and starts a new one on the same store.
 */
import { notifyFunction } from '../../functions/notify/notify.ts'
import { pollFunction } from '../../functions/poll/poll.ts'
import { executeJob } from '../../shared/core/run-job.ts'
import { createStoreQueue } from '../../shared/store/queue.ts'
import { createMemoryStore, type Store } from '../../shared/store/store.ts'
import { CHAT_ID, type E2E, restartE2E, startE2E } from '../../sim/e2e/harness.ts'
import { createFaultyStore, type FaultPlan, type StoreOp } from './faulty-store.ts'
import { checkIn, type Flow, PRIVATE_CHAT } from './flows.ts'

export const FAULT_ENV = {
  NOTIFY_COALESCE_MS: '20',
  TELEGRAM_ALLOWED_CHAT_IDS: `${CHAT_ID},${PRIVATE_CHAT}`,
  WAKE_CHECKIN_SECONDS: '120',
}
const CHECKIN_MS = Number(FAULT_ENV.WAKE_CHECKIN_SECONDS) * 1000
/** Plane retries a delivery that got no answer this long after (by the shared clock), never in real time. */
const PLANE_RETRY_MS = 30_000
/** The time a restart takes: the dead process's 4 s drain lock has expired by then. */
const RESTART_MS = 5_000
/** What came in and waits to be processed: empty once the flow is recovered (an index entry without item aside). */
const INBOUND_QUEUES = [
  ['index:webhook-inbox', 'webhook:inbox:'],
  ['index:telegram-inbox', 'telegram:inbox:'],
  ['index:task-pending', 'task:pending:'],
] as const
/** How long the runtime may take to finish its background work after the trigger (real time). */
const SETTLE_MS = 10_000

export type CaseResult = {
  /** Store operations from the trigger until the flow settled (before recovery). */
  ops: StoreOp[]
  /** The failed operation (null without a plan, or when the run had fewer operations than `at`). */
  hit: StoreOp | null
  /** Broken promises, in words; empty when the run kept them all. */
  problems: string[]
  /** How many times the flow's message or wake reached Telegram or OpenClaw. */
  deliveries: number
}

/** The bridge's clock, the store's and Plane's: real time plus what the test skipped (a restart, a minute). */
function sharedClock() {
  let skip = 0
  return {
    now: () => Date.now() + skip,
    advance(ms: number) {
      skip += ms
    },
    /** The bridge's waits move the clock (a webhook trying the store again, the outbox's spacing). */
    sleep: async (ms: number) => {
      skip += Math.max(0, ms)
    },
  }
}

/** Let the runtime finish what the trigger started: Plane's deliveries, background work, the outbox. */
async function letRun(t: E2E) {
  await t.plane.webhooks.settle()
  await t.services.background.idle(SETTLE_MS)
  await t.bridge.settle(SETTLE_MS).catch(() => undefined)
  await t.services.background.idle(SETTLE_MS)
}

async function cron(t: E2E, fn: typeof notifyFunction | typeof pollFunction, problems: string[]) {
  const run = await executeJob(fn, t.services.root, { trigger: 'cron' })
  if (run.outcome !== 'ok') problems.push(`${fn.name} cron: ${run.outcome} ${run.error ?? ''}`)
}

export type CaseOptions = {
  /** Recover as production does (default). Off, the run shows what the fault alone left: the self-checks. */
  recover?: boolean
  /** Done to the world just before the trigger (the self-checks break a promise on purpose). */
  sabotage?: (t: E2E) => Promise<void> | void
  /** The store both runtimes share (default: a memory store on the shared clock); the case disposes it. */
  store?: () => Store
}

export async function runCase(
  flow: Flow,
  plan: FaultPlan | null,
  { recover = true, sabotage, store }: CaseOptions = {}
): Promise<CaseResult> {
  const clock = sharedClock()
  const shared = store?.() ?? createMemoryStore({ now: clock.now })
  const first = createFaultyStore(shared)
  let t = await startE2E({
    store: first,
    now: clock.now,
    sleep: clock.sleep,
    alive: () => !first.dead,
    plane: { now: clock.now, webhookRetryDelayMs: () => PLANE_RETRY_MS },
    env: FAULT_ENV,
  })
  const problems: string[] = []
  try {
    const subject = await flow.setup(t)
    await sabotage?.(t)
    first.arm(plan ?? undefined)
    let alive = () => !first.dead
    let done = await flow.trigger(t, subject, alive).catch(() => false)
    await letRun(t)
    const ops = [...first.ops]
    const hit = first.hit
    first.arm()

    if (first.dead && recover) {
      // The process is gone: its timers with it. A new one starts on the same store and kicks its outbox.
      await t.halt()
      clock.advance(RESTART_MS)
      const second = createFaultyStore(shared)
      t = await restartE2E(t, {
        store: second,
        now: clock.now,
        sleep: clock.sleep,
        alive: () => !second.dead,
        env: FAULT_ENV,
      })
      alive = () => !second.dead
      t.bridge.kick()
    }
    if (recover) {
      // The failed call's sender tries again (Telegram, agents; Plane only after a transport error, below).
      for (let i = 0; !done && flow.resend && i < 3; i++)
        done = await flow.resend(t, subject, alive).catch(() => false)
      if (!done) problems.push('the sender never got a success')
      await letRun(t)
      await checkIn(t, subject)
      // A minute later: Plane's retries are due, the notify cron replays stored deliveries, the poll reconciles.
      clock.advance(60_000)
      await t.plane.webhooks.settle()
      await cron(t, notifyFunction, problems)
      await letRun(t)
      if (flow.beforePoll && flow.outcome(t, subject).deliveries === 0)
        problems.push(
          'delivered only after the poll (the sender’s retry and the notify cron did not)'
        )
      await cron(t, pollFunction, problems)
      await letRun(t)
      await checkIn(t, subject)
      // Past the wake's check-in deadline: a wake that never went out is sent by the deadline.
      clock.advance(CHECKIN_MS)
      await cron(t, notifyFunction, problems)
      await letRun(t)
    }

    const { deliveries, runs, comments } = flow.outcome(t, subject)
    if (deliveries === 0) problems.push('lost: never delivered')
    if (deliveries > 2) problems.push(`delivered ${deliveries} times`)
    // A comment is one of a kind (its external id): once, never once more.
    if (comments === 0) problems.push('its Plane comment lost')
    if (comments !== null && comments > 1)
      problems.push(`its Plane comment written ${comments} times`)
    if (runs !== null && runs !== 1) problems.push(`${runs} OpenClaw runs admitted for the task`)
    // Without recovery a dead process has no outbox to read: what reached the world is all there is.
    if (first.dead && !recover)
      return { ops, hit, deliveries, problems: [...problems, 'the process died'] }
    const dead = await t.bridge.outbox.deadLetters()
    if (dead.length > 0)
      problems.push(`dead-lettered: ${dead.map((d) => `${d.channel} (${d.lastError})`).join('; ')}`)
    const pending = await t.bridge.outbox.pending()
    if (pending.length > 0)
      problems.push(`left pending: ${pending.map((p) => `${p.channel} ${p.id}`).join('; ')}`)
    for (const [index, itemPrefix] of INBOUND_QUEUES) {
      const left = await createStoreQueue({ store: shared, sortedSet: index, itemPrefix }).range()
      if (left.length > 0) problems.push(`left in ${index}: ${left.map((e) => e.id).join(', ')}`)
    }
    return { ops, hit, deliveries, problems }
  } finally {
    await t.stop()
  }
}
