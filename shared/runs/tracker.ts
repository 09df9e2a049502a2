/**
 * @module Agent runs (OPENCLAW-09, 15, 16): every wake is verified — an agent that does not check in is woken
 * again, then the human and the Concierge are told; an active run that goes quiet becomes stale; an agent
 * whose task is taken away is told to stop. Deadlines live in the store (`runs:due`, a sorted index), so
 * a running runtime acts on them on time and the `notify` cron catches what a restart left.
 */
import type { TaskSnapshot } from '../events.ts'
import type { Logger } from '../log.ts'
import type { Counter, Gauge, Histogram, MetricsRegistry } from '../metrics.ts'
import type { AgentRef } from '../notify/directory.ts'
import { type Locale, phrasesFor } from '../notify/i18n.ts'
import { buildTaskUrl, type ProjectRef, renderTaskName } from '../notify/messages.ts'
import { type EnqueueInput, type Outbox, telegramMessage } from '../notify/outbox.ts'
import type { PlaneClient } from '../plane/client.ts'
import type { Store, StoreLock } from '../store/store.ts'
import { APPROVAL_LABEL, agentsOfTask, isAgentTask, isOpenForAgent } from '../task-vocabulary.ts'
import { escapeHtml } from '../telegram/html.ts'
import { runPhrasesFor, type StopReason, type WakeFailure } from './phrases.ts'
import { OPEN_RUN_STATES, openRunRecords, type RunStore } from './records.ts'
import type { RunRecord } from './types.ts'

/** One agent's assignment to one task, from its first wake until it is unassigned. */
export type Assignment = {
  taskId: string
  projectId: string
  agentId: string
  /** Names this assignment in wake idempotency keys: a later re-assignment is a new one. */
  assignmentId: string
  assignedAt: number
  /** Wakes enqueued so far. */
  attempts: number
  firstWakeAt: number | null
  lastWakeAt: number | null
  checkedInAt: number | null
  /** Taken over from a deploy's backlog (already started): never woken. */
  adopted: boolean
  /** The human and the Concierge were told the agent does not answer. */
  unanswered: boolean
  /** Wakes OpenClaw admitted (absent on entries written before it was counted). */
  admitted?: number
  /** Why the last wake did not reach OpenClaw, until one does. */
  lastFailure?: WakeFailure | null
}

export type RunTrackerOptions = {
  store: Store
  outbox: Outbox
  /** Null without Plane: records and cards are not kept, wakes still are verified. */
  runs: RunStore | null
  directory: {
    project(id: string): Promise<ProjectRef | null>
    agentById(id: string): Promise<AgentRef | null>
    agentByPlaneUser(userId: string): Promise<AgentRef | null>
    concierge(): Promise<AgentRef | null>
  }
  /** The last snapshot the pipeline holds of a task. */
  snapshot(taskId: string): Promise<TaskSnapshot | null>
  locale: Locale
  chatId: string | null
  /** Whether OpenClaw hooks are configured: without them nothing is woken or verified. */
  wakeAgents: boolean
  checkinMs: number
  attempts: number
  staleMs: number
  sessionKeyPrefix?: string | undefined
  planeBaseUrl?: string | undefined
  workspaceSlug?: string | undefined
  log: Logger
  metrics: MetricsRegistry
  now: () => number
}

export type AssignOutcome = 'woken' | 'adopted' | 'known' | 'held' | 'off'

export type RunTracker = {
  /**
   * An agent is assigned to a task (a webhook's change, a poll's sighting). New: a verified wake, or on
   * a first sighting of an already started task (a fresh deploy), adoption without a wake.
   */
  assigned(
    task: TaskSnapshot,
    agent: AgentRef,
    options?: { firstSighting?: boolean }
  ): Promise<AssignOutcome>
  /** The agent no longer has the task: told to stop if its run was under way, the run cancelled. */
  unassigned(
    task: TaskSnapshot,
    agent: AgentRef,
    reason: StopReason,
    to?: AgentRef | null
  ): Promise<boolean>
  /** The agent did something on the task (a tool call, a comment, a listing): checked in, not stale. */
  activity(
    taskId: string,
    agent: AgentRef,
    options?: {
      projectId?: string
      ref?: string | null
      task?: TaskSnapshot
      /** The caller's Plane client, if the record must be rebuilt from the task's run card. */
      via?: PlaneClient
      /**
       * The agent only saw the task in its list: the run is checked in (active) without a card of its own, and
       * an active run's heartbeat is written at most once a minute (ten agents listing twenty tasks each).
       */
      listed?: boolean
    }
  ): Promise<void>
  /** A wake OpenClaw admitted; `runId` becomes the task's session. */
  delivered(meta: WakeMeta, runId: string | null): Promise<void>
  /**
   * A wake OpenClaw did not take: the cause is kept for the human's message when every attempt fails,
   * and a refusal of the bridge itself (wrong token, hooks off) is told to the human at once, once a day.
   */
  undelivered(meta: WakeMeta, failure: WakeFailure): Promise<void>
  /** Wake the task's agents with a special text (unblocked…), once per `dedupeKey`. */
  notice(task: TaskSnapshot, text: (ref: string) => string, dedupeKey: string): Promise<number>
  /** Act on every deadline that has passed; `nextDueInMs` says when to come back. */
  due(): Promise<{ handled: number; nextDueInMs: number | null }>
  /** Assignments waiting for a check-in, with their agent: `/plane agent`, `/plane status`. */
  waiting(): Promise<Assignment[]>
}

/** Carried on wake outbox items (never sent): what the sender reports back when OpenClaw admits it. */
export type WakeMeta = { kind: 'wake'; taskId: string; agentId: string; attempt: number }

export const DUE_INDEX = 'runs:due'
/** A listing's heartbeat on an active run is written at most this often (a run goes stale after minutes). */
const LISTED_HEARTBEAT_MS = 60_000
/** Longer than handling one deadline takes (a wake enqueued, a message, a run record). */
const DUE_LOCK_TTL_S = 60
const ASSIGNMENT_TTL_S = 365 * 24 * 60 * 60
const CHECKINS_TTL_S = 8 * 24 * 60 * 60
const DUE_BATCH = 200
const GAUGE_EVERY_MS = 30_000

const assignmentKey = (taskId: string, agentId: string) => `run:assign:${taskId}:${agentId}`
const wakeMember = (taskId: string, agentId: string) => `wake|${taskId}|${agentId}`
const staleMember = (taskId: string) => `stale|${taskId}`
/** The day's check-in delays (seconds), for the digest's p95. */
export const checkinsKey = (day: string) => `runs:checkins:${day}`

export function createRunTracker(options: RunTrackerOptions): RunTracker {
  const { store, outbox, runs, log, now, locale } = options
  const m = _metrics(options.metrics)
  const say = runPhrasesFor(locale)

  const taskRef = async (task: TaskSnapshot) => {
    const project = await options.directory.project(task.projectId)
    const ref =
      project?.identifier && task.sequenceId !== null
        ? `${project.identifier}-${task.sequenceId}`
        : task.id
    const url = buildTaskUrl(
      options.planeBaseUrl,
      options.workspaceSlug,
      task,
      project?.identifier ?? null
    )
    return { project, ref, url }
  }

  const agentWake = (
    agent: AgentRef,
    ref: string,
    message: string,
    dedupeKey: string,
    meta?: WakeMeta
  ): EnqueueInput => ({
    channel: 'openclaw',
    target: agent.openclawAgentId,
    payload: {
      message,
      agentId: agent.openclawAgentId,
      name: 'plane-bridge',
      wakeMode: 'now',
      deliver: false,
      ...(options.sessionKeyPrefix ? { sessionKey: `${options.sessionKeyPrefix}${ref}` } : {}),
    },
    dedupeKey,
    ...(meta ? { meta } : {}),
  })

  /** Enqueue wake n+1, then record it: a crash in between repeats the same (deduplicated) item. */
  const sendWake = async (entry: Assignment, task: TaskSnapshot, agent: AgentRef) => {
    const attempt = entry.attempts + 1
    const { project, ref, url } = await taskRef(task)
    const text = phrasesFor(locale).wake({
      ref,
      title: task.name,
      project: project?.name ?? task.projectId,
      priority: task.priority,
      dueDate: task.targetDate,
      url,
    })
    const message = attempt > 1 ? `${say.reminder(attempt, options.attempts)}\n${text}` : text
    await outbox.enqueue(
      agentWake(
        agent,
        ref,
        message,
        `wake:${task.id}:${agent.id}:${entry.assignmentId}:${attempt}`,
        {
          kind: 'wake',
          taskId: task.id,
          agentId: agent.id,
          attempt,
        }
      )
    )
    const at = now()
    const next: Assignment = {
      ...entry,
      attempts: attempt,
      firstWakeAt: entry.firstWakeAt ?? at,
      lastWakeAt: at,
    }
    await store.set(assignmentKey(task.id, agent.id), next, { ttlSeconds: ASSIGNMENT_TTL_S })
    await store.indexAdd(DUE_INDEX, wakeMember(task.id, agent.id), at + options.checkinMs)
    if (attempt > 1) m.rewakes.inc({ agent: agent.id })
    log.info('agent woken', { task: task.id, agent: agent.id, attempt })
    return next
  }

  const record = (task: { id: string; projectId: string; ref?: string | null }) => ({
    id: task.id,
    projectId: task.projectId,
    ref: task.ref ?? null,
  })
  const keyOf = (r: RunRecord) => ({ id: r.taskId, projectId: r.projectId, ref: r.ref })

  const tellHuman = async (html: string, dedupeKey: string, projectId?: string) => {
    if (options.chatId)
      await outbox.enqueue(telegramMessage(options.chatId, html, dedupeKey, projectId))
  }

  const tellConcierge = async (text: string, dedupeKey: string, ref: string) => {
    if (!options.wakeAgents) return
    const concierge = await options.directory.concierge()
    if (concierge) await outbox.enqueue(agentWake(concierge, ref, text, dedupeKey))
  }

  const assigned: RunTracker['assigned'] = async (task, agent, { firstSighting = false } = {}) => {
    if (!options.wakeAgents) return 'off'
    const key = assignmentKey(task.id, agent.id)
    const adopt = firstSighting && task.state?.group === 'started'
    // Held for the human's approval: nothing is recorded, so the approval's sighting wakes the agent.
    if (!adopt && _held(task)) return 'held'
    // The deadline goes in first: whatever happens next, it comes due and is checked against the store.
    if (!adopt)
      await store.indexAdd(DUE_INDEX, wakeMember(task.id, agent.id), now() + options.checkinMs, {
        onlyIfAbsent: true,
      })
    const entry = _newAssignment(task, agent.id, now(), adopt)
    if (!(await store.claim(key, ASSIGNMENT_TTL_S, entry))) return 'known'
    const { ref } = await taskRef(task)
    if (adopt) {
      await runs?.update(
        record({ ...task, ref }),
        (r) =>
          OPEN_RUN_STATES.has(r.state) && r.agentId === agent.id
            ? r
            : {
                ...r,
                agentId: agent.id,
                state: 'active',
                lastActivityAt: r.lastActivityAt ?? new Date(now()).toISOString(),
              },
        { agentName: agent.name, card: false }
      )
      await store.indexAdd(DUE_INDEX, staleMember(task.id), now() + options.staleMs)
      log.info('run adopted', { task: task.id, agent: agent.id })
      return 'adopted'
    }
    await runs?.update(
      record({ ...task, ref }),
      (r) => _newRun(r, agent.id, new Date(now()).toISOString()),
      { agentName: agent.name, card: false }
    )
    await sendWake(entry, task, agent)
    return 'woken'
  }

  const unassigned: RunTracker['unassigned'] = async (task, agent, reason, to = null) => {
    const key = assignmentKey(task.id, agent.id)
    const entry = await store.get<Assignment>(key)
    const current = runs ? await runs.peek(task.id) : null
    const mine = current?.agentId === agent.id
    // Never woken (held for approval, say): nothing to stop.
    const underWay = entry !== null && (!mine || OPEN_RUN_STATES.has(current.state))
    let told = false
    if (underWay && options.wakeAgents) {
      const { ref } = await taskRef(task)
      await outbox.enqueue(
        agentWake(
          agent,
          ref,
          say.stop(ref, task.name, reason, to?.name ?? null),
          `stop:${task.id}:${agent.id}:${entry?.assignmentId ?? task.updatedAt}`
        )
      )
      told = true
      log.info('agent told to stop', { task: task.id, agent: agent.id, reason })
    }
    if (runs && mine && current && OPEN_RUN_STATES.has(current.state)) {
      const at = new Date(now()).toISOString()
      await runs.update(
        keyOf(current),
        (r) =>
          r.agentId !== agent.id || !OPEN_RUN_STATES.has(r.state)
            ? r
            : {
                ...r,
                state: 'cancelled',
                finishedAt: at,
                timerStartedAt: null,
                timeSpentSeconds:
                  r.timeSpentSeconds +
                  (r.timerStartedAt
                    ? Math.max(0, Math.round((now() - Date.parse(r.timerStartedAt)) / 1000))
                    : 0),
                previous: [
                  ...(r.previous ?? []),
                  { agentId: agent.id, state: 'cancelled', reason, at },
                ],
              },
        { agentName: agent.name, agentNames: { [agent.id]: agent.name } }
      )
    }
    await store.indexRemove(DUE_INDEX, wakeMember(task.id, agent.id))
    await store.delete(key)
    return told
  }

  const activity: RunTracker['activity'] = async (taskId, agent, where = {}) => {
    const key = assignmentKey(taskId, agent.id)
    const entry = await store.get<Assignment>(key)
    const at = now()
    // The agent found its task before any wake reached it (it listed it, or called a tool on it): the
    // assignment is taken as checked in, so no wake follows for it (none while it waits for approval).
    if (!entry) {
      const task = (await options.snapshot(taskId)) ?? where.task ?? null
      if (task && isAgentTask(task, agent) && isOpenForAgent(task) && !_held(task))
        await store.claim(key, ASSIGNMENT_TTL_S, _newAssignment(task, agent.id, at, true))
    }
    if (entry && entry.checkedInAt === null) {
      await store.set(key, { ...entry, checkedInAt: at }, { ttlSeconds: ASSIGNMENT_TTL_S })
      await store.indexRemove(DUE_INDEX, wakeMember(taskId, agent.id))
      if (entry.firstWakeAt !== null) m.wakeToCheckin.observe({}, (at - entry.firstWakeAt) / 1000)
      const day = new Date(at).toISOString().slice(0, 10)
      await store.indexAdd(
        checkinsKey(day),
        `${taskId}|${agent.id}|${entry.assignmentId}`,
        (at - entry.assignedAt) / 1000,
        {
          ttlSeconds: CHECKINS_TTL_S,
        }
      )
      log.info('agent checked in', { task: taskId, agent: agent.id, attempts: entry.attempts })
    }
    if (!runs) return
    const stored = await runs.peek(taskId)
    const projectId = stored?.projectId ?? where.projectId
    if (!projectId) return
    const iso = new Date(at).toISOString()
    // A change of state writes the card (people see the run start); a mere heartbeat stays in the store.
    const starts = (r: RunRecord | null) =>
      r === null ||
      ((r.agentId ?? agent.id) === agent.id && (r.state === 'pending' || r.state === 'stale'))
    const lastBeat = Date.parse(stored?.lastActivityAt ?? '') || 0
    if (where.listed && stored && !starts(stored) && at - lastBeat < LISTED_HEARTBEAT_MS) return
    await runs.update(
      { id: taskId, projectId, ref: stored?.ref ?? where.ref ?? null },
      (r) =>
        starts(r)
          ? { ...r, lastActivityAt: iso, agentId: agent.id, state: 'active' }
          : { ...r, lastActivityAt: iso },
      {
        agentName: agent.name,
        card: starts(stored) && !where.listed,
        ...(where.via ? { via: where.via } : {}),
      }
    )
    await store.indexAdd(DUE_INDEX, staleMember(taskId), at + options.staleMs)
  }

  const delivered: RunTracker['delivered'] = async (meta, runId) => {
    const key = assignmentKey(meta.taskId, meta.agentId)
    const entry = await store.get<Assignment>(key)
    if (entry) {
      if ((entry.admitted ?? 0) === 0) m.assignToWake.observe({}, (now() - entry.assignedAt) / 1000)
      await store.set(
        key,
        { ...entry, admitted: (entry.admitted ?? 0) + 1, lastFailure: null },
        { ttlSeconds: ASSIGNMENT_TTL_S }
      )
    }
    if (!runId || !runs) return
    const current = await runs.peek(meta.taskId)
    if (!current || current.agentId !== meta.agentId || current.sessionId === runId) return
    await runs.update(keyOf(current), (r) => ({ ...r, sessionId: runId }), {
      agentName: null,
      card: false,
    })
  }

  const undelivered: RunTracker['undelivered'] = async (meta, failure) => {
    const key = assignmentKey(meta.taskId, meta.agentId)
    const entry = await store.get<Assignment>(key)
    if (entry && (entry.admitted ?? 0) === 0)
      await store.set(key, { ...entry, lastFailure: failure }, { ttlSeconds: ASSIGNMENT_TTL_S })
    if (failure.kind === 'auth' || failure.kind === 'not_found') {
      const day = new Date(now()).toISOString().slice(0, 10)
      await tellHuman(
        say.refusedHuman(say.cause(_escaped(failure))),
        `openclaw-refused:${failure.kind}:${day}`
      )
      log.error('OpenClaw refuses the wake-ups', { kind: failure.kind, status: failure.status })
    }
  }

  const notice: RunTracker['notice'] = async (task, text, dedupeKey) => {
    if (!options.wakeAgents) return 0
    const { ref } = await taskRef(task)
    let count = 0
    for (const agent of await agentsOfTask(options.directory, task)) {
      const { enqueued } = await outbox.enqueue(
        agentWake(agent, ref, text(ref), `${dedupeKey}:${agent.id}`)
      )
      if (enqueued) count++
    }
    return count
  }

  /** A wake deadline: checked in → done; still assigned → wake again or, out of attempts, tell people. */
  const wakeDue = async (taskId: string, agentId: string) => {
    const member = wakeMember(taskId, agentId)
    const agent = await options.directory.agentById(agentId)
    const task = await options.snapshot(taskId)
    const entry = await store.get<Assignment>(assignmentKey(taskId, agentId))
    const stillMine = agent && task && isAgentTask(task, agent) && isOpenForAgent(task)
    if (!agent || !task || !stillMine || _held(task)) {
      await store.indexRemove(DUE_INDEX, member)
      return
    }
    if (!entry) {
      // The assignment was never recorded (a crash after its deadline was set): record it now.
      await store.indexRemove(DUE_INDEX, member)
      await assigned(task, agent)
      return
    }
    if (entry.checkedInAt !== null || entry.unanswered) {
      await store.indexRemove(DUE_INDEX, member)
      return
    }
    if (entry.attempts < options.attempts) {
      await sendWake(entry, task, agent)
      return
    }
    const { project, ref, url } = await taskRef(task)
    const name = renderTaskName(task, { locale, project, taskUrl: url })
    const who = `<b>${escapeHtml(agent.name)}</b>`
    // No wake ever reached OpenClaw: say why; the Concierge, behind the same OpenClaw, is not tried.
    const failure = (entry.admitted ?? 0) === 0 ? (entry.lastFailure ?? null) : null
    await tellHuman(
      failure
        ? say.undeliveredHuman(who, name, entry.attempts, say.cause(_escaped(failure)))
        : say.unansweredHuman(who, name, entry.attempts),
      `unanswered:${taskId}:${agentId}:${entry.assignmentId}`,
      task.projectId
    )
    if (!failure)
      await tellConcierge(
        say.unansweredConcierge(agent.name, ref, entry.attempts),
        `unanswered:${taskId}:${agentId}:${entry.assignmentId}:concierge`,
        ref
      )
    await store.set(
      assignmentKey(taskId, agentId),
      { ...entry, unanswered: true },
      { ttlSeconds: ASSIGNMENT_TTL_S }
    )
    await store.indexRemove(DUE_INDEX, member)
    m.unanswered.inc({ agent: agentId })
    log.warn('agent does not answer', { task: taskId, agent: agentId, attempts: entry.attempts })
  }

  /** A stale deadline: quiet for the window → stale, the human told once; activity since → later. */
  const staleDue = async (taskId: string) => {
    const member = staleMember(taskId)
    const current = runs ? await runs.peek(taskId) : null
    if (!runs || !current || current.state !== 'active' || !current.agentId) {
      await store.indexRemove(DUE_INDEX, member)
      return
    }
    const last = Date.parse(current.lastActivityAt ?? current.stateSince ?? '') || 0
    if (last + options.staleMs > now()) {
      await store.indexAdd(DUE_INDEX, member, last + options.staleMs)
      return
    }
    const agent = await options.directory.agentById(current.agentId)
    const task = await options.snapshot(taskId)
    await runs.update(
      keyOf(current),
      (r) => (r.state === 'active' ? { ...r, state: 'stale' } : r),
      { agentName: agent?.name ?? current.agentId }
    )
    if (task) {
      const { project, url } = await taskRef(task)
      await tellHuman(
        say.staleHuman(
          `<b>${escapeHtml(agent?.name ?? current.agentId)}</b>`,
          renderTaskName(task, { locale, project, taskUrl: url }),
          Math.round(options.staleMs / 60_000)
        ),
        `stale:${taskId}:${last}`,
        task.projectId
      )
    }
    await store.indexRemove(DUE_INDEX, member)
    m.stale.inc({ agent: current.agentId })
    log.warn('run went stale', { task: taskId, agent: current.agentId })
  }

  /** `plane_bridge_runs{state}`: open runs by state, counted from the index at most every 30 s. */
  let gaugeAt = Number.NEGATIVE_INFINITY
  const refreshGauge = async () => {
    if (now() - gaugeAt < GAUGE_EVERY_MS) return
    gaugeAt = now()
    const counts: Record<string, number> = { pending: 0, active: 0, awaiting: 0, stale: 0 }
    for (const r of await openRunRecords(store)) counts[r.state] = (counts[r.state] ?? 0) + 1
    for (const [state, n] of Object.entries(counts)) m.runs.set({ state }, n)
  }

  return {
    assigned,
    unassigned,
    activity,
    delivered,
    undelivered,
    notice,
    async due() {
      await refreshGauge()
      let handled = 0
      const entries = await store.indexRange(DUE_INDEX, { maxScore: now(), limit: DUE_BATCH })
      for (const { member } of entries) {
        const [kind, taskId, agentId] = member.split('|')
        // Two passes at once (a process's flush and the notify cron, two replicas) would both act on a deadline
        // they both read as due: the second sending reminder 3/3 right after 2/3. One pass per deadline, and only
        // while it is still due (the other pass may have moved it on).
        let lock: StoreLock | null = null
        try {
          lock = await store.lock(`runs:due:lock:${member.replaceAll('|', ':')}`, DUE_LOCK_TTL_S)
          if (!lock) continue
          const score = await store.indexScore(DUE_INDEX, member)
          if (score === null || score > now()) continue
          if (kind === 'wake' && taskId && agentId) await wakeDue(taskId, agentId)
          else if (kind === 'stale' && taskId) await staleDue(taskId)
          else await store.indexRemove(DUE_INDEX, member)
          handled++
        } catch (error) {
          // One broken deadline must not hold the others: it stays and is tried again next pass.
          log.error('run deadline failed', {
            member,
            error: error instanceof Error ? error.message : String(error),
          })
        } finally {
          await lock?.release().catch(() => undefined)
        }
      }
      const [next] = await store.indexRange(DUE_INDEX, { limit: 1 })
      return { handled, nextDueInMs: next ? Math.max(0, next.score - now()) : null }
    },
    async waiting() {
      const entries = await store.indexRange(DUE_INDEX, { limit: DUE_BATCH })
      const out: Assignment[] = []
      for (const { member } of entries) {
        const [kind, taskId, agentId] = member.split('|')
        if (kind !== 'wake' || !taskId || !agentId) continue
        const entry = await store.get<Assignment>(assignmentKey(taskId, agentId))
        if (entry && entry.checkedInAt === null && !entry.unanswered) out.push(entry)
      }
      return out
    },
  }
}

// --- Internal helpers ---

function _escaped(failure: WakeFailure): WakeFailure {
  return { ...failure, detail: escapeHtml(failure.detail) }
}

function _held(task: TaskSnapshot): boolean {
  return task.labels.some((l) => l.toLowerCase() === APPROVAL_LABEL)
}

/** A new run for this agent; a previous agent's open run is closed as reassigned. */
function _newRun(r: RunRecord, agentId: string, at: string): RunRecord {
  if (r.agentId === agentId && OPEN_RUN_STATES.has(r.state)) return r
  const previous =
    r.agentId && r.agentId !== agentId && OPEN_RUN_STATES.has(r.state)
      ? [
          ...(r.previous ?? []),
          { agentId: r.agentId, state: 'cancelled' as const, reason: 'reassigned', at },
        ]
      : (r.previous ?? [])
  return {
    ...r,
    agentId,
    state: 'pending',
    startedAt: null,
    finishedAt: null,
    summary: null,
    previous,
  }
}

function _metrics(registry: MetricsRegistry): {
  assignToWake: Histogram
  wakeToCheckin: Histogram
  unanswered: Counter
  rewakes: Counter
  stale: Counter
  runs: Gauge
} {
  const buckets = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const
  return {
    assignToWake: registry.histogram(
      'plane_bridge_wake_sent_seconds',
      'Time from an assignment being seen to its first wake being admitted by OpenClaw.',
      buckets
    ),
    wakeToCheckin: registry.histogram(
      'plane_bridge_wake_checkin_seconds',
      "Time from an assignment's first wake to the agent's check-in (its first tool call on the task).",
      buckets
    ),
    unanswered: registry.counter(
      'plane_bridge_wakes_unanswered_total',
      'Assignments whose every wake went unanswered, by agent (the human and the Concierge were told).'
    ),
    rewakes: registry.counter(
      'plane_bridge_wakes_repeated_total',
      'Wakes sent again because the agent had not checked in, by agent.'
    ),
    stale: registry.counter(
      'plane_bridge_runs_stale_total',
      'Active runs that went stale (no tool call, no comment for RUN_STALE_MINUTES), by agent.'
    ),
    runs: registry.gauge(
      'plane_bridge_runs',
      'Agent runs under way by state (pending: woken, not checked in; active; awaiting; stale).'
    ),
  }
}

/** A new assignment of a task to an agent: to be woken, or adopted (checked in already, never woken). */
function _newAssignment(
  task: Pick<TaskSnapshot, 'id' | 'projectId'>,
  agentId: string,
  at: number,
  adopted: boolean
): Assignment {
  return {
    taskId: task.id,
    projectId: task.projectId,
    agentId,
    assignmentId: at.toString(36),
    assignedAt: at,
    attempts: 0,
    firstWakeAt: null,
    lastWakeAt: null,
    checkedInAt: adopted ? at : null,
    adopted,
    unanswered: false,
    admitted: 0,
    lastFailure: null,
  }
}
