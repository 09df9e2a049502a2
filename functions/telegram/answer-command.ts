/** @module After the webhook answered: load the workspace, build the reply, queue it (NOTIF-06). */
import { decodeCardAction } from '../../shared/actions/cards.ts'
import { decodeDrillDown } from '../../shared/commands/callback-data.ts'
import { decodePageTurn, pageRows, readPages } from '../../shared/commands/keyboard-pages.ts'
import { matchProject } from '../../shared/commands/match.ts'
import { commandPhrasesFor } from '../../shared/commands/phrases.ts'
import { renderContextFor } from '../../shared/commands/render-context.ts'
import type { CommandReply } from '../../shared/commands/render-parts.ts'
import {
  answerCommand,
  type CommandRequest,
  needsWorkspaceView,
  planCommand,
  planDrillDown,
} from '../../shared/commands/route-command.ts'
import { enqueueReply } from '../../shared/commands/send-reply.ts'
import { type PartsOf, partNames, type Services } from '../../shared/core/function.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { diagnosePlaneFailure } from '../../shared/plane/diagnose.ts'
import { PlaneApiError } from '../../shared/plane/errors.ts'
import { escapeHtml } from '../../shared/telegram/html.ts'
import type { WorkspaceView } from '../../shared/workspace/workspace-view.ts'
import { ACTION_PARTS, type CardReply, handleCardPress, handleCardReply } from './actions.ts'

export type CommandUpdate =
  | { kind: 'message'; updateId: number; chatId: string; threadId: number | null; args: string[] }
  | {
      kind: 'callback'
      updateId: number
      chatId: string
      queryId: string
      data: string
      fromName?: string
      /** The message the pressed button sits under (a page turn edits its keyboard). */
      messageId?: number | null
    }
  | CardReply

/** The parts a command's answer reads: the workspace for /plane's replies, and the actions' own. */
export const COMMAND_PARTS = partNames(...ACTION_PARTS, 'workspace')
export type CommandParts = PartsOf<typeof COMMAND_PARTS>

export async function answerCommandUpdate(
  services: Services,
  parts: CommandParts,
  update: CommandUpdate
): Promise<void> {
  const { log, config } = services
  // The human acting on a card: a reply to it or to its prompt, or one of its buttons.
  if (update.kind === 'reply') return handleCardReply(services, parts, update)
  const card = update.kind === 'callback' ? decodeCardAction(update.data) : null
  if (update.kind === 'callback' && card)
    return handleCardPress(services, parts, {
      kind: 'callback',
      updateId: update.updateId,
      chatId: update.chatId,
      queryId: update.queryId,
      fromName: update.fromName ?? '?',
      messageId: update.messageId ?? null,
      ...card,
    })
  const turn = update.kind === 'callback' ? decodePageTurn(update.data) : null
  if (update.kind === 'callback' && turn) return _turnPage(services, parts, update, turn)
  if (update.kind === 'callback') {
    // §1.6: the client shows a progress bar until the query is answered; the reply itself may take seconds.
    await parts.telegram
      ?.answerCallbackQuery({ callback_query_id: update.queryId })
      .catch((error: unknown) =>
        log.warn('answerCallbackQuery failed', {
          error: errorMessage(error),
        })
      )
  }
  const drill = update.kind === 'callback' ? decodeDrillDown(update.data) : null
  if (update.kind === 'callback' && !drill) return
  const request = drill
    ? planDrillDown(drill)
    : planCommand(update.kind === 'message' ? update.args : [])

  const ctx = renderContextFor(config, services.now())
  let reply: CommandReply
  try {
    const workspace = needsWorkspaceView(request) ? await _workspaceView(parts, request) : _EMPTY
    reply = answerCommand(request, workspace, ctx)
  } catch (error) {
    log.warn('plane command failed', {
      command: request.kind,
      error: errorMessage(error),
    })
    reply = { html: _failureReply(error, config), buttons: [] }
  }
  await enqueueReply(parts.outbox, {
    chatId: update.chatId,
    html: reply.html,
    buttons: reply.buttons,
    threadId: update.kind === 'message' ? update.threadId : null,
    dedupeKey: `telegram:reply:${update.updateId}`,
    // The person who asked waits for it: ahead of the alerts already queued for the chat.
    first: true,
    pages: { store: services.store, locale: config.LOCALE },
  })
  parts.kick()
}

// --- Internal helpers ---

type CallbackUpdate = Extract<CommandUpdate, { kind: 'callback' }>

/** "◂" / "▸" under a long keyboard: the same message shows the asked page (Telegram takes ≤ 100 buttons a message). */
async function _turnPage(
  services: Services,
  parts: CommandParts,
  update: CallbackUpdate,
  turn: { id: string; page: number }
): Promise<void> {
  const { config, store, log } = services
  const kept = await readPages(store, turn.id)
  const toast = kept ? undefined : commandPhrasesFor(config.LOCALE).pagesExpired
  await parts.telegram
    ?.answerCallbackQuery({ callback_query_id: update.queryId, ...(toast ? { text: toast } : {}) })
    .catch((error: unknown) =>
      log.warn('answerCallbackQuery failed', {
        error: errorMessage(error),
      })
    )
  if (!kept) return
  const rows = pageRows(turn.id, kept, turn.page, config.LOCALE)
  const dedupeKey = `telegram:page:${update.updateId}`
  if (typeof update.messageId !== 'number') {
    // The pressed message is out of reach: the page comes as a new message.
    await enqueueReply(parts.outbox, {
      chatId: update.chatId,
      html: kept.html,
      buttons: rows,
      dedupeKey,
      first: true,
    })
  } else {
    // An edit; if the human deleted the message meanwhile, the page goes as a new one (the refusal policy).
    await parts.outbox.enqueue({
      channel: 'telegram',
      target: update.chatId,
      payload: {
        chat_id: update.chatId,
        message_id: update.messageId,
        text: kept.html,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: { inline_keyboard: rows },
      },
      dedupeKey,
      meta: { kind: 'edit' },
      first: true,
    })
  }
  parts.kick()
}

/** A refused key or an unknown workspace names the setting to fix; only Plane down says "try again". */
function _failureReply(error: unknown, config: Services['config']): string {
  const phrases = commandPhrasesFor(config.LOCALE)
  const slug = config.PLANE_WORKSPACE_SLUG ?? ''
  const diagnosis = diagnosePlaneFailure(error, { slug })
  const status = error instanceof PlaneApiError ? error.status : 0
  if (diagnosis.cause === 'key') return phrases.planeKeyRefused(status)
  if (diagnosis.cause === 'workspace')
    return phrases.planeWorkspaceUnknown(escapeHtml(slug), status)
  if (diagnosis.cause === 'url')
    return phrases.planeUrlWrong(escapeHtml(_host(config.PLANE_BASE_URL)))
  return phrases.planeUnavailable
}

function _host(url: string | undefined): string {
  try {
    return new URL(url ?? '').host
  } catch {
    // Not a URL: the reply names the setting instead.
    return 'PLANE_BASE_URL'
  }
}

const _EMPTY: WorkspaceView = {
  projects: [],
  agents: [],
  reviews: [],
  approvals: [],
  timers: [],
  runs: [],
  progress: [],
  checkinSeconds: [],
}

async function _workspaceView(
  parts: CommandParts,
  request: CommandRequest
): Promise<WorkspaceView> {
  // A person waits on this answer: its reads go first when the key's window is full, and the loader's
  // loads are its own (a poll's or the digest's load in flight is not waited on).
  const loader = parts.workspace
  if (!loader) throw new Error('Plane is not configured')
  const workspace = await loader.view()
  // Only a reply about one project shows its cycle: one more (cached) request, not one per project.
  const matches =
    request.kind === 'project'
      ? matchProject(request.query, workspace.projects)
      : request.kind === 'project-id'
        ? workspace.projects.filter((p) => p.id === request.projectId)
        : []
  const [target] = matches
  if (!target || matches.length !== 1) return workspace
  const cycle = await loader.currentCycle(target.id)
  return {
    ...workspace,
    projects: workspace.projects.map((p) => (p.id === target.id ? { ...p, cycle } : p)),
  }
}
