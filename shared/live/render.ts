/**
 * @module The live view's text (Telegram HTML): one task's message, or the board of every task under way. Pure; the
 * agent's step is escaped and cut here, whatever it holds, and the whole stays within Telegram's 4,096 characters.
 */
import { budgetPhrasesFor } from '../budget/phrases.ts'
import { type Locale, phrasesFor } from '../notify/i18n.ts'
import { escapeCut } from '../telegram/html.ts'
import { livePhrasesFor } from './phrases.ts'
import { isEnded, type LiveState, STEP_MAX_CHARS, type TaskProgress } from './progress.ts'

/** What is shown with a task besides its progress record: the run's time spent (and cost, once known). */
export type RunFigures = { timeSpentSeconds: number; cost: number | null }

export type LiveRenderContext = {
  locale: Locale
  /** The run's figures of each task shown, by task id (absent: none known). */
  figures: ReadonlyMap<string, RunFigures>
}

const BAR_SLOTS = 10
const STATE_EMOJI: Record<LiveState, string> = {
  active: '⏳',
  awaiting: '❓',
  done: '✅',
  blocked: '⛔',
  cancelled: '🚫',
}
/** Room kept under Telegram's 4,096 for the board's last line; HTML is longer than the text it shows. */
const BOARD_MAX_CHARS = 3_800
/** A step on a board line is shorter than in a task's own message. */
const BOARD_STEP_CHARS = 80

/**
 * A task's own message:
 * `⏳ [Onboarding] ONB-3 « Indexer » — Imhotep` / `▰▰▰▰▰▰▱▱▱▱ 60 %` / `Étape : …` / `⏱ 1 h 5 min · 💰 2,4 $ · 🔨 en cours`.
 */
export function renderLiveTask(progress: TaskProgress, ctx: LiveRenderContext): string {
  const p = livePhrasesFor(ctx.locale)
  const who = progress.agentName ? ` — <b>${escapeCut(progress.agentName, 80)}</b>` : ''
  const lines = [`${STATE_EMOJI[progress.state]} ${progress.taskHtml}${who}`]
  if (progress.percent !== null)
    lines.push(`${progressBar(progress.percent)} ${percentText(progress.percent, ctx.locale)}`)
  if (progress.step) lines.push(p.step(escapeCut(progress.step, STEP_MAX_CHARS)))
  lines.push([..._figures(progress, ctx), p.state[progress.state]].join(' · '))
  return lines.join('\n')
}

/** The board: a title, then one line per task (under way first, oldest start first), cut to fit one message. */
export function renderLiveBoard(tasks: readonly TaskProgress[], ctx: LiveRenderContext): string {
  const p = livePhrasesFor(ctx.locale)
  const ordered = [...tasks].sort(
    (a, b) => Number(isEnded(a)) - Number(isEnded(b)) || a.since - b.since
  )
  const lines = [p.boardTitle(ordered.filter((t) => !isEnded(t)).length)]
  let length = lines[0]?.length ?? 0
  for (const [i, task] of ordered.entries()) {
    const line = _boardLine(task, ctx)
    if (length + line.length + 1 > BOARD_MAX_CHARS) {
      lines.push(p.boardMore(ordered.length - i))
      break
    }
    lines.push(line)
    length += line.length + 1
  }
  return lines.join('\n')
}

/** `▰▰▰▰▰▰▱▱▱▱`: ten slots, rounded down (99 % is not full). */
export function progressBar(percent: number): string {
  const filled = Math.max(0, Math.min(BAR_SLOTS, Math.floor(percent / BAR_SLOTS)))
  return `${'▰'.repeat(filled)}${'▱'.repeat(BAR_SLOTS - filled)}`
}

function percentText(percent: number, locale: Locale): string {
  return locale === 'en' ? `${percent}%` : `${percent} %`
}

// --- Internal helpers ---

/** `⏳ ONB-3 « … » — Imhotep · 60 % · step · ⏱ 12 min`, or its end instead of the figures. */
function _boardLine(task: TaskProgress, ctx: LiveRenderContext): string {
  const p = livePhrasesFor(ctx.locale)
  const who = task.agentName ? ` — <b>${escapeCut(task.agentName, 80)}</b>` : ''
  const parts = [`${STATE_EMOJI[task.state]} ${task.taskHtml}${who}`]
  if (task.percent !== null) parts.push(percentText(task.percent, ctx.locale))
  if (task.step && !isEnded(task)) parts.push(escapeCut(task.step, BOARD_STEP_CHARS))
  parts.push(...(isEnded(task) ? [p.state[task.state]] : _figures(task, ctx)))
  return parts.join(' · ')
}

/** Time spent and cost so far, when known. */
function _figures(progress: TaskProgress, ctx: LiveRenderContext): string[] {
  const run = ctx.figures.get(progress.taskId)
  const out: string[] = []
  const minutes = run ? Math.floor(run.timeSpentSeconds / 60) : 0
  if (minutes > 0) out.push(`⏱ ${phrasesFor(ctx.locale).formatDuration(minutes)}`)
  // The cost given when the task ended is the final word; before, what the agent last reported.
  const cost = isEnded(progress)
    ? (run?.cost ?? progress.cost)
    : (progress.cost ?? run?.cost ?? null)
  if (cost !== null) out.push(`💰 ${budgetPhrasesFor(ctx.locale).usd(cost)}`)
  return out
}
