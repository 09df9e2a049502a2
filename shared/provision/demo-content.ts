/** @module The `Onboarding` demo project's texts (PROV-02): three tasks that show the Concierge → agents flow. Pure. */

export const DEMO_IDENTIFIER = 'ONB'
export const DEMO_PROJECT_NAME = 'Onboarding'
/** Marks the project `--demo` created: a project ONB without it is someone else's and is left alone. */
export const DEMO_EXTERNAL_ID = 'demo:onboarding'

/** Who a demo task goes to: the Concierge, or the first other agent of the registry. */
export type DemoAssignee = 'concierge' | 'agent'

export type DemoTask = {
  /** `external_id` of the work item (with `external_source=plane-bridge`): a second run finds it. */
  externalId: string
  name: string
  /** Markdown. */
  description: string
  assignee: DemoAssignee
  /** Held for the human's approval: label `needs-approval`. */
  approval: boolean
  /** The external id of the task that must be done first. */
  after: string | null
}

export type DemoContent = { description: string; tasks: DemoTask[] }

const FIRST = `${DEMO_EXTERNAL_ID}:1`
const SECOND = `${DEMO_EXTERNAL_ID}:2`

/** `firstRef`: the reference Plane gave the first task (ONB-1), quoted by the second. */
export function demoContent(locale: 'fr' | 'en', firstRef = `${DEMO_IDENTIFIER}-1`): DemoContent {
  return locale === 'en' ? _english(firstRef) : _french(firstRef)
}

// --- Internal helpers ---

function _french(firstRef: string): DemoContent {
  return {
    description:
      'Projet de démonstration créé par plane-bridge (provision --demo) : trois tâches montrent comment une demande passe du Concierge aux agents. Supprimez-le quand vous voulez.',
    tasks: [
      {
        externalId: FIRST,
        name: "Découper la demande « Préparer l'accueil d'un nouveau client »",
        description:
          'Exemple. Vous écrivez au Concierge sur Telegram ; il transforme la demande en tâches Plane et les confie aux agents. Cette tâche est la sienne : la **découper** en étapes et les assigner.\n\nQuand elle est terminée, la tâche suivante est débloquée et son agent est réveillé.',
        assignee: 'concierge',
        approval: false,
        after: null,
      },
      {
        externalId: SECOND,
        name: "Rédiger le guide d'accueil du client",
        description: `Exemple. Une tâche confiée à un agent **avec une dépendance** : elle attend que ${firstRef} soit terminée. L'agent ne peut pas la démarrer avant ; il est réveillé dès qu'elle est débloquée.\n\nÀ la fin, il rend compte dans un commentaire (résumé, confiance) et vous recevez un message.`,
        assignee: 'agent',
        approval: false,
        after: FIRST,
      },
      {
        externalId: `${DEMO_EXTERNAL_ID}:3`,
        name: 'Envoyer le guide au client',
        description:
          "Exemple. Une tâche qui **attend votre accord** (label `needs-approval`) : envoyer quelque chose à l'extérieur se décide par vous. Sur Telegram, le bouton ✅ Approuver retire le label et réveille l'agent ; d'ici là, elle ne peut pas démarrer.",
        assignee: 'agent',
        approval: true,
        after: null,
      },
    ],
  }
}

function _english(firstRef: string): DemoContent {
  return {
    description:
      'Demo project created by plane-bridge (provision --demo): three tasks show how a request goes from the Concierge to the agents. Delete it whenever you like.',
    tasks: [
      {
        externalId: FIRST,
        name: 'Break down the request "Prepare a new client\'s onboarding"',
        description:
          "Example. You write to the Concierge on Telegram; it turns the request into Plane tasks and gives them to the agents. This task is the Concierge's own: **break it down** into steps and assign them.\n\nWhen it is done, the next task is unblocked and its agent woken.",
        assignee: 'concierge',
        approval: false,
        after: null,
      },
      {
        externalId: SECOND,
        name: "Write the client's welcome guide",
        description: `Example. A task given to an agent **with a dependency**: it waits for ${firstRef} to be done. The agent cannot start it before; it is woken as soon as it is unblocked.\n\nWhen done, the agent reports in a comment (summary, confidence) and you get a message.`,
        assignee: 'agent',
        approval: false,
        after: FIRST,
      },
      {
        externalId: `${DEMO_EXTERNAL_ID}:3`,
        name: 'Send the guide to the client',
        description:
          'Example. A task **waiting for your approval** (label `needs-approval`): sending something outside is your call. On Telegram, the ✅ Approve button removes the label and wakes the agent; until then it cannot start.',
        assignee: 'agent',
        approval: true,
        after: null,
      },
    ],
  }
}
