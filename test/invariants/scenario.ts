/**
 * The steps of a "told once" scenario (issue 28), as fast-check draws them, and how each is played against the
 * world: tool calls by agents, a person's edits in Plane's web UI, another client's API writes, webhooks delivered,
 * held back, lost or sent twice, polls here and in another process, restarts, the coalescing delay's flush, and
 * the human's presses on Telegram cards. Each step feeds the model with what really changed in Plane.
 */

import fc from 'fast-check'
import { STEP_GAP_MS } from '../../runtime/scheduler.ts'
import { INDEX_FRESH_MS } from '../../shared/pipeline/freshen.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { tasksThatMatter } from '../../shared/poll/matter.ts'
import { CARDS_DUE_SET } from '../../shared/runs/records.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import type { DeliveryRoute } from '../../sim/e2e/harness.ts'
import { CHAT_ID } from '../../sim/e2e/harness.ts'
import { chatCards } from '../../sim/e2e/telegram-cards.ts'
import {
  type AgentId,
  createModel,
  OPEN_GROUPS,
  type SeenBy,
  type TaskModel,
  type Truth,
} from './model.ts'
import { STATE_NAMES, type StateName, WINDOW_MS, type World } from './world.ts'

type Delivery = DeliveryRoute
type Status = 'todo' | 'in_progress' | 'done' | 'blocked' | 'cancelled'

export type Step =
  | {
      op: 'status'
      agent: AgentId
      task: number
      status: Status
      confidence: number
      echo: Delivery
    }
  | {
      op: 'comment'
      agent: AgentId
      task: number
      kind: 'note' | 'progress' | 'question' | 'error'
      echo: Delivery
    }
  | { op: 'read'; agent: AgentId; task: number | null }
  | {
      op: 'create'
      assignee: 'imhotep' | 'thot' | null
      deps: number[]
      approval: boolean
      echo: Delivery
    }
  | { op: 'uiState'; task: number; state: StateName; delivery: Delivery }
  | { op: 'uiAssign'; task: number; assignee: 'imhotep' | 'thot' | null; delivery: Delivery }
  | { op: 'uiComment'; task: number; question: boolean; delivery: Delivery }
  | { op: 'apiState'; task: number; state: StateName; delivery: Delivery }
  | { op: 'delete'; task: number; via: 'ui' | 'api' }
  | { op: 'release'; reverse: boolean }
  | { op: 'poll'; where: 'here' | 'job' }
  | { op: 'restart' }
  | { op: 'timer' }
  | { op: 'press'; card: number; action: 'approve' | 'refuse' | 'validate' | 'sendback' }

/** How long a step waits for the bridge's background work before calling it stuck (real time; a loaded CI is slow). */
const IDLE_WITHIN_MS = 120_000

const delivery = fc.constantFrom<Delivery>(
  'deliver',
  'deliver',
  'hold',
  'drop',
  'duplicate',
  'refuse',
  'reset'
)
const agent = fc.constantFrom<AgentId>('imhotep', 'imhotep', 'thot', 'thot', 'ra')
const taskIndex = fc.nat({ max: 20 })
const holder = fc.constantFrom<'imhotep' | 'thot' | null>('imhotep', 'thot', null)

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('status' as const),
      agent,
      task: taskIndex,
      status: fc.constantFrom<Status>(
        'in_progress',
        'in_progress',
        'done',
        'done',
        'blocked',
        'todo',
        'cancelled'
      ),
      confidence: fc.constantFrom(0.5, 0.9),
      echo: delivery,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('comment' as const),
      agent,
      task: taskIndex,
      kind: fc.constantFrom(
        'note' as const,
        'progress' as const,
        'question' as const,
        'error' as const
      ),
      echo: delivery,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('read' as const),
      agent,
      task: fc.option(taskIndex, { nil: null }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('create' as const),
      assignee: holder,
      deps: fc.array(taskIndex, { maxLength: 2 }),
      approval: fc.boolean(),
      echo: delivery,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('uiState' as const),
      task: taskIndex,
      state: fc.constantFrom(...STATE_NAMES),
      delivery,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('uiAssign' as const),
      task: taskIndex,
      assignee: holder,
      delivery,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('uiComment' as const),
      task: taskIndex,
      question: fc.boolean(),
      delivery,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('apiState' as const),
      task: taskIndex,
      state: fc.constantFrom(...STATE_NAMES),
      delivery,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('delete' as const),
      task: taskIndex,
      via: fc.constantFrom('ui' as const, 'api' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('release' as const), reverse: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('poll' as const),
      where: fc.constantFrom('here' as const, 'here' as const, 'job' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
  { weight: 4, arbitrary: fc.constant({ op: 'timer' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('press' as const),
      card: fc.nat({ max: 10 }),
      action: fc.constantFrom(
        'approve' as const,
        'refuse' as const,
        'validate' as const,
        'sendback' as const
      ),
    }),
  }
)

const STATUS_COMMENTS: Record<string, string> = {
  note: 'Une note.',
  progress: 'Étape franchie.',
  question: 'Quel format pour le livrable ?',
  error: 'La compilation échoue.',
}

const BLOCKER = /^\s*(❌|❓)/u
const CONFIDENCE = /(?:confidence|confiance)\s*[:=]\s*(1(?:[.,]0+)?|0(?:[.,]\d+)?)/iu

/** Plays steps against a world and keeps the model of what should be heard. */
export function createScenario(world: World) {
  const model = createModel()
  const { plane } = world
  const t = () => world.t
  const projectId = t().project.id
  const byUser = new Map<string, AgentId>([
    [t().users.imhotep.id, 'imhotep'],
    [t().users.thot.id, 'thot'],
    ...(t().users.ra ? [[t().users.ra?.id as string, 'ra' as AgentId] as const] : []),
  ])
  const userOf = { imhotep: t().users.imhotep.id, thot: t().users.thot.id }
  const order: string[] = []
  const log: string[] = []
  /** Tasks the step itself changed (and told the model about); any other change is the bridge's own doing. */
  const accounted = new Set<string>()
  const lastTruth = new Map<string, Truth>()
  /** OpenClaw calls made before the current step began: what the step wakes comes after. */
  let stepStart = 0
  /** When the projects were last listed (a poll, or a tool's listing of a stale index). */
  let listedAt: number | null = null
  const lastComments = new Map<string, Set<string>>()

  const truth = (task: Pick<TaskModel, 'id'>): Truth => {
    const row = plane.state.issues.get(task.id)
    if (!row) throw new Error(`no task ${task.id} in Plane`)
    const state = plane.state.states.get(String(row.state))
    const labels = (row.labels ?? []).map((id) => plane.state.labels.get(String(id))?.name ?? '')
    const agents = new Set<AgentId>()
    for (const user of row.assignees ?? []) {
      const a = byUser.get(String(user))
      if (a) agents.add(a)
    }
    const assigned = [...agents].sort()
    for (const label of labels)
      if (label.startsWith('agent:')) agents.add(label.slice('agent:'.length) as AgentId)
    return {
      state: (state?.name ?? 'Backlog') as StateName,
      group: (state?.group ?? 'unknown') as Truth['group'],
      agents: [...agents].sort(),
      assigned,
      approval: labels.some((l) => l.toLowerCase() === 'needs-approval'),
    }
  }
  const commentsOf = (taskId: string) =>
    [...plane.state.comments.values()].filter((c) => c.issue === taskId && !c.deleted_at)
  const openclawCalls = () => t().openclaw.calls.length

  // Seeded tasks: in Plane before the bridge was deployed.
  for (const row of [...plane.state.issues.values()].filter((r) => r.project === projectId)) {
    const task = model.add(
      {
        id: row.id,
        seq: Number(row.sequence_id),
        name: row.name,
        known: false,
        unseen: null,
        window: false,
        deps: [],
      },
      truth({ id: row.id }),
      0
    )
    order.push(task.id)
  }

  const pick = (index: number): TaskModel | null => {
    if (order.length === 0) return null
    return model.tasks.get(order[index % order.length] as string) ?? null
  }
  /** Let what the step started finish: Plane's deliveries, the bridge's background work (not its timers). */
  /**
   * The bridge's background work done, however long it takes in real time: on a loaded machine (CI running every
   * file at once) a drain outlasted a 10 s wait, the next step moved the clock past its lock's lease while it still
   * sent, and a poll job's drain sent the same message again: the test's clock, not the bridge, told it twice.
   */
  const idle = async () => {
    if (!(await t().services.background.idle(IDLE_WITHIN_MS, { timers: false })))
      throw new Error(`the bridge's background work still ran after ${IDLE_WITHIN_MS / 1000} s`)
  }
  const quiet = async () => {
    await plane.webhooks.settle()
    await idle()
    // What the next kick does within STEP_GAP_MS in real time (the clock here moves only when a step moves it):
    // the bridge's own writes are due at once (issue 39); windows Plane's webhooks opened are not due yet. A lane
    // whose drain started less than STEP_GAP_MS ago waits for a timer this does not wait for: the clock moves on
    // past the gap (a tenth of a second, far from a 5 s window) and the lanes are kicked, so what was enqueued goes
    // out within its step, as it would in real time.
    await t().bridge.pipeline.flushDue()
    await idle()
    world.advance(STEP_GAP_MS + 1)
    t().bridge.kick()
    await idle()
    model.quieted()
  }
  const withRoute = async <T>(route: Delivery, fn: () => Promise<T>): Promise<T> => {
    t().webhooks.route(() => route)
    try {
      const result = await fn()
      await quiet()
      return result
    } finally {
      t().webhooks.route(null)
    }
  }
  const flush = async () => {
    world.advance(WINDOW_MS + 1)
    t().bridge.kick()
    await quiet()
    model.flush(truth)
  }

  /** Comments a step added, as the bridge classifies them. */
  const newComments = (taskId: string, before: Set<string>) =>
    commentsOf(taskId)
      .filter((c) => !before.has(c.id))
      .filter((c) => !String(c.comment_html).includes('plane-bridge:run-card'))
      .map((c) => {
        const text = String(c.comment_stripped ?? '').replace(/^\S+ — /, '')
        const match = CONFIDENCE.exec(text)
        return {
          blocker: BLOCKER.test(text),
          confidence: match?.[1] ? Number(match[1].replace(',', '.')) : null,
        }
      })

  /** A change of the task made by the step `by` saw (or will see): the model learns it. */
  const changed = (
    task: TaskModel,
    before: Truth,
    after: Truth,
    call: number,
    seen: SeenBy | 'held' | 'silent'
  ) => {
    accounted.add(task.id)
    model.holdersChanged(task, before, after, call)
    const same =
      before.state === after.state &&
      before.agents.join() === after.agents.join() &&
      before.approval === after.approval
    if (same) return
    if (seen === 'held' || seen === 'silent')
      task.unseen = { by: seen, before, since: model.stamp() }
    else model.seeChange(task, before, after, seen, false, call, truth)
  }

  /**
   * Changes no step made: the bridge's own (a dependent moved to Blocked with a ❌ comment when its dependency
   * is cancelled). They went through its pipeline as its writes: told once, like a tool's.
   */
  const sweep = (call: number) => {
    for (const task of model.tasks.values()) {
      const now = truth(task)
      const seen = new Set(commentsOf(task.id).map((c) => c.id))
      const last = lastTruth.get(task.id)
      if (last && !accounted.has(task.id)) {
        const same =
          last.state === now.state &&
          last.agents.join() === now.agents.join() &&
          last.approval === now.approval
        const comments = newComments(task.id, lastComments.get(task.id) ?? new Set())
        if (!same) changed(task, last, now, call, 'write')
        if (!same || comments.some((c) => c.blocker))
          model.seeComments(task, comments, {
            mergesWithBlockedState: now.state === 'Bloqué' && last.state !== 'Bloqué',
          })
      }
      lastTruth.set(task.id, now)
      lastComments.set(task.id, seen)
    }
  }

  /** A poll ran before (a project's first poll reads no task's comments: its past is not news). */
  let polled = false
  /**
   * What a poll caught up (issue 37): a lost ❓ comment on a task that matters is told then (once, whichever way
   * brings it), and a deleted task that matters is forgotten. Which tasks matter is the bridge's own view (its index
   * of agents' open tasks, its open cards), read after the poll as its catch-up read it.
   */
  const caughtUp = async () => {
    const matter = await tasksThatMatter(t().bridge, await t().bridge.directory.agents())
    for (const task of model.tasks.values()) {
      if (task.droppedComments > 0) {
        if (polled && matter.has(task.id))
          model.seeComments(
            task,
            Array.from({ length: task.droppedComments }, () => ({
              blocker: true,
              confidence: null,
            })),
            { mergesWithBlockedState: false }
          )
        else
          model.expected.lateBlocked.set(
            task.id,
            (model.expected.lateBlocked.get(task.id) ?? 0) + task.droppedComments
          )
        task.droppedComments = 0
      }
    }
    await noticed()
  }
  /**
   * Deletions the bridge noticed (the poll; a tool that read a deleted dependency and got Plane's 404): the tasks
   * that waited for them are released.
   */
  const noticed = async (current: (task: TaskModel) => Truth = truth) => {
    for (const task of model.tasks.values())
      if (
        task.deleted &&
        !task.deleted.noticed &&
        (await t().services.store.has(`task:deleted:${task.id}`))
      )
        model.deletionNoticed(task, current)
  }

  /** Plane holds at least one task of the project and none open (a deleted one is gone from its lists). */
  const projectFinished = () => {
    const live = [...model.tasks.values()].filter((m) => m.deleted === null).map(truth)
    return live.length > 0 && live.every((x) => x.group === 'completed' || x.group === 'cancelled')
  }
  let finishes = 0
  let wasFinished = projectFinished()

  const tool = (who: AgentId, name: string, input: unknown) =>
    callHttp(t().app, name, t().bridgeTokens[who] as string, input)

  const run = async (step: Step): Promise<boolean> => {
    switch (step.op) {
      case 'status':
      case 'comment': {
        const task = pick(step.task)
        if (!task || !model.canChange(task)) return false
        const before = truth(task)
        const had = new Set(commentsOf(task.id).map((c) => c.id))
        const call = openclawCalls()
        const input =
          step.op === 'status'
            ? {
                task: `ONB-${task.seq}`,
                status: step.status,
                ...(step.status === 'done'
                  ? { summary: 'Fait.', confidence: step.confidence }
                  : {}),
                ...(step.status === 'blocked' ? { reason: 'Il manque l’accès.' } : {}),
              }
            : {
                task: `ONB-${task.seq}`,
                kind: step.kind,
                text: STATUS_COMMENTS[step.kind],
                ...(step.kind === 'progress' ? { percent: 50 } : {}),
              }
        model.checkedIn(task, step.agent)
        task.worked.add(step.agent)
        const answer = await withRoute(step.echo, () =>
          tool(step.agent, step.op === 'status' ? 'update_task_status' : 'add_comment', input)
        )
        // A status call that went through sighted the task, changed or not: the bridge knows it now.
        if (step.op === 'status' && answer.status === 200) task.known = true
        // A dependency the call found deleted (Plane's 404, before it wrote anything) released what waited for it
        // as the task stood then: the task being started was still unstarted.
        await noticed((m) => (m.id === task.id ? before : truth(m)))
        const after = truth(task)
        const comments = newComments(task.id, had)
        changed(task, before, after, call, 'write')
        // The call checks its agent in on the task as it is after it (a task it reopened is a new assignment).
        model.checkedIn(task, step.agent)
        model.seeComments(task, comments, {
          mergesWithBlockedState: after.state === 'Bloqué' && before.state !== 'Bloqué',
        })
        return true
      }
      case 'read': {
        const picked = step.task === null ? null : pick(step.task)
        const task = picked?.deleted ? null : picked
        if (step.task !== null && !task) return false
        if (task) {
          model.checkedIn(task, step.agent)
          await tool(step.agent, 'get_task_details', { task: `ONB-${task.seq}` })
        } else {
          // A stale index is brought up to date first: the listing sees every task, as a poll does.
          const stale = listedAt === null || world.now() - listedAt > INDEX_FRESH_MS
          const startedAt = world.now()
          await tool(step.agent, 'list_my_tasks', {})
          if (stale) {
            model.listed(truth, stepStart)
            listedAt = startedAt
          }
          // Listing checks the agent in on each open task it holds.
          for (const listed of model.tasks.values()) {
            const now = truth(listed)
            if (now.agents.includes(step.agent) && OPEN_GROUPS.has(now.group))
              model.checkedIn(listed, step.agent)
          }
        }
        await quiet()
        return true
      }
      case 'create': {
        const deps = [
          ...new Set(
            step.deps
              .map((i) => pick(i))
              .filter((d): d is TaskModel => d !== null && d.deleted === null)
          ),
        ]
        const call = openclawCalls()
        const name = `Créée ${order.length + 1}`
        const result = await withRoute(step.echo, () =>
          tool('ra', 'create_task', {
            project: 'ONB',
            title: name,
            ...(step.assignee ? { assignee: step.assignee } : {}),
            ...(deps.length > 0 ? { dependencies: deps.map((d) => `ONB-${d.seq}`) } : {}),
            ...(step.approval ? { approval: true } : {}),
          })
        )
        // A cancelled dependency is refused (409): nothing was created.
        if (result.status === 409) return false
        if (result.status !== 200) throw new Error(`create_task: ${JSON.stringify(result.body)}`)
        const id = String(result.body.id)
        const row = plane.state.issues.get(id)
        const task = model.add(
          {
            id,
            seq: Number(row?.sequence_id),
            name,
            known: true,
            unseen: null,
            window: true,
            deps: deps.map((d) => d.id),
          },
          { state: 'Backlog', group: 'backlog', agents: [], assigned: [], approval: false },
          call
        )
        order.push(id)
        accounted.add(id)
        model.createdWithDeps(task)
        const after = truth(task)
        model.holdersChanged(task, { ...after, agents: [], assigned: [] }, after, call)
        model.seeChange(
          task,
          { state: after.state, group: after.group, agents: [], assigned: [], approval: false },
          after,
          'write',
          true,
          call,
          truth
        )
        return true
      }
      case 'uiState':
      case 'uiAssign':
      case 'apiState': {
        const task = pick(step.task)
        if (!task || !model.canChange(task)) return false
        const before = truth(task)
        const call = openclawCalls()
        await withRoute(step.delivery, async () => {
          if (step.op === 'uiState')
            await plane.ui.updateWorkItem(world.ada.id, task.id, {
              state_id: world.stateId(step.state),
            })
          else if (step.op === 'uiAssign')
            await plane.ui.updateWorkItem(world.ada.id, task.id, {
              assignee_ids: step.assignee ? [userOf[step.assignee]] : [],
            })
          else {
            const response = await plane.fetch(
              `${plane.baseUrl}/api/v1/workspaces/${plane.workspaceSlug}/projects/${projectId}/work-items/${task.id}/`,
              {
                method: 'PATCH',
                headers: { 'X-API-Key': world.ada.apiKey, 'content-type': 'application/json' },
                body: JSON.stringify({ state: world.stateId(step.state) }),
              }
            )
            if (response.status !== 200)
              throw new Error(`API write: ${response.status} ${await response.text()}`)
          }
        })
        const after = truth(task)
        // v1.2 fires no webhook for an API write (makeplane/plane#8792 came with v1.3).
        const silent = step.op === 'apiState' && world.version === '1.2'
        const seen =
          silent || step.delivery === 'drop'
            ? 'silent'
            : step.delivery === 'hold'
              ? 'held'
              : 'webhook'
        changed(task, before, after, call, seen)
        return true
      }
      case 'uiComment': {
        const task = pick(step.task)
        if (!task || task.deleted || (step.question && !model.canChange(task))) return false
        accounted.add(task.id)
        const text = step.question ? '❓ Faut-il traduire aussi les annexes ?' : 'Vu, merci.'
        await withRoute(step.delivery, () =>
          plane.ui.addComment(world.ada.id, task.id, `<p>${text}</p>`)
        )
        if (!step.question) return true
        if (step.delivery === 'hold') task.heldComments++
        else if (step.delivery === 'drop') task.droppedComments++
        else
          model.seeComments(task, [{ blocker: true, confidence: null }], {
            mergesWithBlockedState: false,
          })
        return true
      }
      case 'delete': {
        const task = pick(step.task)
        if (!task || !model.canChange(task)) return false
        accounted.add(task.id)
        // No webhook either way (makeplane/plane#8054): the poll or a 404 notices it.
        if (step.via === 'ui') await plane.ui.deleteWorkItem(world.ada.id, task.id)
        else {
          const response = await plane.fetch(
            `${plane.baseUrl}/api/v1/workspaces/${plane.workspaceSlug}/projects/${projectId}/work-items/${task.id}/`,
            { method: 'DELETE', headers: { 'X-API-Key': world.ada.apiKey } }
          )
          if (response.status !== 204)
            throw new Error(`API delete: ${response.status} ${await response.text()}`)
        }
        await quiet()
        model.deleted(task)
        return true
      }
      case 'release': {
        const heldTasks = [...model.tasks.values()].filter(
          (m) => m.unseen?.by === 'held' || m.heldComments > 0
        )
        await t().webhooks.release({ reverse: step.reverse })
        await quiet()
        for (const task of heldTasks) {
          if (task.unseen?.by === 'held') {
            // seeChange reads when the change was made (unseen.since) and clears it.
            model.seeChange(task, task.unseen.before, truth(task), 'webhook', false, stepStart)
          }
          if (task.heldComments > 0) {
            model.seeComments(
              task,
              Array.from({ length: task.heldComments }, () => ({
                blocker: true,
                confidence: null,
              })),
              { mergesWithBlockedState: false }
            )
            task.heldComments = 0
          }
        }
        return true
      }
      case 'poll': {
        listedAt = world.now()
        if (step.where === 'here') await runPollCycle({ ...t().services, ...t().bridge })
        else
          await world.inOtherProcess(async (other) => {
            await runPollCycle({ ...other.services, ...other.bridge })
          })
        await quiet()
        await caughtUp()
        // The bridge's own writes since the last step (a dependent it moved to Blocked when its dependency was
        // cancelled) are its to tell, not the poll's: swept first, so that a change the poll reveals (an assignment
        // whose delivery was lost) is not counted again with the write that already showed it.
        sweep(stepStart)
        model.poll(truth, stepStart)
        // The job flushes every window before it exits (its outbox too).
        if (step.where === 'job') model.flush(truth)
        polled = true
        return true
      }
      case 'restart':
        await world.restart()
        return true
      case 'timer':
        await flush()
        return true
      case 'press': {
        const cards = chatCards(t().telegram, Number(CHAT_ID)).filter((c) => c.buttons.length > 0)
        const card = cards[step.card % Math.max(1, cards.length)]
        const button = card?.buttons.find((b) => b.callback_data.endsWith(`:${step.action}`))
        const seq = /ONB-(\d+) «/.exec(card?.text ?? '')?.[1]
        const task = [...model.tasks.values()].find((m) => String(m.seq) === seq)
        if (!card || !button || !task || !model.canChange(task)) return false
        const before = truth(task)
        const had = new Set(commentsOf(task.id).map((c) => c.id))
        const call = openclawCalls()
        const update = t().telegram.makeCallbackUpdate({
          data: button.callback_data,
          chatId: Number(CHAT_ID),
          messageId: card.id,
        })
        await t().postTelegram(update)
        await quiet()
        if (step.action === 'sendback') {
          const prompt = t()
            .telegram.messagesIn(Number(CHAT_ID))
            .find((m) => m.text.includes(`Pourquoi renvoyer ONB-${task.seq}`))
          if (prompt) {
            await t().postTelegram(
              t().telegram.makeMessageUpdate({
                text: 'À reprendre.',
                chatId: Number(CHAT_ID),
                replyToMessageId: prompt.message_id,
              })
            )
            await quiet()
          }
        }
        const after = truth(task)
        changed(task, before, after, call, 'write')
        model.seeComments(task, newComments(task.id, had), { mergesWithBlockedState: false })
        return true
      }
    }
  }

  return {
    model,
    truth,
    order,
    log,
    /** How many times the project went from a task open to none (a finish may be told once for each, no more). */
    finishes: () => finishes,
    async play(step: Step) {
      const call = openclawCalls()
      stepStart = call
      accounted.clear()
      const played = await run(step)
      log.push(`${played ? '' : '(skipped) '}${JSON.stringify(step)}`)
      await noticed()
      sweep(call)
      for (const task of model.tasks.values())
        if (truth(task).group === 'started') task.startedEver = true
      // The project's finishes as Plane holds it: each time its last open task closes, one may be told.
      const finished = projectFinished()
      if (finished && !wasFinished) finishes++
      wasFinished = finished
    },
    /** Quiescence: late deliveries arrive, a poll reconciles, every window closes, the outbox empties. */
    async settle() {
      for (const step of [
        { op: 'release', reverse: false },
        { op: 'poll', where: 'here' },
        { op: 'timer' },
      ] as const) {
        const call = openclawCalls()
        stepStart = call
        accounted.clear()
        await run(step)
        sweep(call)
      }
      // Windows opened by the flush itself (a dependent blocked when its dependency was cancelled) close too, and
      // run cards marked by the last changes are written (their coalescing delay).
      for (let i = 0; i < 50; i++) {
        const left = await t().bridge.outbox.pending()
        const windows = await t().services.store.sortedSize('index:task-pending')
        const cards = await t().services.store.sortedSize(CARDS_DUE_SET)
        if (left.length === 0 && windows === 0 && cards === 0) break
        const due =
          Math.min(...left.map((item) => item.notBefore), world.now() + WINDOW_MS) - world.now()
        const call = openclawCalls()
        stepStart = call
        world.advance(Math.max(1_000, due + 1))
        t().bridge.kick()
        await quiet()
        accounted.clear()
        model.flush(truth)
        sweep(call)
      }
    },
  }
}

export type Scenario = ReturnType<typeof createScenario>
