/** @module What the human's actions say: buttons, prompts, the edited line, Plane comments, the agent's wake. fr/en. */

import type { Locale } from '../notify/i18n.ts'
import { TOAST_MAX_CHARS } from '../telegram/limits.ts'
import { capText } from '../text/cap.ts'
import type { CardAction } from './cards.ts'

/** `by`, `task` and `text` arguments of the `html` phrases are already escaped. */
export type ActionPhrases = {
  buttons: Record<CardAction, string>
  /** The approval card: a task waits for the human before its agent may start. */
  approvalAsk(task: string, agent: string | null, overBudget?: boolean): string
  /** ForceReply prompt for the text an action needs (send back: the reason; answer: the answer). */
  prompt(action: 'sendback' | 'answer', ref: string): string
  /** The line an acted-on message gains, its buttons gone: "✅ Validé par Ada à 10:32". */
  doneLine(action: CardAction | 'closed', by: string, time: string): string
  /** answerCallbackQuery text (≤ 200 characters, plain). */
  toast: {
    /** The press is taken: Plane is being asked (the card is edited once it has answered). */
    working: string
    replyBelow: string
    already(line: string): string
    failed: string
    /** A button this card never offered (forged or stale callback data): nothing is done. */
    unknownButton: string
  }
  /** The action could not be carried out in Plane: said in the chat, with the cause. */
  failed(ref: string, detail: string): string
  /** Comments in Plane (Markdown). */
  comment: {
    validate(by: string): string
    sendback(by: string, reason: string): string
    answer(by: string, text: string): string
    approve(by: string): string
    refuse(by: string): string
  }
  /** Wakes for the agent (plain text). */
  wake: {
    answer(by: string, ref: string, title: string, text: string): string
    sendback(by: string, ref: string, title: string, reason: string): string
  }
}

const fr: ActionPhrases = {
  buttons: {
    validate: '✅ Valider',
    sendback: '↩️ Renvoyer',
    answer: '💬 Répondre',
    approve: '✅ Approuver',
    refuse: '❌ Refuser',
    raise: '➕ +20 % ce mois-ci',
    pause: '⏸ Retenir les nouvelles tâches',
  },
  approvalAsk: (task, agent, overBudget) =>
    `🛂 <b>Approbation demandée</b>${overBudget ? ' (budget dépassé)' : ''} : ${task}${agent ? ` — pour ${agent}` : ''}. L’agent ne commencera qu’après votre accord.`,
  prompt: (action, ref) =>
    action === 'sendback'
      ? `↩️ Pourquoi renvoyer ${ref} ? Répondez à ce message : votre texte sera commenté dans Plane et transmis à l’agent.`
      : `💬 Votre réponse pour ${ref} ? Répondez à ce message : elle sera commentée dans Plane et transmise à l’agent.`,
  doneLine: (action, by, time) =>
    ({
      validate: `✅ Validé par ${by} à ${time}`,
      sendback: `↩️ Renvoyé par ${by} à ${time}`,
      answer: `💬 Répondu par ${by} à ${time}`,
      approve: `✅ Approuvé par ${by} à ${time}`,
      refuse: `❌ Refusé par ${by} à ${time}`,
      raise: `➕ Budget relevé par ${by} à ${time}`,
      pause: `⏸ Nouvelles tâches retenues par ${by} à ${time}`,
      closed: `🗑 Tâche supprimée dans Plane (${time})`,
    })[action],
  toast: {
    working: '⏳ En cours…',
    replyBelow: 'Répondez au message qui suit.',
    already: (line) => capText(`Déjà fait : ${line}`, TOAST_MAX_CHARS),
    failed: 'Échec : voir le message.',
    unknownButton: 'Bouton inconnu pour cette carte : rien n’a été fait.',
  },
  failed: (ref, detail) =>
    `⚠️ ${ref} : l’action n’a pas pu être faite dans Plane (${detail}). Réessayez.`,
  comment: {
    validate: (by) => `✅ Validé par ${by} depuis Telegram.`,
    sendback: (by, reason) => `↩️ Renvoyé par ${by} depuis Telegram : ${reason}`,
    answer: (by, text) => `💬 Réponse via Telegram (${by}) : ${text}`,
    approve: (by) => `✅ Approuvé par ${by} depuis Telegram.`,
    refuse: (by) => `🚫 Refusé par ${by} depuis Telegram : la tâche est annulée.`,
  },
  wake: {
    answer: (by, ref, title, text) =>
      `Réponse de ${by} sur ${ref} « ${title} » :\n${text}\nReprends la tâche avec cette réponse (update_task_status in_progress si elle était bloquée).`,
    sendback: (by, ref, title, reason) =>
      `${ref} « ${title} » t’est renvoyée par ${by} :\n${reason}\nElle est de nouveau en cours : corrige, puis termine-la avec update_task_status done.`,
  },
}

const en: ActionPhrases = {
  buttons: {
    validate: '✅ Approve',
    sendback: '↩️ Send back',
    answer: '💬 Answer',
    approve: '✅ Approve',
    refuse: '❌ Refuse',
    raise: '➕ +20% this month',
    pause: '⏸ Hold new tasks',
  },
  approvalAsk: (task, agent, overBudget) =>
    `🛂 <b>Approval needed</b>${overBudget ? ' (over budget)' : ''}: ${task}${agent ? ` — for ${agent}` : ''}. The agent starts only once you approve.`,
  prompt: (action, ref) =>
    action === 'sendback'
      ? `↩️ Why send ${ref} back? Reply to this message: your text becomes a comment in Plane and goes to the agent.`
      : `💬 Your answer for ${ref}? Reply to this message: it becomes a comment in Plane and goes to the agent.`,
  doneLine: (action, by, time) =>
    ({
      validate: `✅ Approved by ${by} at ${time}`,
      sendback: `↩️ Sent back by ${by} at ${time}`,
      answer: `💬 Answered by ${by} at ${time}`,
      approve: `✅ Approved by ${by} at ${time}`,
      refuse: `❌ Refused by ${by} at ${time}`,
      raise: `➕ Budget raised by ${by} at ${time}`,
      pause: `⏸ New tasks held by ${by} at ${time}`,
      closed: `🗑 Task deleted in Plane (${time})`,
    })[action],
  toast: {
    working: '⏳ Working on it…',
    replyBelow: 'Reply to the next message.',
    already: (line) => capText(`Already done: ${line}`, TOAST_MAX_CHARS),
    failed: 'Failed: see the message.',
    unknownButton: 'Unknown button for this card: nothing was done.',
  },
  failed: (ref, detail) =>
    `⚠️ ${ref}: the action could not be done in Plane (${detail}). Try again.`,
  comment: {
    validate: (by) => `✅ Approved by ${by} from Telegram.`,
    sendback: (by, reason) => `↩️ Sent back by ${by} from Telegram: ${reason}`,
    answer: (by, text) => `💬 Answer via Telegram (${by}): ${text}`,
    approve: (by) => `✅ Approved by ${by} from Telegram.`,
    refuse: (by) => `🚫 Refused by ${by} from Telegram: the task is cancelled.`,
  },
  wake: {
    answer: (by, ref, title, text) =>
      `Answer from ${by} on ${ref} “${title}”:\n${text}\nGo on with the task using it (update_task_status in_progress if it was blocked).`,
    sendback: (by, ref, title, reason) =>
      `${ref} “${title}” is sent back to you by ${by}:\n${reason}\nIt is in progress again: fix it, then finish it with update_task_status done.`,
  },
}

export function actionPhrasesFor(locale: Locale): ActionPhrases {
  return locale === 'en' ? en : fr
}
