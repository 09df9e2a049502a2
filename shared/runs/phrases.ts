/** @module What the run lifecycle says: to agents (plain-text wakes) and to the human (Telegram HTML). */
import type { Locale } from '../notify/i18n.ts'

/** Every argument of the `human` phrases is already HTML-escaped (or markup built from escaped parts). */
export type RunPhrases = {
  /** First line of a repeated wake, before the task's usual wake text. */
  reminder(attempt: number, of: number): string
  /** The agent must stop: the task was taken from it, given to someone else, or cancelled. */
  stop(ref: string, title: string, reason: StopReason, to: string | null): string
  /** Its last open dependency is done: the agent may start. */
  unblocked(ref: string, title: string): string
  unansweredHuman(agent: string, task: string, attempts: number): string
  unansweredConcierge(agent: string, ref: string, attempts: number): string
  staleHuman(agent: string, task: string, minutes: number): string
}

export type StopReason = 'unassigned' | 'reassigned' | 'cancelled'

const fr: RunPhrases = {
  reminder: (attempt, of) =>
    `Rappel (${attempt}/${of}) : ce réveil attend toujours ta réponse. Appelle un outil plane-bridge sur la tâche (get_task_details suffit) pour dire que tu l'as prise.`,
  stop: (ref, title, reason, to) =>
    [
      `Arrête de travailler sur ${ref} « ${title} » : ${
        reason === 'cancelled'
          ? 'elle a été annulée'
          : reason === 'reassigned'
            ? `elle a été confiée à ${to ?? 'quelqu’un d’autre'}`
            : 'elle ne t’est plus assignée'
      }.`,
      "N'écris plus rien sur cette tâche et arrête son chrono s'il tourne (stop_timer). Aucune réponse n'est attendue.",
    ].join('\n'),
  unblocked: (ref, title) =>
    `${ref} « ${title} » est débloquée : sa dernière dépendance est terminée. Tu peux la démarrer (update_task_status {"task":"${ref}","status":"in_progress"}).`,
  unansweredHuman: (agent, task, n) =>
    `🔕 ${agent} ne répond pas pour ${task} (${n} réveils sans réponse).`,
  unansweredConcierge: (agent, ref, n) =>
    `plane-bridge : l'agent ${agent} ne répond pas pour ${ref} (${n} réveils sans réponse). Vérifie qu'il tourne, ou confie la tâche à un autre agent.`,
  staleHuman: (agent, task, minutes) =>
    `⏳ ${agent} ne donne plus de nouvelles sur ${task} depuis ${minutes} min (aucun appel d'outil ni commentaire).`,
}

const en: RunPhrases = {
  reminder: (attempt, of) =>
    `Reminder (${attempt}/${of}): this wake is still waiting for you. Call a plane-bridge tool on the task (get_task_details is enough) to say you have it.`,
  stop: (ref, title, reason, to) =>
    [
      `Stop working on ${ref} “${title}”: ${
        reason === 'cancelled'
          ? 'it was cancelled'
          : reason === 'reassigned'
            ? `it was given to ${to ?? 'someone else'}`
            : 'it is no longer assigned to you'
      }.`,
      'Write nothing more on this task and stop its timer if it runs (stop_timer). No answer is expected.',
    ].join('\n'),
  unblocked: (ref, title) =>
    `${ref} “${title}” is unblocked: its last dependency is done. You may start it (update_task_status {"task":"${ref}","status":"in_progress"}).`,
  unansweredHuman: (agent, task, n) =>
    `🔕 ${agent} does not answer for ${task} (${n} wakes unanswered).`,
  unansweredConcierge: (agent, ref, n) =>
    `plane-bridge: agent ${agent} does not answer for ${ref} (${n} wakes unanswered). Check that it runs, or give the task to another agent.`,
  staleHuman: (agent, task, minutes) =>
    `⏳ No news from ${agent} on ${task} for ${minutes} min (no tool call, no comment).`,
}

export function runPhrasesFor(locale: Locale): RunPhrases {
  return locale === 'en' ? en : fr
}
