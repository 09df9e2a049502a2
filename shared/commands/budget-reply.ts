/**
 * @module `/plane budget` (OPENCLAW-11): the month's budget for the team, by agent and by project, and the most expensive
 * open tasks; and the one line /plane status and the digest show, with the digest's forecast at the current pace. Pure.
 */
import { lineParts } from '../budget/alerts.ts'
import type { BudgetView, ScopeFigures } from '../budget/budget.ts'
import { budgetPhrasesFor } from '../budget/phrases.ts'
import { escapeHtml } from '../telegram/html.ts'
import { allTasks, type WorkspaceView } from '../workspace/workspace-view.ts'
import {
  type CommandReply,
  escapeName,
  type RenderContext,
  section,
  taskLine,
} from './render-parts.ts'

/** `💰 Budget juillet 2026 : 640 $ dépensés + 210 $ engagés sur 1 000 $ — reste 150 $ (85 %)`, `⏸` when paused. */
export function budgetLine(view: BudgetView, ctx: Pick<RenderContext, 'locale'>): string {
  const say = budgetPhrasesFor(ctx.locale)
  return `${say.line(lineParts(say, view.month, view.team))}${view.team.paused ? ' ⏸' : ''}`
}

/** The digest's lines: the budget line, and where the month ends at the pace of its days so far. */
export function budgetDigestLines(view: BudgetView, ctx: Pick<RenderContext, 'locale'>): string[] {
  const say = budgetPhrasesFor(ctx.locale)
  const lines = ['', budgetLine(view, ctx)]
  const { spentUsd, budgetUsd } = view.team
  if (spentUsd > 0 && budgetUsd !== null) {
    const projected = (spentUsd / view.daysElapsed) * view.monthDays
    lines.push(say.forecast(say.month(view.month), say.usd(projected), say.usd(budgetUsd)))
  }
  if (view.rebuilding) lines.push(say.rebuilding)
  return lines
}

export function buildBudgetReply(workspace: WorkspaceView, ctx: RenderContext): CommandReply {
  const say = budgetPhrasesFor(ctx.locale)
  const view = workspace.budget
  if (!view) return { html: say.none, buttons: [] }
  const { team } = view
  // The budget line is the reply's first line: "💰 Budget novembre 2026 : …" (a title above it said the same twice).
  const lines = [budgetLine(view, ctx)]
  if (team.estimatedUsd > 0) lines.push(say.estimatedPart(say.usd(team.estimatedUsd)))
  if (team.paused) lines.push(say.paused)
  if (team.waitingCount > 0)
    lines.push(say.waitingForApproval(team.waitingCount, say.usd(team.waitingUsd)))
  if (view.rebuilding) lines.push(say.rebuilding)
  if (team.spentUsd + team.committedUsd + team.waitingUsd === 0) lines.push('', say.noSpending)

  const agentName = (id: string | null) =>
    id === null ? null : (workspace.agents.find((a) => a.id === id)?.name ?? id)
  const scopeLine = (name: string, f: ScopeFigures) =>
    `${say.scopeLine(name, lineParts(say, view.month, f))}${f.paused ? ' ⏸' : ''}`
  const projectName = (id: string) => {
    const project = workspace.projects.find((p) => p.id === id)
    if (!project) return escapeHtml(id)
    const identifier = project.identifier ? ` (${escapeHtml(project.identifier)})` : ''
    return `<b>${escapeName(project.name)}</b>${identifier}`
  }
  const tasks = allTasks(workspace)
  lines.push(
    ...section(
      '🤖',
      say.byAgent,
      view.agents.map((f) => scopeLine(`<b>${escapeName(agentName(f.agentId) ?? '')}</b>`, f)),
      ctx
    ),
    ...section(
      '📁',
      say.byProject,
      [...view.projects]
        .sort((a, b) => b.spentUsd + b.committedUsd - (a.spentUsd + a.committedUsd))
        .map((p) =>
          say.scopeLine(projectName(p.projectId), {
            spent: say.usd(p.spentUsd),
            committed: say.usd(p.committedUsd),
            budget: null,
            left: null,
          })
        ),
      ctx
    ),
    ...section(
      '💸',
      say.mostExpensive,
      view.top.map((t) => {
        const extras = [
          ...(t.agentId ? [escapeName(agentName(t.agentId) ?? t.agentId)] : []),
          say.usd(t.amountUsd),
        ]
        const task = tasks.find((x) => x.id === t.taskId)
        return task
          ? taskLine(task, ctx, extras)
          : [`• ${escapeHtml(t.ref ?? t.taskId)}`, ...extras].join(' — ')
      }),
      ctx
    )
  )
  return { html: lines.join('\n'), buttons: [] }
}
