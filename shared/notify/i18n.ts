/** @module The words of messages to the human, in French (default: the user writes French) and English. */

export type Locale = 'fr' | 'en'

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
  cycleStarted(name: string, dates: string): string
  cycleCompleted(name: string): string
  review(task: string, confidence: string, who: string): string
  /** The wake-up text an agent receives (OPENCLAW-16); plain text, not HTML. */
  wake(ref: string, title: string, project: string, taskId: string): string
  timeSpent: string
  assignees: string
  blockers: string
  unassigned: string
  /** `Label :` in French typography, `Label:` in English. */
  label(name: string): string
  formatDuration(minutes: number): string
  formatNumber(n: number): string
}

const fr: Phrases = {
  completed: (who, task) => (who ? `${who} a complété ${task}` : `${task} est terminée`),
  cancelled: (who, task) => (who ? `${who} a annulé ${task}` : `${task} est annulée`),
  blockedState: (task, state) => `${task} est bloquée (état : ${state})`,
  blockedLabel: (task) => `${task} est marquée bloquée`,
  blockedComment: (who, task) =>
    who ? `${who} signale un blocage sur ${task} :` : `Blocage signalé sur ${task} :`,
  created: (task) => `Nouvelle tâche ${task}`,
  assigned: (task, to) => `${task} est assignée à ${to}`,
  stateChanged: (task, from, to) => `${task} : ${from} → ${to}`,
  projectCreated: (name) => `Nouveau projet : ${name}`,
  cycleStarted: (name, dates) => `Cycle ${name} démarré${dates ? ` (${dates})` : ''}`,
  cycleCompleted: (name) => `Cycle ${name} terminé`,
  review: (task, confidence, who) =>
    `Revue demandée pour ${task} : confiance ${confidence} (${who})`,
  wake: (ref, title, project, id) =>
    `Nouvelle tâche Plane assignée : ${ref} « ${title} » (projet ${project}). Consulte-la avec l'outil plane-bridge get_task_details (id ${id}) ou list_my_tasks, puis démarre-la si elle est prête.`,
  timeSpent: 'Temps passé',
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
  cycleStarted: (name, dates) => `Cycle ${name} started${dates ? ` (${dates})` : ''}`,
  cycleCompleted: (name) => `Cycle ${name} completed`,
  review: (task, confidence, who) => `Review needed for ${task}: confidence ${confidence} (${who})`,
  wake: (ref, title, project, id) =>
    `New Plane task assigned to you: ${ref} “${title}” (project ${project}). Read it with the plane-bridge tool get_task_details (id ${id}) or list_my_tasks, then start it when it is ready.`,
  timeSpent: 'Time spent',
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
