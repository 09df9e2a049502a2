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
  /** The dependency that held it back was deleted in Plane: the agent may start. */
  unblockedByDeletion(ref: string, title: string, dependency: string): string
  unansweredHuman(agent: string, task: string, attempts: number): string
  unansweredConcierge(agent: string, ref: string, attempts: number): string
  staleHuman(agent: string, task: string, minutes: number): string
  /** The agent checked in (listed or read the task) and has not started it since, with nothing else under way. */
  unstartedHuman(agent: string, task: string, minutes: number): string
  /** Every wake failed to reach OpenClaw: why, instead of "does not answer". */
  undeliveredHuman(agent: string, task: string, attempts: number, cause: string): string
  /** OpenClaw refuses the bridge itself (a setting to fix): no agent can be woken. */
  refusedHuman(cause: string): string
  /** A task was deleted in Plane while agents worked on it; they were told to stop. */
  deletedHuman(task: string, agents: string): string
  /** A comment mentions the agent: plain text, with the comment and the task's link. */
  mention(m: MentionWake): string
  /** Every wake for a mention went unanswered. */
  mentionUnansweredHuman(agent: string, author: string, task: string, attempts: number): string
  /** The cause of a failed wake, from the OpenClaw error (already escaped text). */
  cause(failure: WakeFailure): string
}

/** Why a wake did not reach OpenClaw, as the hooks client reported it. */
export type WakeFailure = { kind: string; status: number | null; detail: string }

/** What a mention's wake says. */
export type MentionWake = {
  ref: string
  title: string
  url: string | null
  author: string
  text: string
}

export type StopReason = 'unassigned' | 'reassigned' | 'cancelled' | 'deleted'

const fr: RunPhrases = {
  reminder: (attempt, of) =>
    `Rappel (${attempt}/${of}) : ce réveil attend toujours ta réponse. Appelle un outil plane-bridge sur la tâche (get_task_details suffit) pour dire que tu l'as prise.`,
  stop: (ref, title, reason, to) =>
    [
      `Arrête de travailler sur ${ref} « ${title} » : ${
        reason === 'cancelled'
          ? 'elle a été annulée'
          : reason === 'deleted'
            ? 'elle a été supprimée dans Plane'
            : reason === 'reassigned'
              ? `elle a été confiée à ${to ?? 'quelqu’un d’autre'}`
              : 'elle ne t’est plus assignée'
      }.`,
      "N'écris plus rien sur cette tâche et arrête son chrono s'il tourne (stop_timer). Aucune réponse n'est attendue.",
    ].join('\n'),
  unblocked: (ref, title) =>
    `${ref} « ${title} » est débloquée : sa dernière dépendance est terminée. Tu peux la démarrer (update_task_status {"task":"${ref}","status":"in_progress"}).`,
  unblockedByDeletion: (ref, title, dependency) =>
    `${ref} « ${title} » est débloquée : sa dépendance ${dependency} a été supprimée dans Plane. Tu peux la démarrer (update_task_status {"task":"${ref}","status":"in_progress"}).`,
  unansweredHuman: (agent, task, n) =>
    `🔕 ${agent} ne répond pas pour ${task} (${n} réveils sans réponse).`,
  unansweredConcierge: (agent, ref, n) =>
    `plane-bridge : l'agent ${agent} ne répond pas pour ${ref} (${n} réveils sans réponse). Vérifie qu'il tourne, ou confie la tâche à un autre agent.`,
  staleHuman: (agent, task, minutes) =>
    `⏳ ${agent} ne donne plus de nouvelles sur ${task} depuis ${minutes} min (aucun appel d'outil ni commentaire).`,
  unstartedHuman: (agent, task, minutes) =>
    `🕐 ${agent} a vu ${task} il y a ${minutes} min mais ne l'a pas commencée (rien d'autre en cours, aucune dépendance en attente).`,
  undeliveredHuman: (agent, task, n, cause) =>
    `🔕 ${agent} n'a pas pu être réveillé pour ${task} (${n} essais) : ${cause}.`,
  refusedHuman: (cause) => `⚠️ Les agents ne peuvent pas être réveillés : ${cause}.`,
  mention: ({ ref, title, url, author, text }) =>
    [
      `💬 ${author} te mentionne sur ${ref} « ${title} »${url ? ` (${url})` : ''} :`,
      `« ${text} »`,
      `Réponds par un commentaire sur la tâche : add_comment {"task":"${ref}","text":"…"} (kind "question" si tu as besoin de l'humain). Lis la tâche d'abord si besoin (get_task_details). Si elle n'est pas à toi, n'y change rien d'autre.`,
    ].join('\n'),
  mentionUnansweredHuman: (agent, author, task, n) =>
    `🔕 ${agent} ne répond pas à la mention de ${author} sur ${task} (${n} réveils sans réponse).`,
  deletedHuman: (task, agents) =>
    `🗑 ${task} a été supprimée dans Plane alors que ${agents} y travaillai${agents.includes(' et ') ? 'en' : ''}t : arrêt demandé, exécution annulée.`,
  cause: ({ kind, status, detail }) =>
    kind === 'auth'
      ? `OpenClaw refuse le jeton OPENCLAW_HOOKS_TOKEN (${status ?? 401}) ; il doit être égal à hooks.token dans la configuration d'OpenClaw`
      : kind === 'not_found'
        ? `OpenClaw répond ${status ?? 404} sur ses hooks ; vérifiez OPENCLAW_HOOKS_URL et hooks.enabled dans sa configuration`
        : kind === 'bad_request' || kind === 'too_large'
          ? `OpenClaw refuse le réveil (${status ?? 400} : ${detail})`
          : `OpenClaw est injoignable (${status ? `${status} : ` : ''}${detail})`,
}

const en: RunPhrases = {
  reminder: (attempt, of) =>
    `Reminder (${attempt}/${of}): this wake is still waiting for you. Call a plane-bridge tool on the task (get_task_details is enough) to say you have it.`,
  stop: (ref, title, reason, to) =>
    [
      `Stop working on ${ref} “${title}”: ${
        reason === 'cancelled'
          ? 'it was cancelled'
          : reason === 'deleted'
            ? 'it was deleted in Plane'
            : reason === 'reassigned'
              ? `it was given to ${to ?? 'someone else'}`
              : 'it is no longer assigned to you'
      }.`,
      'Write nothing more on this task and stop its timer if it runs (stop_timer). No answer is expected.',
    ].join('\n'),
  unblocked: (ref, title) =>
    `${ref} “${title}” is unblocked: its last dependency is done. You may start it (update_task_status {"task":"${ref}","status":"in_progress"}).`,
  unblockedByDeletion: (ref, title, dependency) =>
    `${ref} “${title}” is unblocked: its dependency ${dependency} was deleted in Plane. You may start it (update_task_status {"task":"${ref}","status":"in_progress"}).`,
  unansweredHuman: (agent, task, n) =>
    `🔕 ${agent} does not answer for ${task} (${n} wakes unanswered).`,
  unansweredConcierge: (agent, ref, n) =>
    `plane-bridge: agent ${agent} does not answer for ${ref} (${n} wakes unanswered). Check that it runs, or give the task to another agent.`,
  staleHuman: (agent, task, minutes) =>
    `⏳ No news from ${agent} on ${task} for ${minutes} min (no tool call, no comment).`,
  unstartedHuman: (agent, task, minutes) =>
    `🕐 ${agent} saw ${task} ${minutes} min ago but has not started it (nothing else under way, no dependency waiting).`,
  undeliveredHuman: (agent, task, n, cause) =>
    `🔕 ${agent} could not be woken for ${task} (${n} tries): ${cause}.`,
  refusedHuman: (cause) => `⚠️ Agents cannot be woken: ${cause}.`,
  mention: ({ ref, title, url, author, text }) =>
    [
      `💬 ${author} mentions you on ${ref} “${title}”${url ? ` (${url})` : ''}:`,
      `“${text}”`,
      `Answer with a comment on the task: add_comment {"task":"${ref}","text":"…"} (kind "question" if you need the human). Read the task first if you need to (get_task_details). If it is not yours, change nothing else on it.`,
    ].join('\n'),
  mentionUnansweredHuman: (agent, author, task, n) =>
    `🔕 ${agent} does not answer ${author}'s mention on ${task} (${n} wakes unanswered).`,
  deletedHuman: (task, agents) =>
    `🗑 ${task} was deleted in Plane while ${agents} worked on it: told to stop, run cancelled.`,
  cause: ({ kind, status, detail }) =>
    kind === 'auth'
      ? `OpenClaw refuses the token OPENCLAW_HOOKS_TOKEN (${status ?? 401}); it must equal hooks.token in OpenClaw's configuration`
      : kind === 'not_found'
        ? `OpenClaw answers ${status ?? 404} on its hooks; check OPENCLAW_HOOKS_URL and hooks.enabled in its configuration`
        : kind === 'bad_request' || kind === 'too_large'
          ? `OpenClaw refuses the wake (${status ?? 400}: ${detail})`
          : `OpenClaw is unreachable (${status ? `${status}: ` : ''}${detail})`,
}

export function runPhrasesFor(locale: Locale): RunPhrases {
  return locale === 'en' ? en : fr
}
