/**
 * The scenarios the random search found broken (issue 28), kept as they were shrunk: each is one rule of "told
 * once" that the bridge did not keep, now a fixed case that runs on every `npm test` (memory store).
 */
import { describe, it } from 'vitest'
import { playBudgetScenario } from './budget-property.ts'
import type { BudgetStep } from './budget-scenario.ts'
import { playScenario, type ScenarioInput } from './play.ts'
import type { Step } from './scenario.ts'

type StatusStep = Extract<Step, { op: 'status' }>

/** An agent's status change through its tool, its webhook echo delivered (the shape every case here uses). */
function status(
  agent: StatusStep['agent'],
  task: number,
  to: StatusStep['status'],
  confidence = 0.5
): StatusStep {
  return { op: 'status', agent, task, status: to, confidence, echo: 'deliver' }
}

const CASES: Array<[string, ScenarioInput]> = [
  [
    // The project's only task deleted, then polled: its listing held no work item, so it kept no checkpoint, and the
    // next cycle took it for its first; the question on a task made since, its delivery lost, was never read.
    'a question on a new task of a project a poll found empty, its delivery lost: told after the next poll',
    {
      version: '1.2',
      tasks: [{ state: 'Backlog', assignee: 'imhotep' }],
      steps: [
        { op: 'delete', task: 0, via: 'ui' },
        { op: 'poll', where: 'here' },
        { op: 'create', assignee: 'imhotep', deps: [], approval: false, echo: 'deliver' },
        { op: 'uiComment', task: 1, question: true, delivery: 'drop' },
      ],
    },
  ],
  [
    // Cancelled and started again within the live message's gap between two edits: the new stretch's record took the
    // place of the ended one before its message showed the end, and the old message said "en cours" forever.
    'a task cancelled and started again at once: its first live message shows the cancellation',
    {
      version: '1.2',
      tasks: [{ state: 'Backlog', assignee: 'thot' }],
      steps: [
        status('thot', 0, 'in_progress'),
        status('ra', 0, 'cancelled'),
        status('thot', 0, 'in_progress'),
      ],
    },
  ],
  [
    // A task no sighting had shown (adopted quiet, read only by its agent's tools): its agent's progress started its
    // live message, its cancellation in Plane was its first sighting, a baseline told to no one, and the message
    // stayed "under way".
    'a task first seen cancelled after its agent reported progress: its live message ends',
    {
      version: '1.2',
      tasks: [{ state: 'Todo', assignee: 'thot' }],
      steps: [
        { op: 'comment', agent: 'thot', task: 0, kind: 'progress', echo: 'deliver' },
        { op: 'apiState', task: 0, state: 'Cancelled', delivery: 'deliver' },
      ],
    },
  ],
  [
    // A project all closed at the deploy: a cancelled task moved to done (first seen through its webhook's hint, which
    // names no state group) is no finish; one was told.
    'a task of a project finished before the deploy moves from cancelled to done: no finish told',
    {
      version: '1.3',
      tasks: [{ state: 'Cancelled', assignee: 'thot' }],
      steps: [
        status('thot', 0, 'done'),
        { op: 'uiState', task: 0, state: 'Backlog', delivery: 'deliver' },
      ],
    },
  ],
  [
    // The finish message's link button is no card: a press of "card 0" found it and had no callback to send.
    'a project finished by its agent, then a card pressed: the finish message has no button to press',
    {
      version: '1.2',
      tasks: [{ state: 'Backlog', assignee: 'imhotep' }],
      steps: [
        status('imhotep', 0, 'cancelled'),
        { op: 'timer' },
        { op: 'press', card: 0, action: 'approve' },
      ],
    },
  ],
  [
    // A run checked in and not started has a deadline of its own ("not started"): the deletion left it behind.
    'a task its agent moved back to todo (seen, not started) is deleted in Plane: no deadline of it is left',
    {
      version: '1.2',
      tasks: [
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'thot' },
      ],
      steps: [status('thot', 17, 'todo'), { op: 'delete', task: 14, via: 'ui' }],
    },
  ],
  [
    // The model released the dependent as it stood after the call (started: nothing owed); the bridge released it
    // when the call read the deleted dependency, before writing its start (unstarted: a release owed).
    'an agent starts a task whose dependency was deleted in Plane, unseen until that call',
    {
      version: '1.2',
      tasks: [
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
      ],
      steps: [
        { op: 'create', assignee: 'imhotep', deps: [], approval: false, echo: 'deliver' },
        { op: 'create', assignee: 'imhotep', deps: [20], approval: false, echo: 'deliver' },
        { op: 'delete', task: 2, via: 'ui' },
        status('imhotep', 3, 'in_progress'),
      ],
    },
  ],
  [
    'a task unassigned, then deleted in Plane before its window closes (the label sync answers 404)',
    {
      version: '1.2',
      tasks: [{ state: 'Backlog', assignee: 'imhotep' }],
      steps: [
        { op: 'uiAssign', task: 0, assignee: 'thot', delivery: 'deliver' },
        { op: 'timer' },
        { op: 'uiAssign', task: 0, assignee: null, delivery: 'deliver' },
        { op: 'delete', task: 0, via: 'ui' },
      ],
    },
  ],
  [
    'an agent reads a task reopened in Plane before the bridge hears of the reopening: no wake is owed',
    {
      version: '1.2',
      tasks: [
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Cancelled', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
      ],
      steps: [
        { op: 'uiState', task: 14, state: 'Todo', delivery: 'hold' },
        { op: 'create', assignee: 'imhotep', deps: [], approval: false, echo: 'deliver' },
        { op: 'read', agent: 'imhotep', task: 17 },
        { op: 'restart' },
      ],
    },
  ],
  [
    'a run card being created when the task is reopened is written again with the reopened state',
    {
      version: '1.2',
      tasks: [
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Todo', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
      ],
      steps: [
        { op: 'poll', where: 'here' },
        { op: 'uiState', task: 13, state: 'Cancelled', delivery: 'deliver' },
        { op: 'timer' },
        { op: 'uiState', task: 5, state: 'Todo', delivery: 'deliver' },
        { op: 'timer' },
      ],
    },
  ],
  [
    'an agent finishes, through the tools, a task started before the deploy that no poll has seen',
    {
      version: '1.2',
      tasks: [{ state: 'In Progress', assignee: 'imhotep' }],
      steps: [{ op: 'read', agent: 'imhotep', task: null }, status('imhotep', 0, 'done', 0.9)],
    },
  ],
  [
    'a backlog task given to an agent in Plane wakes nobody',
    {
      version: '1.2',
      tasks: [{ state: 'Backlog', assignee: 'imhotep' }],
      steps: [
        { op: 'uiAssign', task: 0, assignee: 'thot', delivery: 'deliver' },
        { op: 'create', assignee: 'imhotep', deps: [], approval: false, echo: 'deliver' },
      ],
    },
  ],
  [
    'a task a person started after the deploy is not adopted as backlog by the first poll',
    {
      version: '1.2',
      tasks: [{ state: 'Backlog', assignee: 'imhotep' }],
      steps: [{ op: 'uiState', task: 0, state: 'In Progress', delivery: 'deliver' }],
    },
  ],
  [
    'the Concierge commenting on an agent’s task leaves the run the agent’s',
    {
      version: '1.2',
      tasks: [{ state: 'Backlog', assignee: 'imhotep' }],
      steps: [
        { op: 'comment', agent: 'ra', task: 0, kind: 'note', echo: 'deliver' },
        { op: 'uiState', task: 0, state: 'Bloqué', delivery: 'deliver' },
      ],
    },
  ],
  [
    'a question asked in Plane on a task the bridge never saw is told',
    {
      version: '1.2',
      tasks: [{ state: 'Backlog', assignee: 'imhotep' }],
      steps: [{ op: 'uiComment', task: 0, question: true, delivery: 'deliver' }],
    },
  ],
  [
    'done again on a task done before the deploy is not a completion',
    {
      version: '1.2',
      tasks: [
        { state: 'Done', assignee: 'thot' },
        { state: 'Backlog', assignee: 'imhotep' },
      ],
      steps: [status('thot', 0, 'done')],
    },
  ],
  [
    'a cancelled task is refused as a dependency (v1.3)',
    {
      version: '1.3',
      tasks: [{ state: 'Backlog', assignee: 'imhotep' }],
      steps: [
        { op: 'apiState', task: 0, state: 'Cancelled', delivery: 'deliver' },
        { op: 'create', assignee: 'imhotep', deps: [0], approval: false, echo: 'deliver' },
      ],
    },
  ],
  [
    'a dependent moved silently is blocked on its state in Plane, told once',
    {
      version: '1.2',
      tasks: [
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'thot' },
      ],
      steps: [
        { op: 'create', assignee: 'imhotep', deps: [9], approval: false, echo: 'deliver' },
        { op: 'timer' },
        status('thot', 1, 'cancelled'),
        { op: 'apiState', task: 17, state: 'Backlog', delivery: 'deliver' },
        { op: 'timer' },
      ],
    },
  ],
  [
    'an assignee removed in Plane takes its agent label with it: one wake, one stop',
    {
      version: '1.2',
      tasks: [
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
      ],
      steps: [
        { op: 'create', assignee: 'imhotep', deps: [], approval: false, echo: 'deliver' },
        { op: 'timer' },
        { op: 'uiAssign', task: 8, assignee: null, delivery: 'deliver' },
        { op: 'timer' },
        { op: 'read', agent: 'imhotep', task: 0 },
      ],
    },
  ],
  [
    'reading a task checks its agent in on that task only, not on its dependencies',
    {
      version: '1.2',
      tasks: [
        { state: 'Backlog', assignee: 'thot' },
        { state: 'Backlog', assignee: 'imhotep' },
      ],
      steps: [
        { op: 'apiState', task: 0, state: 'Todo', delivery: 'deliver' },
        { op: 'create', assignee: 'imhotep', deps: [0], approval: false, echo: 'deliver' },
        { op: 'read', agent: 'thot', task: 2 },
      ],
    },
  ],
  [
    'a task cancelled, then reopened, wakes its agent again (a new assignment)',
    {
      version: '1.2',
      tasks: [{ state: 'In Progress', assignee: 'imhotep' }],
      steps: [
        { op: 'poll', where: 'here' },
        { op: 'uiState', task: 0, state: 'Cancelled', delivery: 'deliver' },
        { op: 'timer' },
        { op: 'apiState', task: 0, state: 'In Progress', delivery: 'deliver' },
      ],
    },
  ],
  [
    'a deploy’s backlog first seen by an agent’s listing (the index) is adopted as the poll would adopt it',
    {
      version: '1.2',
      tasks: [
        { state: 'In Progress', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
      ],
      steps: [{ op: 'read', agent: 'ra', task: null }, status('thot', 0, 'in_progress')],
    },
  ],
  [
    'a person takes the agent off a dependent while its dependency closes: the label left behind releases nobody',
    {
      version: '1.3',
      tasks: [{ state: 'Backlog', assignee: 'imhotep' }],
      steps: [
        { op: 'apiState', task: 0, state: 'Done', delivery: 'hold' },
        { op: 'create', assignee: 'imhotep', deps: [0], approval: false, echo: 'deliver' },
        { op: 'timer' },
        { op: 'uiAssign', task: 3, assignee: null, delivery: 'drop' },
        { op: 'apiState', task: 0, state: 'Backlog', delivery: 'deliver' },
      ],
    },
  ],
  [
    // The read checked the agent in (an assignment, its run active) on a task no sighting had shown the bridge; the
    // poll first saw it cancelled, a baseline with no change to end that assignment, which then took the reopening
    // for one already known: no wake. Found on Redis (seed -98739597), on the memory store alike.
    'an agent reads its task, which is cancelled unseen before the first poll, then reopened',
    {
      version: '1.2',
      tasks: [{ state: 'In Progress', assignee: 'imhotep' }],
      steps: [
        { op: 'read', agent: 'imhotep', task: 0 },
        { op: 'uiState', task: 0, state: 'Cancelled', delivery: 'drop' },
        { op: 'poll', where: 'here' },
        { op: 'apiState', task: 0, state: 'Todo', delivery: 'deliver' },
      ],
    },
  ],
  [
    // The same through a tool's listing (the index's first sighting) and a reassignment rather than a cancellation.
    'an agent reads its task, given to another agent unseen before a listing first sees it, then given back',
    {
      version: '1.2',
      tasks: [{ state: 'In Progress', assignee: 'imhotep' }],
      steps: [
        { op: 'read', agent: 'imhotep', task: 0 },
        { op: 'uiAssign', task: 0, assignee: 'thot', delivery: 'drop' },
        { op: 'read', agent: 'thot', task: null },
        { op: 'uiAssign', task: 0, assignee: 'imhotep', delivery: 'deliver' },
      ],
    },
  ],
  [
    // The model counted the agent a person had just taken off the dependent as holding it by its label, which the
    // bridge removes when that change's window closes; the bridge releases the dependent as it will be then
    // (runs/dependents.ts): nobody. Found at 3,000 memory runs (seed -288301511), pre-existing.
    'a person takes the agent off a dependent, delivered, and its dependency is finished before the window closes',
    {
      version: '1.2',
      tasks: [
        { state: 'Backlog', assignee: 'thot' },
        { state: 'Backlog', assignee: 'imhotep' },
      ],
      steps: [
        { op: 'create', assignee: 'imhotep', deps: [0], approval: false, echo: 'deliver' },
        { op: 'uiAssign', task: 20, assignee: null, delivery: 'deliver' },
        status('thot', 0, 'done'),
        { op: 'poll', where: 'here' },
      ],
    },
  ],
  [
    // The model asked for an approval when a held task was given to an agent in the backlog; the bridge asks when
    // the task is open to its agent (OPENCLAW-02: a backlog task is not the agent's to pick up), as it wakes.
    'a task held for approval is moved to the backlog, then given to an agent: nothing is asked yet',
    {
      version: '1.2',
      tasks: [
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
      ],
      steps: [
        { op: 'create', assignee: null, deps: [], approval: true, echo: 'deliver' },
        { op: 'uiState', task: 15, state: 'Backlog', delivery: 'deliver' },
        { op: 'timer' },
        { op: 'uiAssign', task: 15, assignee: 'imhotep', delivery: 'deliver' },
        status('imhotep', 0, 'in_progress'),
      ],
    },
  ],
  [
    'a task held for approval, given to an agent in the backlog, is asked for once it leaves the backlog',
    {
      version: '1.2',
      tasks: [{ state: 'Backlog', assignee: 'imhotep' }],
      steps: [
        { op: 'create', assignee: null, deps: [], approval: true, echo: 'deliver' },
        { op: 'uiState', task: 1, state: 'Backlog', delivery: 'deliver' },
        { op: 'timer' },
        { op: 'uiAssign', task: 1, assignee: 'imhotep', delivery: 'deliver' },
        { op: 'timer' },
        { op: 'uiState', task: 1, state: 'Todo', delivery: 'deliver' },
      ],
    },
  ],
  [
    // Not the bridge's rule but the model's (found on Redis, seed -1755389526): the bridge moved the dependent to
    // Blocked itself and told it once; the poll at the end revealed the lost reassignment with that write in it, and
    // the model counted the write twice, once as the poll's change and once as the bridge's own.
    'a dependency cancelled after its dependent was reassigned, that delivery lost: the dependent blocked, told once',
    {
      version: '1.3',
      tasks: [
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
        { state: 'Backlog', assignee: 'imhotep' },
      ],
      steps: [
        { op: 'create', assignee: 'imhotep', deps: [0], approval: false, echo: 'deliver' },
        { op: 'uiAssign', task: 9, assignee: 'thot', delivery: 'drop' },
        { op: 'uiState', task: 0, state: 'Cancelled', delivery: 'deliver' },
      ],
    },
  ],
]

/**
 * What never reaches the bridge (issue 37), played as fixed cases so that each path runs on every `npm test`: a lost
 * ❓ caught up by the poll, Plane's resend after a transport failure (refused, or processed and the answer lost), a
 * task deleted in Plane while its agent works and another task waits for it.
 */
const UPSTREAM_CASES: Array<[string, ScenarioInput]> = [
  [
    'a question asked in Plane whose delivery was lost is told after the next poll, once',
    {
      version: '1.2',
      tasks: [{ state: 'In Progress', assignee: 'imhotep' }],
      steps: [
        { op: 'poll', where: 'here' },
        { op: 'uiComment', task: 0, question: true, delivery: 'drop' },
        { op: 'poll', where: 'job' },
        { op: 'poll', where: 'here' },
      ],
    },
  ],
  [
    'Plane resends a delivery refused at its first attempt',
    {
      version: '1.2',
      tasks: [{ state: 'In Progress', assignee: 'imhotep' }],
      steps: [
        { op: 'poll', where: 'here' },
        { op: 'uiState', task: 0, state: 'Done', delivery: 'refuse' },
        { op: 'timer' },
        { op: 'uiComment', task: 0, question: true, delivery: 'refuse' },
      ],
    },
  ],
  [
    'Plane resends a delivery the bridge processed but could not answer',
    {
      version: '1.3',
      tasks: [{ state: 'Todo', assignee: 'thot' }],
      steps: [
        { op: 'uiState', task: 0, state: 'Bloqué', delivery: 'reset' },
        { op: 'timer' },
        { op: 'apiState', task: 0, state: 'Done', delivery: 'reset' },
      ],
    },
  ],
  [
    'a task deleted in Plane while its agent works on it, another waiting for it',
    {
      version: '1.2',
      tasks: [{ state: 'In Progress', assignee: 'imhotep' }],
      steps: [
        { op: 'poll', where: 'here' },
        { op: 'create', assignee: 'thot', deps: [0], approval: false, echo: 'deliver' },
        status('imhotep', 0, 'in_progress'),
        { op: 'timer' },
        { op: 'delete', task: 0, via: 'ui' },
        { op: 'poll', where: 'here' },
      ],
    },
  ],
  [
    'a dependency deleted through the API is noticed when its dependent is started',
    {
      version: '1.3',
      tasks: [{ state: 'Todo', assignee: null }],
      steps: [
        { op: 'create', assignee: 'thot', deps: [0], approval: false, echo: 'deliver' },
        { op: 'timer' },
        { op: 'delete', task: 0, via: 'api' },
        status('thot', 1, 'in_progress'),
      ],
    },
  ],
]

describe('told once: what never reaches the bridge (issue 37)', () => {
  for (const [name, scenario] of UPSTREAM_CASES)
    it(`should hold when ${name}`, () => playScenario('memory', scenario))
})

describe('told once: the cases the random search shrank', () => {
  for (const [name, scenario] of CASES)
    it(`should hold when ${name}`, () => playScenario('memory', scenario))
})

/** The budget's ledger (issue 47): scenarios its random search shrank, played on the memory store. */
const BUDGET_CASES: Array<[string, BudgetStep[]]> = [
  [
    // The model noted what the month reached after each change but not after a repeat ("again"), whose approval
    // landed on a new task and committed its estimate: the bridge told the 80 % it reached, the model saw 40 %.
    'an approval told again lands on a new task and brings the month to 80 %',
    [
      { op: 'gated', agent: 'imhotep', project: 0, estimate: null },
      { op: 'gated', agent: 'imhotep', project: 0, estimate: null },
      {
        op: 'change',
        change: { kind: 'create', agent: 'imhotep', project: 0, estimate: null, approval: false },
        via: 0,
      },
      { op: 'gated', agent: 'imhotep', project: 0, estimate: null },
      { op: 'gated', agent: 'imhotep', project: 0, estimate: null },
      {
        op: 'change',
        change: { kind: 'create', agent: 'imhotep', project: 0, estimate: null, approval: false },
        via: 0,
      },
      { op: 'change', change: { kind: 'finish', task: 0, cost: 40 }, via: 0 },
      {
        op: 'both',
        a: { kind: 'start', task: 0 },
        b: { kind: 'create', agent: 'imhotep', project: 0, estimate: null, approval: false },
        same: false,
      },
      { op: 'gated', agent: 'imhotep', project: 0, estimate: null },
      {
        op: 'both',
        a: { kind: 'approve', task: 8 },
        b: { kind: 'create', agent: 'imhotep', project: 0, estimate: 40, approval: true },
        same: false,
      },
      { op: 'again' },
      { op: 'raise', scope: 'team' },
      { op: 'gated', agent: 'imhotep', project: 0, estimate: null },
    ],
  ],
]

describe('the budget ledger: the cases the random search shrank', () => {
  for (const [name, steps] of BUDGET_CASES)
    it(`should hold when ${name}`, () => playBudgetScenario('memory', steps))
})
