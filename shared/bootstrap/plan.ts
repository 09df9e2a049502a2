/**
 * @module What `bootstrap` must do, from what Plane has and what is wanted: invitations, roles, each account's key,
 * the webhook. Pure: the runs read Plane, ask these, then do what they say (PROV-01, PROV-03, AUTH-01, NOTIF-01).
 */
import type { ApiTokenRow, InvitationRow, MemberRow } from '../plane/session/calls.ts'
import type { WebhookEvents, WebhookRow } from '../plane/session/webhooks.ts'
import type { Account } from './accounts.ts'

/** Every event the bridge reads (its webhook route takes them all: projects, work items, cycles, modules, comments). */
export const WEBHOOK_EVENTS: WebhookEvents = {
  project: true,
  issue: true,
  module: true,
  cycle: true,
  issue_comment: true,
}

/** An account that is no active member and has no invitation pending gets one, with its role. */
export function planInvitations(
  accounts: readonly Account[],
  members: readonly MemberRow[],
  invitations: readonly InvitationRow[]
): Account[] {
  return accounts.filter(
    (account) =>
      !members.some((m) => m.email === account.email && m.active) &&
      !invitations.some((i) => i.email === account.email)
  )
}

export type RoleChange = { account: Account; memberId: string; from: number }

/**
 * An active member below its role is raised to it (a Concierge found as Member becomes Admin); one above it is left
 * as a person made it. Inactive or absent accounts are not for this step.
 */
export function planRoles(
  accounts: readonly Account[],
  members: readonly MemberRow[]
): RoleChange[] {
  return accounts.flatMap((account) => {
    const member = members.find((m) => m.email === account.email && m.active)
    return member && member.role < account.role
      ? [{ account, memberId: member.id, from: member.role }]
      : []
  })
}

export type KeyPlan = {
  /** The key whose secret the file holds and Plane still has: kept. */
  keep: string | null
  /** Keys with the account's label that the file has no secret for: revoked (their secret was never kept). */
  revoke: string[]
  create: boolean
}

/**
 * One key per account, the one the file holds. A labelled key without its secret in the file (a run stopped between
 * Plane's answer and the write, or a file lost) cannot be used by anyone: revoked, and a new one made.
 */
export function planKey(
  account: Account,
  tokens: readonly ApiTokenRow[],
  stored: { token: string | undefined; keyId: string | undefined }
): KeyPlan {
  const labelled = tokens.filter((t) => t.label === account.keyLabel)
  const keep =
    stored.token && stored.keyId && labelled.some((t) => t.id === stored.keyId)
      ? stored.keyId
      : null
  return {
    keep,
    revoke: labelled.filter((t) => t.id !== keep).map((t) => t.id),
    create: keep === null,
  }
}

export type WebhookPlan =
  | { kind: 'create' }
  | {
      kind: 'keep'
      webhook: WebhookRow
      /** Events to turn on, and whether it must be made active again (Plane turns it off after failed deliveries). */
      patch: Partial<WebhookEvents> & { is_active?: boolean }
      /** Plane's secret differs from the file's (or the file has none): the file takes Plane's. */
      adoptSecret: boolean
    }

/** The webhook to the bridge's URL: made when missing; otherwise active, with every event, its secret in the file. */
export function planWebhook(
  url: string,
  webhooks: readonly WebhookRow[],
  storedSecret: string | undefined
): WebhookPlan {
  const webhook = webhooks.find((w) => w.url === url)
  if (!webhook) return { kind: 'create' }
  const patch: Partial<WebhookEvents> & { is_active?: boolean } = {}
  for (const event of Object.keys(WEBHOOK_EVENTS) as Array<keyof WebhookEvents>)
    if (!webhook[event]) patch[event] = true
  if (!webhook.active) patch.is_active = true
  return { kind: 'keep', webhook, patch, adoptSecret: webhook.secret !== storedSecret }
}
