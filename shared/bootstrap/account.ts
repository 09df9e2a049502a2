/**
 * @module One account, as a person would set it up by hand in Plane's web app (PROV-03, AUTH-03): signed up with a
 * generated password its invitation lets in (the password written to the secrets file first), or signed in with the
 * one the file holds; its invitation accepted; one API key, labelled, its secret written the moment Plane shows it;
 * its language. A key labelled but not in the file is revoked and made again: its secret is gone for good.
 */
import {
  acceptInvitations,
  createApiToken,
  deleteApiToken,
  listApiTokens,
  myInvitations,
  signIn,
  signUp,
} from '../plane/session/calls.ts'
import type { PlaneSession } from '../plane/session/client.ts'
import type { Account } from './accounts.ts'
import { type BootstrapContext, done, failed, fine, human, type Item } from './context.ts'
import { setProfileLanguage } from './instance.ts'
import { planKey } from './plan.ts'
import { authRefusal } from './refusals.ts'

export async function setUpAccount(ctx: BootstrapContext, account: Account): Promise<Item[]> {
  const items: Item[] = []
  const session = ctx.newSession()
  const subject = `account ${account.ref}`
  try {
    const entry = await _signInOrUp(ctx, account, session)
    items.push(entry.item)
    if (!entry.signedIn) {
      // A dry run on an account yet to be made: what the run would do after its sign-up.
      if (entry.wouldSignUp)
        items.push(
          done(
            `key ${account.tokenVar}`,
            `would make one for ${account.email}, written to ${ctx.ledger.where}`
          )
        )
      return items
    }
    items.push(...(await _join(ctx, account, session)))
    items.push(await _key(ctx, account, session))
    items.push(...(await setProfileLanguage(ctx, session, account.email)))
  } catch (error) {
    items.push(failed(subject, error))
  }
  return items
}

type Entry = { item: Item; signedIn: boolean; wouldSignUp?: boolean }

async function _signInOrUp(
  ctx: BootstrapContext,
  account: Account,
  session: PlaneSession
): Promise<Entry> {
  const subject = `account ${account.ref}`
  const refusal = {
    email: account.email,
    passwordSetting: account.passwordVar,
    secretsFile: ctx.ledger.where,
  }
  const stored = ctx.ledger.get(account.passwordVar)
  if (stored) {
    const signedIn = await signIn(session, account.email, stored)
    if (signedIn.ok) return { item: fine(subject, `${account.email} signs in`), signedIn: true }
    if (signedIn.error !== 'USER_DOES_NOT_EXIST')
      return { item: human(subject, authRefusal(signedIn, refusal)), signedIn: false }
  }
  if (ctx.dryRun)
    return {
      item: done(
        subject,
        `would sign up ${account.email} with a new password (its invitation lets it in)`
      ),
      signedIn: false,
      wouldSignUp: true,
    }
  // Written before Plane hears of it: a run stopped after the sign-up still knows how to sign in.
  const password = stored ?? ctx.newPassword()
  await ctx.ledger.remember({ [account.passwordVar]: password })
  ctx.progress(`accounts: signing up ${account.email}…`)
  const signedUp = await signUp(session, account.email, password)
  if (signedUp.ok)
    return {
      item: done(
        subject,
        `signed up ${account.email}; its password is in ${ctx.ledger.where} (${account.passwordVar})`
      ),
      signedIn: true,
    }
  // Someone else's account: the password just made opens nothing.
  if (!stored) await ctx.ledger.remove([account.passwordVar])
  return { item: human(subject, authRefusal(signedUp, refusal)), signedIn: false }
}

/** The account's pending invitation to the workspace, accepted as the invited user accepts it in the web app. */
async function _join(
  ctx: BootstrapContext,
  account: Account,
  session: PlaneSession
): Promise<Item[]> {
  const { slug } = ctx.settings
  const pending = (await myInvitations(session)).filter((i) => i.workspaceSlug === slug)
  if (pending.length === 0) return []
  if (!ctx.dryRun)
    await acceptInvitations(
      session,
      pending.map((i) => i.id)
    )
  return [
    done(
      `join ${account.ref}`,
      `${ctx.dryRun ? 'would accept' : 'accepted'} the invitation to ${slug}`
    ),
  ]
}

async function _key(ctx: BootstrapContext, account: Account, session: PlaneSession): Promise<Item> {
  const subject = `key ${account.tokenVar}`
  const plan = planKey(account, await listApiTokens(session), {
    token: ctx.ledger.get(account.tokenVar),
    keyId: ctx.ledger.get(account.keyIdVar),
  })
  const unread = account.tokenVarDeclared
    ? ''
    : ` Nothing reads ${account.tokenVar} yet: add "planeTokenEnv": "${account.tokenVar}" to ${account.agentId}'s entry in agents.json.`
  const revoked = plan.revoke.length
    ? `revoked ${plan.revoke.length} key(s) labelled "${account.keyLabel}" whose secret never reached ${ctx.ledger.where} (a run stopped between Plane's answer and the file), `
    : ''
  if (!plan.create) {
    const kept = `kept (labelled "${account.keyLabel}", in ${ctx.ledger.where}).${unread}`
    return unread ? human(subject, kept) : fine(subject, kept)
  }
  if (ctx.dryRun)
    return done(
      subject,
      `${revoked ? `would have ${revoked}and ` : ''}would make one for ${account.email}, written to ${ctx.ledger.where}`
    )
  for (const id of plan.revoke) await deleteApiToken(session, id)
  ctx.progress(`keys: making ${account.tokenVar}…`)
  const made = await createApiToken(
    session,
    account.keyLabel,
    `Made by plane-bridge bootstrap for ${account.ref}; its secret is ${account.tokenVar} in ${ctx.ledger.where}.`
  )
  await ctx.ledger.remember({ [account.tokenVar]: made.token, [account.keyIdVar]: made.id })
  const detail = `${revoked}made a key for ${account.email} (labelled "${account.keyLabel}"), written to ${ctx.ledger.where}.${unread}`
  // A key nothing reads yet: made, and a person must still name it in agents.json.
  return unread ? { ...human(subject, detail), changed: true } : done(subject, detail)
}
