/**
 * @module The words of /plane replies and of the daily digest (NOTIF-06, NOTIF-08), French by default and English.
 * Kept beside `notify/i18n.ts` (same `Locale`, same typography) so that file stays one job: notifications.
 */
import type { Locale } from '../notify/i18n.ts'
import type { StateGroup } from '../workspace/workspace-view.ts'

/** Every argument is already HTML-escaped (or markup built from escaped parts). */
export type CommandPhrases = {
  groups: Record<StateGroup, string>
  statusTitle: string
  noProjects: string
  tasks(n: number): string
  inProgress: string
  blocked: string
  reviews: string
  overdue: string
  dueOn(date: string): string
  confidence(value: string): string
  partial: string
  unassigned: string
  nobody: string
  progress(done: number, total: number, percent: number): string
  currentCycle: string
  noCycle: string
  openByAgent: string
  dueSoon(days: number): string
  noOpenTasks: string
  projectNotFound(query: string): string
  /** Under "no such project": the projects there are. */
  knownProjects: string
  /** The drill-down button back to /plane status. */
  backToStatus: string
  /** An agent of the registry Plane does not list in the workspace (an invitation not accepted yet). */
  notInWorkspace: string
  notInWorkspaceShort: string
  projectsMatching(query: string): string
  agentNotFound(query: string): string
  agentsMatching(query: string): string
  timer(task: string, since: string): string
  lastActivity(when: string, task: string): string
  noTasks: string
  more(n: number): string
  /** The toast of a page turn whose list expired (kept a week). */
  pagesExpired: string
  helpTitle: string
  helpLines: readonly string[]
  digestTitle(date: string): string
  completedSince: string
  activeBlockers: string
  dueToday: string
  load: string
  loadLine(inProgress: number, todo: number, blocked: number): string
  quietDay(date: string): string
  planeUnavailable: string
  /** Plane refused the bridge: which setting, and the fix; never "try again in a minute". */
  planeKeyRefused(status: number): string
  planeWorkspaceUnknown(slug: string, status: number): string
  /** No answer at PLANE_BASE_URL, or something else than Plane's API there. */
  planeUrlWrong(host: string): string
  /** Agent runs (bridge metadata). */
  runsToWatch: string
  approvals: string
  runs: string
  runState: Record<'pending' | 'seen' | 'active' | 'awaiting' | 'stale', string>
  since(when: string): string
  waitingLong: string
  /** The digest's forecast: what is being worked on as the day starts. */
  underWayToday: string
  checkinP95(duration: string, n: number): string
}

const fr: CommandPhrases = {
  groups: {
    backlog: 'Backlog',
    unstarted: 'À faire',
    started: 'En cours',
    completed: 'Terminées',
    cancelled: 'Annulées',
    other: 'Autres',
  },
  statusTitle: '📊 <b>État de l’espace de travail</b>',
  noProjects: 'Aucun projet actif.',
  tasks: (n) => `${n} tâche${n > 1 ? 's' : ''}`,
  inProgress: 'En cours',
  blocked: 'Bloquées',
  reviews: 'Revues en attente',
  overdue: 'En retard',
  dueOn: (date) => `échéance ${date}`,
  confidence: (value) => `confiance ${value}`,
  partial: 'liste partielle : trop de tâches pour tout lire',
  unassigned: 'Non assignées',
  nobody: 'personne',
  progress: (done, total, percent) =>
    `Avancement : ${done} tâche${done > 1 ? 's' : ''} terminée${done > 1 ? 's' : ''} sur ${total} (${percent} %)`,
  currentCycle: 'Cycle en cours :',
  noCycle: 'Pas de cycle en cours.',
  openByAgent: 'Tâches ouvertes par agent',
  dueSoon: (days) => `Échéances dans les ${days} jours`,
  noOpenTasks: 'Aucune tâche ouverte.',
  projectNotFound: (q) => `Aucun projet ne correspond à « ${q} ».`,
  knownProjects: 'Projets :',
  backToStatus: '📊 État',
  notInWorkspace:
    'pas encore membre de l’espace de travail Plane (invitation en attente ?) : aucune tâche ne peut lui être confiée. Acceptez l’invitation, puis relancez provision.',
  notInWorkspaceShort: 'pas encore dans l’espace de travail Plane (invitation en attente ?)',
  projectsMatching: (q) => `Plusieurs projets correspondent à « ${q} » :`,
  agentNotFound: (q) => `Aucun agent ne correspond à « ${q} ».`,
  agentsMatching: (q) => `Plusieurs agents correspondent à « ${q} » :`,
  timer: (task, since) => `⏱ Minuteur en cours : ${task} depuis ${since}`,
  lastActivity: (when, task) => `🕑 Dernière activité : ${when} (${task})`,
  noTasks: 'Aucune tâche.',
  more: (n) => `… et ${n} de plus`,
  pagesExpired: 'Cette liste a expiré : relancez la commande.',
  helpTitle: '🤖 <b>Commandes /plane</b>',
  helpLines: [
    '/plane status — projets actifs, tâches en cours, blocages, retards',
    '/plane project &lt;nom&gt; — un projet : avancement, cycle, tâches par agent, échéances',
    '/plane agent &lt;nom&gt; — les tâches d’un agent et sa dernière activité',
    '/plane budget — le budget du mois : dépensé, engagé, restant, par agent et par projet',
    '/plane help — cette aide',
  ],
  digestTitle: (date) => `☀️ <b>Résumé du ${date}</b>`,
  completedSince: 'Terminées depuis le dernier résumé',
  activeBlockers: 'Blocages actifs',
  dueToday: 'Pour aujourd’hui',
  load: 'Charge par agent',
  loadLine: (started, todo, blocked) =>
    `${started} en cours, ${todo} à faire${blocked > 0 ? `, ${blocked} bloquée${blocked > 1 ? 's' : ''}` : ''}`,
  quietDay: (date) => `☀️ Résumé du ${date} : journée calme, rien à signaler.`,
  planeUnavailable: '⚠️ Plane ne répond pas pour l’instant ; réessayez dans une minute.',
  planeKeyRefused: (status) =>
    `🔑 Plane refuse la clé du bridge (PLANE_API_KEY, HTTP ${status}) : régénérez-la dans Plane (Profil → Jetons d’API), mettez-la dans les réglages de plane-bridge et redémarrez-le.`,
  planeWorkspaceUnknown: (slug, status) =>
    `🔑 Plane ne connaît pas l’espace de travail « ${slug} » pour la clé du bridge (HTTP ${status}) : corrigez PLANE_WORKSPACE_SLUG (le mot après l’hôte dans les adresses de Plane) ou faites du compte de la clé un membre Admin de cet espace, puis redémarrez plane-bridge.`,
  planeUrlWrong: (host) =>
    `⚠️ Plane ne répond pas à l’adresse configurée (${host}) : vérifiez PLANE_BASE_URL (l’adresse de l’application web de Plane, sans /api) et que Plane tourne.`,
  runsToWatch: 'Agents à surveiller',
  approvals: 'Approbations en attente',
  runs: 'Exécutions en cours',
  runState: {
    pending: 'réveillé, pas encore de réponse',
    seen: 'a vu la tâche, pas commencée',
    active: 'au travail',
    awaiting: 'attend une réponse',
    stale: 'sans nouvelles',
  },
  since: (when) => `depuis ${when}`,
  waitingLong: 'En attente depuis plus de 24 h',
  underWayToday: 'En cours ce matin',
  checkinP95: (d, n) =>
    `⏱ Prise en main des tâches aujourd’hui : ${d} au 95e centile (${n} tâche${n > 1 ? 's' : ''}).`,
}

const en: CommandPhrases = {
  groups: {
    backlog: 'Backlog',
    unstarted: 'To do',
    started: 'In progress',
    completed: 'Done',
    cancelled: 'Cancelled',
    other: 'Other',
  },
  statusTitle: '📊 <b>Workspace status</b>',
  noProjects: 'No active projects.',
  tasks: (n) => `${n} task${n === 1 ? '' : 's'}`,
  inProgress: 'In progress',
  blocked: 'Blocked',
  reviews: 'Reviews waiting',
  overdue: 'Overdue',
  dueOn: (date) => `due ${date}`,
  confidence: (value) => `confidence ${value}`,
  partial: 'partial list: too many tasks to read them all',
  unassigned: 'Unassigned',
  nobody: 'nobody',
  progress: (done, total, percent) => `Progress: ${done} of ${total} done (${percent}%)`,
  currentCycle: 'Current cycle:',
  noCycle: 'No current cycle.',
  openByAgent: 'Open tasks by agent',
  dueSoon: (days) => `Due within ${days} days`,
  noOpenTasks: 'No open tasks.',
  projectNotFound: (q) => `No project matches “${q}”.`,
  knownProjects: 'Projects:',
  backToStatus: '📊 Status',
  notInWorkspace:
    'not a member of the Plane workspace yet (invitation pending?): no task can be given to it. Accept the invitation, then run provision again.',
  notInWorkspaceShort: 'not in the Plane workspace yet (invitation pending?)',
  projectsMatching: (q) => `Several projects match “${q}”:`,
  agentNotFound: (q) => `No agent matches “${q}”.`,
  agentsMatching: (q) => `Several agents match “${q}”:`,
  timer: (task, since) => `⏱ Timer running: ${task} for ${since}`,
  lastActivity: (when, task) => `🕑 Last activity: ${when} (${task})`,
  noTasks: 'No tasks.',
  more: (n) => `… and ${n} more`,
  pagesExpired: 'This list has expired: send the command again.',
  helpTitle: '🤖 <b>/plane commands</b>',
  helpLines: [
    '/plane status — active projects, tasks in progress, blockers, overdue tasks',
    '/plane project &lt;name&gt; — one project: progress, cycle, tasks by agent, due dates',
    '/plane agent &lt;name&gt; — an agent’s tasks and last activity',
    '/plane budget — the month’s budget: spent, committed, left, by agent and by project',
    '/plane help — this help',
  ],
  digestTitle: (date) => `☀️ <b>Digest for ${date}</b>`,
  completedSince: 'Completed since the last digest',
  activeBlockers: 'Active blockers',
  dueToday: 'Due today',
  load: 'Load per agent',
  loadLine: (started, todo, blocked) =>
    `${started} in progress, ${todo} to do${blocked > 0 ? `, ${blocked} blocked` : ''}`,
  quietDay: (date) => `☀️ Digest for ${date}: a quiet day, nothing to report.`,
  planeUnavailable: '⚠️ Plane is not answering right now; try again in a minute.',
  planeKeyRefused: (status) =>
    `🔑 Plane refuses the bridge's key (PLANE_API_KEY, HTTP ${status}): regenerate it in Plane (Profile → API tokens), put it in plane-bridge's settings and restart it.`,
  planeWorkspaceUnknown: (slug, status) =>
    `🔑 Plane does not know the workspace "${slug}" for the bridge's key (HTTP ${status}): fix PLANE_WORKSPACE_SLUG (the word after the host in Plane's URLs) or make the key's user an Admin member there, then restart plane-bridge.`,
  planeUrlWrong: (host) =>
    `⚠️ Plane does not answer at the configured address (${host}): check PLANE_BASE_URL (Plane's web app address, without /api) and that Plane runs.`,
  runsToWatch: 'Agents to watch',
  approvals: 'Approvals waiting',
  runs: 'Runs under way',
  runState: {
    pending: 'woken, no answer yet',
    seen: 'has seen the task, not started',
    active: 'working',
    awaiting: 'waiting for an answer',
    stale: 'no news',
  },
  since: (when) => `since ${when}`,
  waitingLong: 'Waiting for more than 24 h',
  underWayToday: 'Under way this morning',
  checkinP95: (d, n) =>
    `⏱ Tasks picked up today: ${d} at the 95th percentile (${n} task${n === 1 ? '' : 's'}).`,
}

export function commandPhrasesFor(locale: Locale): CommandPhrases {
  return locale === 'en' ? en : fr
}
