/**
 * @module The bridge's parts as the functions receive them (`c.get('parts')`, a job's declared `parts`, a tool's context): their
 * interfaces only. The composition root (runtime/parts.ts) builds them once per runtime; nothing here builds
 * or looks them up, and no part imports this module (test/architecture/imports.test.ts).
 */
import type { MiddlewareHandler } from 'hono'
import type { CardStore } from '../actions/cards.ts'
import type { CallGate } from '../agents/call-gate.ts'
import type { AgentCalls } from '../agents/last-calls.ts'
import type { Budget } from '../budget/budget.ts'
import type { ProjectStates } from '../index/project-states.ts'
import type { TaskReads } from '../index/task-reads.ts'
import type { TaskSnapshots } from '../index/task-snapshots.ts'
import type { WorkItemIndex } from '../index/work-items.ts'
import type { LiveView } from '../live/live-view.ts'
import type { ChatHolds } from '../notify/chat-holds.ts'
import type { HeldChats } from '../notify/held-chats.ts'
import type { Outbox } from '../notify/outbox.ts'
import type { PlaneDirectory } from '../notify/plane-directory.ts'
import type { NotifyPolicy } from '../notify/policy.ts'
import type { OutboxSender } from '../notify/sender.ts'
import type { OpenClawClient } from '../openclaw/index.ts'
import type { Freshener } from '../pipeline/freshen.ts'
import type { Pipeline } from '../pipeline/pipeline.ts'
import type { AgentWriters } from '../plane/agent-writers.ts'
import type { PlaneClient } from '../plane/client.ts'
import type { KeyWindows } from '../plane/request-window.ts'
import type { PlaneWebhookGuard } from '../plane/webhook-guard.ts'
import type { WebhookNotes } from '../plane/webhook-notes.ts'
import type { RejectionNotes } from '../plane/webhook-rejections.ts'
import type { ProjectLabels } from '../runs/agent-labels.ts'
import type { RunStore } from '../runs/records.ts'
import type { RunTracker } from '../runs/tracker.ts'
import type { KeyedLocks } from '../store/keyed-lock.ts'
import type { PooledCounters } from '../store/pooled-counter.ts'
import type { QueueWorker } from '../store/queue-worker.ts'
import type { TelegramClient } from '../telegram/index.ts'
import type { ChatMigrations } from '../telegram/migrations.ts'
import type { ProjectTopics } from '../telegram/topics.ts'
import type { WorkspaceLoader } from '../workspace/workspace-loader.ts'

/** The `/mcp` door (functions/tools/mcp-door.ts): the MCP SDK's handler and the Host/Origin guards. */
export type McpDoor = {
  handler: {
    fetch(
      request: Request,
      options: {
        authInfo: { token: string; clientId: string; scopes: string[] }
        /** The body, parsed already: the request then carries none (functions/tools/mcp.ts). */
        parsedBody?: unknown
      }
    ): Promise<Response>
  }
  guards: MiddlewareHandler[]
}

export type Parts = {
  plane: PlaneClient | null
  /** What the pipeline last stored of each task (read only). */
  snapshots: TaskSnapshots
  /** The workspace as /plane commands read it, at the human's priority; null without Plane. */
  workspace: WorkspaceLoader | null
  telegram: TelegramClient | null
  openclaw: OpenClawClient | null
  directory: PlaneDirectory
  /** The runtime's Plane key windows: every client it builds counts one window per key */
  planeWindows: KeyWindows
  /** Each agent's own Plane client, for writes on its behalf (built from AGENTS and their keys). */
  agentWriters: AgentWriters
  /** Requests this runtime's bridge key has sent to Plane so far (for per-tick counts). */
  planeRequestCount(): number
  outbox: Outbox
  sender: OutboxSender
  pipeline: Pipeline
  /** The keyed locks on the store (tasks, run records): a process that stops releases the store locks they keep. */
  locks: KeyedLocks
  /** NOTIFY_EVENTS / NOTIFY_PROJECTS, parsed once. */
  policy: NotifyPolicy
  /** The human's chat, when Telegram is configured; null otherwise (nothing is sent to people). */
  chatId: string | null
  /** Run records and their cards in Plane; null without Plane settings. */
  runs: RunStore | null
  /** Verified wakes, stale runs, stop messages (agent runs). */
  tracker: RunTracker
  /** Messages the human can act on (reviews, questions, approvals, budget alerts). */
  cards: CardStore
  /** The month's budget and its ledger (OPENCLAW-11); null when BUDGET_MONTHLY_USD is unset. */
  budget: Budget | null
  /** One forum topic per project (TELEGRAM_TOPICS=per-project); null otherwise. */
  topics: ProjectTopics | null
  /** Chats the outbox holds: a flood wait, a bot blocked or kicked */
  holds: ChatHolds
  /** Groups that became supergroups: where their messages go, and whose updates stand for them. */
  migrations: ChatMigrations
  /** What the human hears of a chat back, a message given up, a migration. */
  heldChats: HeldChats
  /** Each task under way followed in one silent Telegram message, edited in place as its agent reports (TELEGRAM_LIVE). */
  live: LiveView
  /** The index of work items the tools read */
  index: WorkItemIndex
  /** The index brought up to date before a tool's read (one listing per project at a time). */
  freshener: Freshener
  /** Plane deliveries refused for their signature, counted here and written down once a minute. */
  webhookRejections: RejectionNotes
  /** The Plane webhook's signature verifier and its paced warnings; null without PLANE_WEBHOOK_SECRET. */
  planeWebhookGuard: PlaneWebhookGuard | null
  /** Plane deliveries accepted (written at most every 5 s) and answers withheld, for the poll's webhook check. */
  webhookNotes: WebhookNotes
  /** The webhook routes' rate limit, counted here and written at most once a second. */
  rateCounters: PooledCounters
  /** Plane deliveries kept in the inbox, read and processed after their answer, a few at once, bounded. */
  webhookQueue: QueueWorker<string>
  /** The `/mcp` door, built on the first call (the MCP SDK weighs ~10 MB) and kept for the runtime. */
  mcpDoor(): Promise<McpDoor>
  /** Each agent's tool calls in flight, capped (AGENT_CALLS_IN_FLIGHT). */
  toolGate: CallGate
  /** When each agent last called a tool (the store's, written at most once a minute per agent). */
  agentCalls: AgentCalls
  /** A task's comments, activity, links and attachments as tools last read them, shared and kept briefly. */
  taskReads: TaskReads
  /** Each project's labels as last listed (30 min), for the label writes of tools, actions and agent labels. */
  labels: ProjectLabels
  /** Each project's states as last listed (5 min), for the state a status change moves a task to. */
  projectStates: ProjectStates
  /**
   * A task Plane no longer has (deleted, from a delivery, the poll or a 404): forgotten, its agents told to
   * stop, its runs closed, its dependents released (shared/pipeline/deleted.ts). False: unknown, or handled already.
   */
  taskDeleted(taskId: string): Promise<boolean>
  /** Flush the pending changes whose delay is over and drain the outbox now, in the background; re-arms itself for what is due later. */
  kick(): void
  /**
   * The same, awaited (one-off jobs flush what they enqueued before exiting): the outbox and the marked run cards at
   * once, within `timeoutMs` (a request to Plane already sent is finished). `left`: outbox items still queued;
   * `cards`: run cards still marked. Both stay for the next runtime.
   */
  settle(timeoutMs: number): Promise<{ left: number; cards: number }>
}
