/**
 * What a person and the agents should hear, worked out from what really happened (Plane's rows before and after
 * each step) and from how the bridge could have seen it: its own writes, a webhook, a poll. The expectations here
 * are the promises of issue 28, stated once; the scenario feeds this model and compares it with the simulators.
 *
 * The scenario never changes a task again before the bridge could have seen its last change on its own (the
 * poll after a silent change, the release after a held one, and the coalescing delay's flush): each change
 * is then told on its own, so "exactly once" is exact, not "at least".
 */
import type { StateName } from './world.ts'

export type AgentId = 'imhotep' | 'thot' | 'ra'
export const AGENT_IDS: readonly AgentId[] = ['imhotep', 'thot', 'ra']

/** A task as Plane holds it, in the words the invariants need. */
export type Truth = {
  state: StateName
  group: 'backlog' | 'unstarted' | 'started' | 'completed' | 'cancelled' | 'unknown'
  agents: AgentId[]
  /** Of `agents`, those among Plane's assignees (the others hold it by their `agent:<id>` label alone). */
  assigned: AgentId[]
  approval: boolean
}

/** How the bridge comes to see a change. */
export type SeenBy = 'write' | 'webhook' | 'poll'

type Episode = {
  /** OpenClaw calls made before the episode began: later wakes for this task and agent belong to it. */
  startCall: number
  /** The bridge saw the agent hold the task, open and not waiting for approval. */
  worthy: boolean
  /** Taken over from the deploy's backlog: started, held by this agent, first seen by the first poll. */
  adoptable: boolean
  /** The agent called a tool on the task (or listed it) during the episode: it knows of it, woken or not. */
  checkedIn: boolean
}

export type TaskModel = {
  id: string
  seq: number
  name: string
  /** The bridge holds a snapshot of the task (an issue sighting happened). */
  known: boolean
  /** A change of the task's fields not yet seen: its webhook held back, or nothing told the bridge (a poll will). */
  unseen: null | { by: 'held' | 'silent'; before: Truth; since: number }
  /** When each agent last called a tool on the task (the model's clock: `stamp()`). */
  touched: Map<AgentId, number>
  /** Agents that wrote on the task (a status, a comment): only work starts a run, a listing or a read does not. */
  worked: Set<AgentId>
  /** Plane showed the task In Progress (or another started state) at some step: a run may be under way without work. */
  startedEver: boolean
  /** A ❓/❌ comment whose webhook is held back. */
  heldComments: number
  /**
   * A ❓/❌ comment whose delivery was lost (Plane saw an answer): the next poll catches it up if the task matters
   * then (an agent's open task, a card waiting), and a poll ran before it (a project's first poll reads none).
   */
  droppedComments: number
  /** Deleted in Plane (no webhook, makeplane/plane#8054); `noticed` once the bridge forgot it. */
  deleted: null | { noticed: boolean }
  /** A coalescing delay may be open: the next change waits for the flush. */
  window: boolean
  /** Dependencies recorded by create_task (task ids). */
  deps: string[]
  /** Agents told "débloquée" so far (expected). */
  releasedTo: Set<AgentId>
  episodes: Map<AgentId, Episode[]>
}

export type Expected = {
  completions: Map<string, number>
  blocked: Map<string, number>
  reviews: Map<string, number>
  approvals: Map<string, number>
  released: Map<string, number>
  /**
   * Lost ❓/❌ comments on a task that did not matter at the poll after the loss: a later poll may still tell them,
   * once, when the task has come to matter and the comment is within its listing's overlap (shared/poll/comments.ts).
   */
  lateBlocked: Map<string, number>
  /**
   * Releases a deletion owed to agents: the bridge reads the dependent from Plane when it handles the deletion,
   * which may come after a person took the agent off it (it then owes that agent nothing). Lenient only for an
   * agent that no longer holds the dependent at the end.
   */
  releasedByDeletion: Map<string, AgentId[]>
  /**
   * Dependents created while a dependency's completion, written by the bridge, was told "at once" but its flush
   * still ran in the background (a kick, not awaited by the tool's answer): that flush finds the new dependent,
   * unstarted with every dependency done, and may release it once per agent. The model released at the write,
   * before the dependent existed, so it expects none; the bridge may say it once.
   */
  mayReleaseLate: Set<string>
}

export const OPEN_GROUPS = new Set(['unstarted', 'started'])

export function createModel() {
  const tasks = new Map<string, TaskModel>()
  const expected: Expected = {
    completions: new Map(),
    blocked: new Map(),
    reviews: new Map(),
    approvals: new Map(),
    released: new Map(),
    lateBlocked: new Map(),
    releasedByDeletion: new Map(),
    mayReleaseLate: new Set(),
  }
  /** Completions seen since the last flush: their dependents are looked at when it comes. */
  let closedSinceFlush: string[] = []
  /** Completions the bridge wrote since the bridge was last quiet: their flush may still be running. */
  const closedByWrite = new Set<string>()
  /** Orders Plane's changes and the agents' tool calls: a call after a change saw the task as it changed. */
  let clock = 0
  const stamp = () => ++clock
  const bump = (map: Map<string, number>, id: string, by = 1) =>
    map.set(id, (map.get(id) ?? 0) + by)

  /**
   * `closed` is done (or deleted): each task that waited for it, and now for nothing (its dependencies done or
   * deleted: Plane answers 404 for those), is released once per agent holding it, if not started yet.
   */
  const release = (
    closed: string,
    current: (task: TaskModel) => Truth,
    { byDeletion = false }: { byDeletion?: boolean } = {}
  ) => {
    for (const dependent of tasks.values()) {
      if (!dependent.deps.includes(closed) || dependent.deleted) continue
      const truth = current(dependent)
      // Still waiting for the human's approval: its approval is what wakes its agents, not its dependencies.
      if (truth.group !== 'unstarted' || truth.approval) continue
      const allDone = dependent.deps.every((d) => {
        const dep = tasks.get(d)
        return dep !== undefined && (dep.deleted !== null || current(dep).group === 'completed')
      })
      if (!allDone) continue
      // Labels follow assignees (OPENCLAW-10): an agent a person took off the dependent keeps its label until the
      // bridge flushes that change, and the bridge releases the dependent as it will be then (runs/dependents.ts).
      // Here only such a removal leaves an agent's label without its assignee: that agent is released nothing.
      for (const agent of truth.agents.filter((a) => truth.assigned.includes(a))) {
        if (dependent.releasedTo.has(agent)) continue
        dependent.releasedTo.add(agent)
        bump(expected.released, dependent.id)
        if (byDeletion) {
          const agents = expected.releasedByDeletion.get(dependent.id) ?? []
          expected.releasedByDeletion.set(dependent.id, [...agents, agent])
        }
      }
    }
  }

  const episodesOf = (task: TaskModel, agent: AgentId) => {
    const list = task.episodes.get(agent) ?? []
    task.episodes.set(agent, list)
    return list
  }

  /** The bridge sees the task as `after` (its change from `before` told or not): who is to be woken, asked. */
  const sawHolders = (
    task: TaskModel,
    after: Truth,
    { adopt, wakes = true }: { adopt: boolean; wakes?: boolean }
  ) => {
    for (const agent of after.agents) {
      const current = episodesOf(task, agent).at(-1)
      if (!current) continue
      if (adopt && after.group === 'started' && !current.worthy) current.adoptable = true
      else if (wakes && OPEN_GROUPS.has(after.group) && !after.approval) current.worthy = true
    }
  }

  return {
    tasks,
    expected,
    stamp,

    add(
      task: Omit<
        TaskModel,
        | 'releasedTo'
        | 'episodes'
        | 'heldComments'
        | 'droppedComments'
        | 'deleted'
        | 'touched'
        | 'worked'
        | 'startedEver'
      >,
      holders: Truth,
      call: number
    ) {
      const model: TaskModel = {
        ...task,
        heldComments: 0,
        droppedComments: 0,
        deleted: null,
        releasedTo: new Set(),
        episodes: new Map(),
        touched: new Map(),
        worked: new Set(),
        startedEver: holders.group === 'started',
      }
      tasks.set(task.id, model)
      for (const agent of holders.agents)
        episodesOf(model, agent).push({
          startCall: call,
          worthy: false,
          adoptable: false,
          checkedIn: false,
        })
      return model
    },

    /** Whether a change of `task` now would be told on its own (the rule that keeps "exactly once" exact). */
    canChange(task: TaskModel): boolean {
      return (
        task.unseen === null &&
        task.heldComments === 0 &&
        task.droppedComments === 0 &&
        !task.window &&
        task.deleted === null
      )
    },

    /** Agents gained and lost in Plane by a step: episodes begin. */
    holdersChanged(task: TaskModel, before: Truth, after: Truth, call: number) {
      for (const agent of after.agents)
        if (!before.agents.includes(agent))
          episodesOf(task, agent).push({
            startCall: call,
            worthy: false,
            adoptable: false,
            checkedIn: false,
          })
    },

    /**
     * The bridge sees a change of the task's fields. A first sighting by a read (a poll) of a task it never
     * knew adopts it silently; its own write and a webhook's hint are changes all the same.
     */
    seeChange(
      task: TaskModel,
      before: Truth,
      after: Truth,
      by: SeenBy,
      created = false,
      call = 0,
      current?: (task: TaskModel) => Truth
    ) {
      const told = task.known || by !== 'poll' || created
      // When Plane changed it: an agent that called a tool on the task since then saw it as it is now.
      const since = task.unseen?.since ?? stamp()
      // Whatever the bridge had not seen of the task, it sees now.
      task.unseen = null
      // A cancelled task's runs are over (its agents told to stop); reopened, it is a new assignment, which an
      // agent that read the reopened task before the bridge heard of the reopening already knows of.
      if (told && before.group === 'cancelled' && OPEN_GROUPS.has(after.group))
        for (const agent of after.agents)
          episodesOf(task, agent).push({
            startCall: call,
            worthy: false,
            adoptable: false,
            checkedIn: (task.touched.get(agent) ?? 0) > since,
          })
      task.known = true
      task.window = true
      if (told) {
        if (after.group === 'completed' && before.group !== 'completed') {
          bump(expected.completions, task.id)
          closedSinceFlush.push(task.id)
        }
        if (after.state === 'Bloqué' && before.state !== 'Bloqué') bump(expected.blocked, task.id)
        // Held for approval, open to an agent it was given to, or opened (out of the backlog, reopened) with its
        // agents: the human is asked (once per task). A backlog task is not the agent's to pick up (OPENCLAW-02),
        // so giving it one asks nothing until it opens.
        const opened = OPEN_GROUPS.has(after.group) && !OPEN_GROUPS.has(before.group)
        if (
          after.approval &&
          OPEN_GROUPS.has(after.group) &&
          after.agents.some((a) => opened || created || !before.agents.includes(a))
        )
          expected.approvals.set(task.id, 1)
      }
      sawHolders(task, after, { adopt: false })
      // Issue 39: a write of the bridge's own, read back, is told at once: its window closes now, and a completion
      // releases what waited for it now, not when a window would have closed.
      if (by === 'write' && current) {
        task.window = false
        if (closedSinceFlush.includes(task.id)) {
          release(task.id, current)
          closedSinceFlush = closedSinceFlush.filter((id) => id !== task.id)
          closedByWrite.add(task.id)
        }
      }
    },

    /** Blocker comments (❓ ❌) and confidence reports the bridge sees, in their task's window. */
    seeComments(
      task: TaskModel,
      comments: readonly { blocker: boolean; confidence: number | null }[],
      { mergesWithBlockedState }: { mergesWithBlockedState: boolean }
    ) {
      const blockers = comments.filter((c) => c.blocker).length
      // A blocker comment stands for the blocked state of its window: one message, not two.
      if (blockers > 0) bump(expected.blocked, task.id, blockers - (mergesWithBlockedState ? 1 : 0))
      for (const c of comments)
        if (c.confidence !== null && c.confidence < 0.7) bump(expected.reviews, task.id)
      if (comments.some((c) => c.blocker || c.confidence !== null)) task.window = true
    },

    /**
     * A poll lists every task: unseen changes of known tasks are seen and told; a task seen for the first time
     * by this read is adopted as it is (started: its agents are not woken), then the agents tick.
     */
    poll(current: (task: TaskModel) => Truth, call = 0) {
      for (const task of tasks.values()) {
        // Gone from Plane's listings.
        if (task.deleted) continue
        const truth = current(task)
        const firstSight = !task.known
        if (task.unseen && !firstSight)
          this.seeChange(task, task.unseen.before, truth, 'poll', false, call)
        task.unseen = null
        task.known = true
        sawHolders(task, truth, { adopt: firstSight })
      }
    },

    /**
     * A tool's listing of stale projects (list_my_tasks, issue 32's index): it sees every task as a poll does and
     * adopts a deploy's backlog the same way, but wakes nobody by itself (no agent tick).
     */
    listed(current: (task: TaskModel) => Truth, call = 0) {
      for (const task of tasks.values()) {
        if (task.deleted) continue
        const truth = current(task)
        const firstSight = !task.known
        if (task.unseen && !firstSight)
          this.seeChange(task, task.unseen.before, truth, 'poll', false, call)
        task.unseen = null
        task.known = true
        if (firstSight) sawHolders(task, truth, { adopt: true, wakes: false })
      }
    },

    /**
     * Windows close: each completion seen releases the tasks that waited for it and for nothing else, once per
     * agent (their truth now, as the bridge reads Plane then).
     */
    flush(current: (task: TaskModel) => Truth) {
      for (const closed of closedSinceFlush) release(closed, current)
      closedSinceFlush = []
      closedByWrite.clear()
      for (const task of tasks.values()) task.window = false
    },

    /** The bridge is quiet: every flush its own writes kicked has run. */
    quieted() {
      closedByWrite.clear()
    },

    /** A task create_task just made, with these dependencies: one whose completion's flush may still run. */
    createdWithDeps(task: TaskModel) {
      if (task.deps.some((d) => closedByWrite.has(d))) expected.mayReleaseLate.add(task.id)
    },

    /** The task was deleted in Plane. */
    deleted(task: TaskModel) {
      task.deleted = { noticed: false }
    },

    /**
     * The bridge noticed the deletion (it forgot the task): the tasks that waited for it and for nothing else
     * (a dependency deleted in Plane holds nothing back) are released, once per agent.
     */
    deletionNoticed(task: TaskModel, current: (task: TaskModel) => Truth) {
      if (!task.deleted || task.deleted.noticed) return
      task.deleted.noticed = true
      release(task.id, current, { byDeletion: true })
    },

    /** The agent worked on the task through the tools (refused calls count): it checked in, on the task as it is. */
    checkedIn(task: TaskModel, agent: AgentId) {
      const current = episodesOf(task, agent).at(-1)
      if (current) current.checkedIn = true
      task.touched.set(agent, stamp())
    },

    episodesOf,
  }
}

export type Model = ReturnType<typeof createModel>
