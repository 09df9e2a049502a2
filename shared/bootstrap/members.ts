/**
 * @module The accounts in the workspace (AUTH-01, "Agents = Users Plane"): each one not there invited with its role,
 * before it signs up (with sign-up off, Plane lets in only an invited e-mail); once they joined, each raised to its
 * role (the Concierge found as Member becomes Admin). Plane's invitation role is the role the member gets.
 */
import { invite, listInvitations, listMembers, setMemberRole } from '../plane/session/calls.ts'
import type { PlaneSession } from '../plane/session/client.ts'
import { roleName } from './accounts.ts'
import { type BootstrapContext, done, failed, fine, human, type Item } from './context.ts'
import { planInvitations, planRoles } from './plan.ts'

/** Invitations for the accounts not in the workspace; null admin: a dry run on a Plane not set up (all of them). */
export async function inviteAccounts(
  ctx: BootstrapContext,
  admin: PlaneSession | null
): Promise<Item[]> {
  const { slug } = ctx.settings
  if (!admin)
    return ctx.accounts.map((a) =>
      done(`member ${a.ref}`, `would invite ${a.email} as ${roleName(a.role)}`)
    )
  let members: Awaited<ReturnType<typeof listMembers>>
  let invitations: Awaited<ReturnType<typeof listInvitations>>
  try {
    ;[members, invitations] = await Promise.all([
      listMembers(admin, slug),
      listInvitations(admin, slug),
    ])
  } catch (error) {
    return [failed(`members ${slug}`, error)]
  }
  const toInvite = new Set(planInvitations(ctx.accounts, members, invitations))
  const items: Item[] = []
  for (const account of ctx.accounts) {
    const subject = `member ${account.ref}`
    if (!toInvite.has(account)) {
      const member = members.find((m) => m.email === account.email && m.active)
      items.push(
        fine(
          subject,
          member
            ? `${account.email} is ${roleName(member.role)}`
            : `${account.email} is invited, joins when it signs in`
        )
      )
      continue
    }
    if (ctx.dryRun) {
      items.push(done(subject, `would invite ${account.email} as ${roleName(account.role)}`))
      continue
    }
    ctx.progress(`members: inviting ${account.email}…`)
    try {
      const answer = await invite(admin, slug, account.email, account.role)
      items.push(
        answer.status === 200
          ? done(
              subject,
              `invited ${account.email} as ${roleName(account.role)} (it accepts below; no e-mail needed)`
            )
          : human(
              subject,
              `Plane refused to invite ${account.email} (${answer.status}: ${JSON.stringify(answer.body)}): invite it in Workspace settings → Members, then run bootstrap again.`
            )
      )
    } catch (error) {
      items.push(failed(subject, error))
    }
  }
  return items
}

/** Each account at its role at least, once it is a member; an account still outside is said. */
export async function settleRoles(
  ctx: BootstrapContext,
  admin: PlaneSession | null
): Promise<Item[]> {
  const { slug } = ctx.settings
  if (!admin) return []
  let members: Awaited<ReturnType<typeof listMembers>>
  try {
    members = await listMembers(admin, slug)
  } catch (error) {
    return [failed(`roles ${slug}`, error)]
  }
  const items: Item[] = []
  for (const change of planRoles(ctx.accounts, members)) {
    const { account } = change
    const subject = `role ${account.ref}`
    if (ctx.dryRun) {
      items.push(
        done(
          subject,
          `would raise ${account.email} from ${roleName(change.from)} to ${roleName(account.role)}`
        )
      )
      continue
    }
    try {
      const answer = await setMemberRole(admin, slug, change.memberId, account.role)
      items.push(
        answer.status === 200
          ? done(
              subject,
              `${account.email} raised from ${roleName(change.from)} to ${roleName(account.role)}`
            )
          : human(
              subject,
              `Plane refused to make ${account.email} ${roleName(account.role)} (${answer.status}): do it in Workspace settings → Members.`
            )
      )
    } catch (error) {
      items.push(failed(subject, error))
    }
  }
  return items
}
