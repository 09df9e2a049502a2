/** @module `/plane project <name>` (NOTIF-06): progress, current cycle, open tasks by agent, blockers, due soon. Pure. */
import { quote, stateDisplayName } from '../notify/i18n.ts'
import { escapeHtml } from '../telegram/html.ts'
import {
  isOpen,
  type ProjectView,
  type TaskView,
  type WorkspaceView,
} from '../workspace/workspace-view.ts'
import { encodeDrillDown } from './callback-data.ts'
import { matchProject } from './match.ts'
import {
  addDays,
  buttonRows,
  buttonText,
  byProjectAndSequence,
  type CommandReply,
  escapeName,
  formatDate,
  isOverdue,
  ownerNames,
  phrases,
  type RenderContext,
  SECTION_CAP,
  section,
  taskLine,
} from './render-parts.ts'

/** "Due soon" looks this many days ahead, today included. */
export const DUE_SOON_DAYS = 3

/** The project the query names, a choice when several match, or "no such project". */
export function answerProjectQuery(
  query: string,
  workspace: WorkspaceView,
  ctx: RenderContext
): CommandReply {
  const p = phrases(ctx)
  const matches = matchProject(query, workspace.projects)
  const [only] = matches
  if (only && matches.length === 1) return buildProjectReply(only, workspace, ctx)
  const q = escapeName(query)
  // Not found: the projects there are, as text and as buttons, so the next tap is the right one.
  if (matches.length === 0) {
    const known = workspace.projects
    // The text names the first ones; the buttons, in pages, reach every one.
    const listed = known.slice(0, SECTION_CAP).map(_projectItem)
    if (known.length > SECTION_CAP) listed.push(p.more(known.length - SECTION_CAP))
    const html = [
      p.projectNotFound(q),
      ...(known.length > 0 ? ['', p.knownProjects, ...listed] : []),
    ].join('\n')
    return { html, buttons: buttonRows(known.map(_projectButton)) }
  }
  const lines = [p.projectsMatching(q), ...matches.slice(0, SECTION_CAP).map(_projectItem)]
  if (matches.length > SECTION_CAP) lines.push(p.more(matches.length - SECTION_CAP))
  return { html: lines.join('\n'), buttons: buttonRows(matches.map(_projectButton)) }
}

export function buildProjectReply(
  project: ProjectView,
  workspace: WorkspaceView,
  ctx: RenderContext
): CommandReply {
  const p = phrases(ctx)
  const id = project.identifier ? ` (${escapeHtml(project.identifier)})` : ''
  const counted = project.tasks.filter((t) => t.group !== 'cancelled')
  const done = counted.filter((t) => t.group === 'completed').length
  const percent = counted.length === 0 ? 0 : Math.round((done / counted.length) * 100)
  // An empty project has no progress to show (never "0/0 terminée (0 %)").
  const lines = [
    `📁 <b>${escapeName(project.name)}</b>${id}`,
    ...(counted.length > 0 ? [p.progress(done, counted.length, percent)] : []),
  ]
  lines.push(
    project.cycle ? `🔄 ${p.currentCycle} ${_cycle(project.cycle, ctx)}` : `🔄 ${p.noCycle}`
  )
  if (project.truncated) lines.push(`⚠️ ${p.partial}`)

  const open = project.tasks.filter(isOpen).sort(byProjectAndSequence)
  if (open.length === 0) lines.push('', p.noOpenTasks)
  else lines.push('', `👥 <b>${p.openByAgent}</b> (${open.length})`)
  for (const [owner, tasks] of _byOwner(open, workspace, ctx)) {
    lines.push(`<b>${owner}</b> (${tasks.length})`)
    lines.push(...tasks.map((t) => taskLine(t, ctx, _stateAndDue(t, ctx))))
  }

  const horizon = addDays(ctx.today, DUE_SOON_DAYS)
  const owner = (t: TaskView) => ownerNames(t, workspace, ctx)
  const due = (t: TaskView) => p.dueOn(formatDate(t.targetDate ?? '', ctx.locale))
  lines.push(
    ...section(
      '⛔',
      p.blocked,
      open
        .filter((t) => t.blocked)
        .map((t) =>
          taskLine(t, ctx, [owner(t), escapeName(stateDisplayName(t.stateName, ctx.locale))])
        ),
      ctx
    ),
    ...section(
      '⏰',
      p.overdue,
      open.filter((t) => isOverdue(t, ctx.today)).map((t) => taskLine(t, ctx, [owner(t), due(t)])),
      ctx
    ),
    ...section(
      '📅',
      p.dueSoon(DUE_SOON_DAYS),
      open
        .filter(
          (t) => t.targetDate !== null && t.targetDate >= ctx.today && t.targetDate <= horizon
        )
        .sort((a, b) => (a.targetDate ?? '').localeCompare(b.targetDate ?? ''))
        .map((t) => taskLine(t, ctx, [owner(t), due(t)])),
      ctx
    )
  )
  const agentButtons = workspace.agents
    .filter((a) => open.some((t) => t.agentIds.includes(a.id)))
    .map((agent) => ({
      text: buttonText('🤖', agent.name),
      callback_data: encodeDrillDown({ kind: 'agent', agentId: agent.id }),
    }))
  const back = { text: p.backToStatus, callback_data: encodeDrillDown({ kind: 'status' }) }
  return { html: lines.join('\n'), buttons: buttonRows([...agentButtons, back]) }
}

// --- Internal helpers ---

function _projectItem(m: ProjectView): string {
  return `• <b>${escapeName(m.name)}</b>${m.identifier ? ` (${escapeHtml(m.identifier)})` : ''}`
}

function _projectButton(m: ProjectView) {
  return {
    text: buttonText('📁', m.name),
    callback_data: encodeDrillDown({ kind: 'project', projectId: m.id }),
  }
}

/** Open tasks under each agent (a task with two agents under both), then people, then "unassigned". */
function _byOwner(
  tasks: readonly TaskView[],
  workspace: WorkspaceView,
  ctx: RenderContext
): Array<[string, TaskView[]]> {
  const groups = new Map<string, TaskView[]>()
  const add = (key: string, task: TaskView) => groups.set(key, [...(groups.get(key) ?? []), task])
  const unassigned: TaskView[] = []
  for (const task of tasks) {
    if (task.agentIds.length > 0) {
      for (const id of task.agentIds)
        add(escapeName(workspace.agents.find((a) => a.id === id)?.name ?? id), task)
    } else if (task.people.length > 0) {
      add(ownerNames(task, workspace, ctx), task)
    } else unassigned.push(task)
  }
  const named = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))
  return unassigned.length > 0 ? [...named, [phrases(ctx).unassigned, unassigned]] : named
}

function _stateAndDue(task: TaskView, ctx: RenderContext): string[] {
  const extras = [escapeName(stateDisplayName(task.stateName, ctx.locale))]
  if (task.targetDate) extras.push(phrases(ctx).dueOn(formatDate(task.targetDate, ctx.locale)))
  return extras
}

function _cycle(cycle: NonNullable<ProjectView['cycle']>, ctx: RenderContext): string {
  const dates = [cycle.startDate, cycle.endDate]
    .filter((d): d is string => Boolean(d))
    .map((d) => formatDate(d, ctx.locale))
    .join(' → ')
  return `${quote(ctx.locale, escapeName(cycle.name))}${dates ? ` (${dates})` : ''}`
}
