/** @module The words of messages to the human, in French (default: the user writes French) and English. */

export type Locale = 'fr' | 'en'

/** What a wake-up says about the task (plain text). */
export type WakeTask = {
  ref: string
  title: string
  project: string
  priority: string
  dueDate: string | null
  url: string | null
}

const PRIORITY_FR: Record<string, string> = {
  urgent: 'urgente',
  high: 'haute',
  medium: 'moyenne',
  low: 'basse',
  none: 'aucune',
}

/** Every argument is already HTML-escaped (or is markup built from escaped parts). */
export type Phrases = {
  completed(who: string | null, task: string): string
  cancelled(who: string | null, task: string): string
  blockedState(task: string, state: string): string
  blockedLabel(task: string): string
  blockedComment(who: string | null, task: string): string
  created(task: string): string
  assigned(task: string, to: string): string
  stateChanged(task: string, from: string, to: string): string
  projectCreated(name: string): string
  /** Said under "New project" once the bridge set it up for the agents (or could not). */
  projectReady: string
  projectNotReady(detail: string): string
  /** The bridge's user is not in the project: the one step a person must take. */
  projectNeedsBridge(bridge: string, minutes: number): string
  cycleStarted(name: string, dates: string): string
  cycleCompleted(name: string): string
  review(task: string, confidence: string, who: string): string
  /** Under a completion whose confidence asks for a review: one message, the review's buttons on it. */
  reviewOnCompletion(threshold: string): string
  /** The wake-up text an agent receives (OPENCLAW-16); plain text, not HTML. */
  wake(task: WakeTask): string
  timeSpent: string
  confidence: string
  deliverables: string
  assignees: string
  blockers: string
  unassigned: string
  /** `Label :` in French typography, `Label:` in English. */
  label(name: string): string
  formatDuration(minutes: number): string
  formatNumber(n: number): string
}

const fr: Phrases = {
  completed: (who, task) => (who ? `${who} a terminé ${task}` : `${task} est terminée`),
  cancelled: (who, task) => (who ? `${who} a annulé ${task}` : `${task} est annulée`),
  blockedState: (task, state) => `${task} est bloquée (état : ${state})`,
  blockedLabel: (task) => `${task} est marquée bloquée`,
  blockedComment: (who, task) =>
    who ? `${who} signale un blocage sur ${task} :` : `Blocage signalé sur ${task} :`,
  created: (task) => `Nouvelle tâche ${task}`,
  assigned: (task, to) => `${task} est assignée à ${to}`,
  stateChanged: (task, from, to) => `${task} : ${from} → ${to}`,
  projectCreated: (name) => `Nouveau projet : ${name}`,
  projectReady:
    'Les agents y sont ajoutés (membres, étiquettes agent:…, état Bloqué) : ils peuvent recevoir des tâches.',
  projectNotReady: (detail) => `Mise en place pour les agents incomplète : ${detail}`,
  projectNeedsBridge: (bridge, minutes) =>
    `Le bridge (${bridge}) n’en est pas membre, donc il ne peut pas y ajouter les agents : ajoutez-le comme administrateur du projet (Paramètres du projet → Membres). Il fera le reste dans les ${minutes} minutes, sans provision.`,
  cycleStarted: (name, dates) => `Cycle ${name} démarré${dates ? ` (${dates})` : ''}`,
  cycleCompleted: (name) => `Cycle ${name} terminé`,
  review: (task, confidence, who) =>
    `Revue demandée pour ${task} : confiance ${confidence} (${who})`,
  reviewOnCompletion: (threshold) =>
    `🔍 Revue demandée : confiance sous ${threshold}. Validez, ou renvoyez avec ce qui manque.`,
  wake: (t) =>
    [
      `Nouvelle tâche Plane pour toi : ${t.ref} « ${t.title} » (projet ${t.project}, priorité ${PRIORITY_FR[t.priority] ?? t.priority}${t.dueDate ? `, échéance ${t.dueDate}` : ''}).`,
      ...(t.url ? [`Lien : ${t.url}`] : []),
      `Avec les outils plane-bridge : get_task_details {"task":"${t.ref}"} pour tout lire ; update_task_status {"task":"${t.ref}","status":"in_progress"} pour la démarrer (refusé tant qu'une dépendance n'est pas terminée) ; add_comment pour l'avancement, les erreurs (kind error) et les questions (kind question) ; upload_deliverable pour les livrables ; update_task_status done avec summary et confidence pour finir. list_my_tasks donne toutes tes tâches ouvertes.`,
    ].join('\n'),
  timeSpent: 'Temps passé',
  confidence: 'Confiance',
  deliverables: 'Livrables',
  assignees: 'Assignée à',
  blockers: 'Bloqueurs',
  unassigned: 'personne',
  label: (name) => `${name} :`,
  formatDuration: (m) =>
    m < 60 ? `${m} min` : `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`,
  formatNumber: (n) => n.toLocaleString('fr-FR', { maximumFractionDigits: 2 }),
}

const en: Phrases = {
  completed: (who, task) => (who ? `${who} completed ${task}` : `${task} is done`),
  cancelled: (who, task) => (who ? `${who} cancelled ${task}` : `${task} was cancelled`),
  blockedState: (task, state) => `${task} is blocked (state: ${state})`,
  blockedLabel: (task) => `${task} is marked blocked`,
  blockedComment: (who, task) =>
    who ? `${who} reports a blocker on ${task}:` : `Blocker reported on ${task}:`,
  created: (task) => `New task ${task}`,
  assigned: (task, to) => `${task} is assigned to ${to}`,
  stateChanged: (task, from, to) => `${task}: ${from} → ${to}`,
  projectCreated: (name) => `New project: ${name}`,
  projectReady:
    'The agents were added to it (members, agent:… labels, Blocked state): they can be given tasks.',
  projectNotReady: (detail) => `Set-up for the agents incomplete: ${detail}`,
  projectNeedsBridge: (bridge, minutes) =>
    `The bridge (${bridge}) is not a member, so it cannot add the agents: make it an Admin of the project (Project settings → Members). It does the rest within ${minutes} minutes, no provision needed.`,
  cycleStarted: (name, dates) => `Cycle ${name} started${dates ? ` (${dates})` : ''}`,
  cycleCompleted: (name) => `Cycle ${name} completed`,
  review: (task, confidence, who) => `Review needed for ${task}: confidence ${confidence} (${who})`,
  reviewOnCompletion: (threshold) =>
    `🔍 Review needed: confidence below ${threshold}. Validate, or send it back with what is missing.`,
  wake: (t) =>
    [
      `New Plane task for you: ${t.ref} “${t.title}” (project ${t.project}, priority ${t.priority}${t.dueDate ? `, due ${t.dueDate}` : ''}).`,
      ...(t.url ? [`Link: ${t.url}`] : []),
      `With the plane-bridge tools: get_task_details {"task":"${t.ref}"} to read it all; update_task_status {"task":"${t.ref}","status":"in_progress"} to start it (refused while a dependency is not done); add_comment for progress, errors (kind error) and questions (kind question); upload_deliverable for deliverables; update_task_status done with summary and confidence to finish. list_my_tasks lists all your open tasks.`,
    ].join('\n'),
  timeSpent: 'Time spent',
  confidence: 'Confidence',
  deliverables: 'Deliverables',
  assignees: 'Assigned to',
  blockers: 'Blockers',
  unassigned: 'nobody',
  label: (name) => `${name}:`,
  formatDuration: (m) =>
    m < 60 ? `${m}m` : `${Math.floor(m / 60)}h${m % 60 ? ` ${m % 60}m` : ''}`,
  formatNumber: (n) => n.toLocaleString('en-US', { maximumFractionDigits: 2 }),
}

export function phrasesFor(locale: Locale): Phrases {
  return locale === 'en' ? en : fr
}

/** Quotation marks around a task title: « … » in French, “…” in English. */
export function quote(locale: Locale, inner: string): string {
  return locale === 'en' ? `“${inner}”` : `« ${inner} »`
}

/** Plane's default state names (and the bridge's Blocked state), as a French speaker reads them. */
const FRENCH_STATES: Record<string, string> = {
  backlog: 'Backlog',
  todo: 'À faire',
  'in progress': 'En cours',
  done: 'Terminée',
  cancelled: 'Annulée',
  canceled: 'Annulée',
  blocked: 'Bloquée',
}

/** A state's name for the human: Plane's English defaults in French when LOCALE=fr; custom names as they are. */
export function stateDisplayName(name: string, locale: Locale): string {
  if (locale !== 'fr') return name
  return FRENCH_STATES[name.trim().toLowerCase()] ?? name
}
