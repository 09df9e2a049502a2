/** @module Applies a provision plan to Plane, one write per action; each outcome becomes a report item. */

import { errorMessage } from '../observe/errors.ts'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import { capText } from '../text/cap.ts'
import { BRIDGE_KEY_VARIABLE, newKeyHint, ProvisionError } from './errors.ts'
import { BLOCKED_STATE, ROLE_ADMIN } from './plan.ts'
import type { ProgressStep } from './progress.ts'
import type { ProvisionAction, ProvisionItem } from './types.ts'

/** Marks what the job created, and makes a replayed create answer 409 with the existing id (createOrResolve). */
const EXTERNAL_SOURCE = 'plane-bridge'
const AGENT_LABEL_COLOR = '#6e56cf'

/** How a plan is applied: the progress of the run, and the clients an agent's own label may be made with. */
export type ApplyOptions = {
  progress?: ProgressStep
  /**
   * The agent's own client (its key), when it has one: its `agent:<id>` label is made with it, beside the set-up's
   * other writes. Any workspace Member may make a project's label (Plane's `ProjectMemberPermission` checks only the
   * workspace role for a POST), so each label costs its agent's window, not the set-up key's: a project's set-up
   * within create_project is ~31 requests of the Concierge's 60 a minute, and a project a minute would wait 6-7 s
   * for the previous one's to leave the window (the deploy bench). A key Plane refuses leaves it to `plane`.
   */
  labelsBy?: (agentId: string) => PlaneClient | null
  /** The variable of the key `plane` uses, for a refusal's message (default: the bridge's, PLANE_API_KEY). */
  keyVariable?: string
}

/**
 * Refusals (403, 400, 409) become items naming what a human must do; other failures (a 5xx, no answer,
 * rate limited beyond the client's retries) become `failed` items and the run goes on with the next
 * action. Only a refused key (401, or 403 "token not valid") stops at once: nothing else could work.
 * The items come in the actions' order; with `labelsBy`, each agent's label is made alongside `plane`'s writes.
 */
export async function applyProvisionPlan(
  plane: PlaneClient,
  actions: readonly ProvisionAction[],
  { progress, labelsBy, keyVariable = BRIDGE_KEY_VARIABLE }: ApplyOptions = {}
): Promise<ProvisionItem[]> {
  const applyOne = (action: ProvisionAction) => _applyOne(plane, action, keyVariable)
  const items: ProvisionItem[] = new Array(actions.length)
  let started = 0
  const record = async (
    index: number,
    apply: (action: ProvisionAction) => Promise<ProvisionItem>
  ) => {
    progress?.('changes', started++, actions.length)
    items[index] = await apply(actions[index] as ProvisionAction)
  }
  const mine: number[] = []
  const theirs: Array<{ index: number; own: PlaneClient }> = []
  for (const [index, action] of actions.entries()) {
    const own = action.kind === 'create-label' ? (labelsBy?.(action.agentId) ?? null) : null
    if (own) theirs.push({ index, own })
    else mine.push(index)
  }
  await Promise.all([
    (async () => {
      for (const index of mine) await record(index, applyOne)
    })(),
    ...theirs.map(({ index, own }) =>
      record(index, (action) => _withOwnKey(own, applyOne, action))
    ),
  ])
  return items
}

/** The subject an action's item carries, whatever its outcome. */
export function subjectOf(action: ProvisionAction): string {
  switch (action.kind) {
    case 'invite':
      return `agent ${action.agentId}`
    case 'add-member':
      return `member ${action.project.identifier} ${action.agentId}`
    case 'create-label':
      return `label ${action.project.identifier} ${action.name}`
    case 'create-state':
      return `state ${action.project.identifier} ${action.name}`
  }
}

/**
 * `--dry-run`: the item this action's application reports when Plane accepts it, in the conditional (the
 * plan lists what the run will, with the same status — an invitation blocks its agent until it is accepted).
 */
export function plannedItem(action: ProvisionAction): ProvisionItem {
  const subject = subjectOf(action)
  switch (action.kind) {
    case 'invite':
      return {
        subject,
        status: 'blocked',
        changed: true,
        detail: `${action.email} is not a workspace member: would be invited as Member. Accept the invitation, then run provision again.`,
      }
    case 'add-member':
      return {
        subject,
        status: 'ok',
        changed: true,
        detail: `add as ${action.role === ROLE_ADMIN ? 'Admin (AUTH-01: the Concierge)' : 'Member'}`,
      }
    case 'create-label':
      return { subject, status: 'ok', changed: true, detail: 'create' }
    case 'create-state':
      return { subject, status: 'ok', changed: true, detail: 'create (group started)' }
  }
}

/** A failure that is not a refusal, said in one line (the client's message holds no key), to retry. */
export function failedItem(subject: string, error: unknown): ProvisionItem {
  const what = _failureText(error)
  return {
    subject,
    status: 'failed',
    changed: false,
    detail: `${what}; the run went on without it: run provision again`,
  }
}

// --- Internal helpers ---

/** An agent's label made with its own key; a key Plane refuses (revoked, not a Member) leaves it to `plane`. */
async function _withOwnKey(
  own: PlaneClient,
  applyOne: (action: ProvisionAction) => Promise<ProvisionItem>,
  action: ProvisionAction
): Promise<ProvisionItem> {
  try {
    return await _apply(own, action)
  } catch (error) {
    if (error instanceof PlaneApiError && (error.kind === 'auth' || error.kind === 'forbidden'))
      return applyOne(action)
    return _outcomeOfFailure(own, action, error)
  }
}

/** One action applied, its outcome an item; a refused key throws, naming it (nothing else could work). */
async function _applyOne(
  plane: PlaneClient,
  action: ProvisionAction,
  keyVariable: string
): Promise<ProvisionItem> {
  try {
    return await _apply(plane, action)
  } catch (error) {
    if (error instanceof PlaneApiError && error.kind === 'auth')
      throw new ProvisionError(
        `Plane refused ${keyVariable} during the run (${error.message}): ${newKeyHint(keyVariable)}${keyVariable === BRIDGE_KEY_VARIABLE ? ', then run provision again' : ''}.`
      )
    return _outcomeOfFailure(plane, action, error)
  }
}

/** A refusal names what a human must do (unless the member came meanwhile); anything else is a failed item. */
async function _outcomeOfFailure(
  plane: PlaneClient,
  action: ProvisionAction,
  error: unknown
): Promise<ProvisionItem> {
  if (error instanceof PlaneApiError && _isRefusal(error))
    return (await _addedMeanwhile(plane, action, error)) ?? _refused(action, error)
  return _failed(action, error)
}

async function _apply(plane: PlaneClient, action: ProvisionAction): Promise<ProvisionItem> {
  switch (action.kind) {
    case 'invite':
      await plane.invitations.create({ email: action.email, role: action.role })
      return {
        subject: `agent ${action.agentId}`,
        status: 'blocked',
        changed: true,
        detail: `${action.email} was not a workspace member: invited now as Member. Accept the invitation, then run provision again.`,
      }
    case 'add-member':
      // Plane silently drops assignees who are not project members with role ≥ 15 (makeplane/plane#9517).
      await plane.projectMembers.add(action.project.id, {
        member: action.userId,
        role: action.role,
      })
      return {
        subject: `member ${action.project.identifier} ${action.agentId}`,
        status: 'ok',
        changed: true,
        detail: `added as ${action.role === ROLE_ADMIN ? 'Admin (AUTH-01: the Concierge)' : 'Member'}`,
      }
    case 'create-label':
      await plane.labels.create(action.project.id, {
        name: action.name,
        color: AGENT_LABEL_COLOR,
        external_source: EXTERNAL_SOURCE,
        external_id: `agent-label:${action.agentId}`,
      })
      return {
        subject: `label ${action.project.identifier} ${action.name}`,
        status: 'ok',
        changed: true,
        detail: 'created',
      }
    case 'create-state':
      await plane.states.create(action.project.id, {
        name: action.name,
        group: BLOCKED_STATE.group,
        color: BLOCKED_STATE.color,
        external_source: EXTERNAL_SOURCE,
        external_id: 'blocked-state',
      })
      return {
        subject: `state ${action.project.identifier} ${action.name}`,
        status: 'ok',
        changed: true,
        detail: 'created (group started)',
      }
  }
}

function _isRefusal(error: PlaneApiError): boolean {
  return error.kind === 'forbidden' || error.kind === 'validation' || error.kind === 'conflict'
}

/**
 * Plane answers 400 "The payload is not valid" (the unique project-member row) when the agent became a
 * member after the read — the set-up on sight of a new project (webhook, poll) can run meanwhile.
 */
async function _addedMeanwhile(
  plane: PlaneClient,
  action: ProvisionAction,
  error: PlaneApiError
): Promise<ProvisionItem | null> {
  if (action.kind !== 'add-member' || error.status !== 400) return null
  // Unread: the original failure is reported as it is.
  const members = await plane.projectMembers.list(action.project.id).catch(() => [])
  if (!members.some((m) => m.id === action.userId)) return null
  return {
    subject: subjectOf(action),
    status: 'ok',
    changed: false,
    detail: 'project member (added meanwhile)',
  }
}

function _failed(action: ProvisionAction, error: unknown): ProvisionItem {
  return failedItem(subjectOf(action), error)
}

function _refused(action: ProvisionAction, error: PlaneApiError): ProvisionItem {
  const plane = `Plane answered ${error.status}`
  switch (action.kind) {
    case 'invite':
      return {
        subject: `agent ${action.agentId}`,
        status: 'blocked',
        changed: false,
        detail: `${action.email} is not a workspace member and the invitation failed (${error.message}): invite it as Member in Workspace settings → Members, accept, then run provision again.`,
      }
    case 'add-member': {
      const project = `"${action.project.name}" (${action.project.identifier})`
      const role = action.role === ROLE_ADMIN ? 'Admin' : 'Member'
      const fix =
        error.status === 403
          ? `the bridge's user is not Admin of project ${project}: make it Admin there (Project settings → Members), or add ${action.agentId} as ${role} yourself, then run provision again.`
          : `adding ${action.agentId} to project ${project} failed (${error.message}): add it as ${role} in Project settings → Members, then run provision again.`
      return {
        subject: `member ${action.project.identifier} ${action.agentId}`,
        status: 'blocked',
        changed: false,
        detail: `${plane}: ${fix}`,
      }
    }
    case 'create-label':
      return {
        subject: `label ${action.project.identifier} ${action.name}`,
        status: 'human',
        changed: false,
        detail: `${plane} (${error.message}): create the label ${action.name} in Project settings → Labels (OPENCLAW-10).`,
      }
    case 'create-state':
      return {
        subject: `state ${action.project.identifier} ${action.name}`,
        status: 'human',
        changed: false,
        detail: `${plane} (${error.message}): create a state "${action.name}" (group In progress) in Project settings → States; until then a blocked task gets only a comment (OPENCLAW-14).`,
      }
  }
}

/** A proxy's HTML error page says nothing more than its status: keep Plane's own words only. */
function _failureText(error: unknown): string {
  if (!(error instanceof PlaneApiError)) return errorMessage(error)
  if (error.status === 0) return error.message
  const body = error.body
  const said =
    body && typeof body === 'object'
      ? [body.detail, body.error, body.error_message].find((v) => typeof v === 'string')
      : undefined
  return `Plane answered ${error.status} to ${error.method} ${error.path}${said ? ` (${capText(String(said), 200)})` : ''}`
}
