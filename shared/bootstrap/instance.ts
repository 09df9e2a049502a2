/**
 * @module The instance and the workspace (PROV-01, AUTH-02): the first admin made as /god-mode makes it on a Plane
 * just installed, the human signed in to the app, the workspace created with its slug and time zone UTC, the
 * human's language set while Plane's onboarding has not asked for it.
 */
import {
  adminSignUp,
  createWorkspace,
  myWorkspaces,
  planeMessage,
  readInstance,
  readProfile,
  setLanguage,
  signIn,
  slugAvailable,
} from '../plane/session/calls.ts'
import type { PlaneSession } from '../plane/session/client.ts'
import { roleName } from './accounts.ts'
import { type BootstrapContext, done, failed, fine, human, type Item } from './context.ts'
import { authRefusal, notAdminRefusal, slugTakenRefusal, workspaceRefusal } from './refusals.ts'

export type InstanceOutcome = {
  items: Item[]
  /** The human's app session, when signed in. */
  admin: PlaneSession | null
  release: string | null
  /** The workspace is there (or, in a dry run, would be) with the human as its Admin: the accounts can follow. */
  ready: boolean
}

export async function setUpInstance(ctx: BootstrapContext): Promise<InstanceOutcome> {
  const { settings, dryRun } = ctx
  const items: Item[] = []
  const admin = ctx.newSession()
  const stop = (item: Item, release: string | null = null): InstanceOutcome => ({
    items: [...items, item],
    admin: null,
    release,
    ready: false,
  })
  let instance: Awaited<ReturnType<typeof readInstance>>
  try {
    instance = await readInstance(admin)
  } catch (error) {
    return stop(failed('instance', error))
  }
  const { release } = instance
  const refusal = {
    email: settings.adminEmail,
    passwordSetting: 'PLANE_ADMIN_PASSWORD',
    secretsFile: ctx.ledger.where,
  }
  if (!instance.setUp) {
    if (dryRun) {
      items.push(
        done(
          'instance',
          `would make ${settings.adminEmail} the instance admin (Plane ${release ?? '?'} is not set up)`
        )
      )
      items.push(
        done(
          `workspace ${settings.slug}`,
          `would create it (time zone UTC), ${settings.adminEmail} its Admin`
        )
      )
      return { items, admin: null, release, ready: true }
    }
    ctx.progress('instance: making the instance admin…')
    const made = await adminSignUp(admin, {
      email: settings.adminEmail,
      password: settings.adminPassword,
      firstName: settings.adminEmail.split('@')[0] ?? 'admin',
      companyName: settings.slug,
    }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
    if (made instanceof Error) return stop(failed('instance', made), release)
    if (!made.ok) return stop(human('instance', authRefusal(made, refusal)), release)
    items.push(
      done(
        'instance',
        `made ${settings.adminEmail} the instance admin of Plane ${release ?? ''} (/god-mode); telemetry off`.replace(
          ' ()',
          ''
        )
      )
    )
  } else items.push(fine('instance', `set up (Plane ${release ?? '?'})`))

  try {
    const signedIn = await signIn(admin, settings.adminEmail, settings.adminPassword)
    if (!signedIn.ok)
      return stop(human(`account ${settings.adminEmail}`, authRefusal(signedIn, refusal)), release)
    const workspace = await _workspace(ctx, admin)
    items.push(workspace.item)
    if (workspace.ready) items.push(...(await setProfileLanguage(ctx, admin, settings.adminEmail)))
    return { items, admin, release, ready: workspace.ready }
  } catch (error) {
    return stop(failed(`workspace ${settings.slug}`, error), release)
  }
}

/** The human's account in the workspace: found as Admin, or the workspace created. */
async function _workspace(
  ctx: BootstrapContext,
  admin: PlaneSession
): Promise<{ item: Item; ready: boolean }> {
  const { slug, adminEmail } = ctx.settings
  const subject = `workspace ${slug}`
  const mine = (await myWorkspaces(admin)).find((w) => w.slug === slug)
  if (mine)
    return mine.role === 20
      ? { item: fine(subject, `there, ${adminEmail} is its Admin`), ready: true }
      : {
          item: human(subject, notAdminRefusal(slug, adminEmail, roleName(mine.role))),
          ready: false,
        }
  if (!(await slugAvailable(admin, slug)))
    return { item: human(subject, slugTakenRefusal(slug, adminEmail)), ready: false }
  if (ctx.dryRun)
    return {
      item: done(subject, `would create it (time zone UTC), ${adminEmail} its Admin`),
      ready: true,
    }
  ctx.progress(`workspace: creating ${slug}…`)
  const created = await createWorkspace(admin, { name: slug, slug, timezone: 'UTC' })
  if (created.status === 201)
    return { item: done(subject, `created (time zone UTC), ${adminEmail} its Admin`), ready: true }
  if (created.status === 401)
    throw new Error('Plane ended the session while creating the workspace')
  return {
    item: human(subject, workspaceRefusal(slug, created.status, planeMessage(created.body))),
    ready: false,
  }
}

/**
 * PROV-01's language, where Plane keeps it: each account's profile. Set while Plane's onboarding has not run for the
 * account (a person who chose their language in it keeps it).
 */
export async function setProfileLanguage(
  ctx: BootstrapContext,
  session: PlaneSession,
  email: string
): Promise<Item[]> {
  const { language } = ctx.settings
  const profile = await readProfile(session)
  if (profile.language === language || profile.onboarded) return []
  if (!ctx.dryRun) await setLanguage(session, language)
  return [
    done(
      `language ${email}`,
      `${ctx.dryRun ? 'would set' : 'set'} Plane's language to ${language} (LOCALE)`
    ),
  ]
}
