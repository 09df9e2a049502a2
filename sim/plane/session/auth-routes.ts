/**
 * @module Signing in and up, as the web app and god-mode do (`authentication/views/common.py` CSRFTokenEndpoint,
 * `views/app/email.py`, `adapter/base.py`, `license/api/views/admin.py`, `license/api/views/instance.py`): the same
 * at v1.2.2 and v1.3.1 but for the two Intercom keys v1.2.2's `/api/instances/` config still has.
 */

import { getCookie } from 'hono/cookie'
import zxcvbn from 'zxcvbn'
import { newUser } from '../factories.ts'
import type { SimApp } from '../routes/context.ts'
import type { UserRecord } from '../store.ts'
import { CSRF_COOKIE, csrfSecretOf, maskCsrfSecret, newCsrfSecret } from './csrf.ts'
import {
  type AuthErrorName,
  appRedirect,
  csrfFailurePage,
  EMAIL_PATTERN,
  errorParams,
  readForm,
} from './forms.ts'
import { acceptedInvitationsJoin } from './invitation-ops.ts'
import { anonThrottle, logIn, type SessionDeps, setCsrfCookie } from './sessions.ts'
import { profileOf } from './state.ts'

export type AuthRouteDeps = SessionDeps & { baseUrl: string; release: string; instanceId: string }

export function registerAuthRoutes(app: SimApp, deps: AuthRouteDeps) {
  const { store, state } = deps
  // base_host(): Plane's web address as the request reached it (WEB_URL unset), and Django's CSRF "good origin".
  const siteOf = (c: { req: { url: string } }) => new URL(c.req.url).origin

  app.get('/auth/get-csrf-token/', anonThrottle(deps), function csrfToken(c) {
    const secret = csrfSecretOf(getCookie(c, CSRF_COOKIE)) ?? newCsrfSecret()
    // get_token() marks the cookie for (re)sending on every call.
    setCsrfCookie(deps, c, secret)
    return c.json({ csrf_token: maskCsrfSecret(secret) })
  })

  app.get('/api/instances/', anonThrottle(deps), function getInstance(c) {
    const { instance } = state
    return c.json({
      config: {
        enable_signup: instance.enableSignup,
        is_workspace_creation_disabled: instance.disableWorkspaceCreation,
        is_email_password_enabled: instance.enableEmailPassword,
        is_smtp_configured: false,
        // Removed in v1.3.0 (license/api/views/instance.py).
        ...(deps.release.startsWith('1.2')
          ? { is_intercom_enabled: true, intercom_app_id: '' }
          : {}),
      },
      instance: {
        id: deps.instanceId,
        instance_name: instance.instance_name,
        current_version: `v${deps.release}`,
        is_setup_done: instance.is_setup_done,
        is_telemetry_enabled: instance.is_telemetry_enabled,
        workspaces_exist: store.workspace.exists,
      },
    })
  })

  app.post('/auth/sign-in/', async function signIn(c) {
    const form = await readForm(c)
    const site = siteOf(c)
    const refused = csrfFailurePage(c, form, site)
    if (refused) return refused
    const fail = (name: AuthErrorName, payload?: Record<string, string>) =>
      appRedirect(c, site, errorParams(name, payload))
    if (!state.instance.is_setup_done) return fail('INSTANCE_NOT_CONFIGURED')
    if (!form.email || !form.password)
      return fail('REQUIRED_EMAIL_PASSWORD_SIGN_IN', { email: form.email ?? 'False' })
    const email = form.email.trim().toLowerCase()
    if (!EMAIL_PATTERN.test(email)) return fail('INVALID_EMAIL_SIGN_IN', { email })
    const user = findUserByEmail(deps, email)
    if (!user) return fail('USER_DOES_NOT_EXIST', { email })
    if (!state.instance.enableEmailPassword) return fail('EMAIL_PASSWORD_AUTHENTICATION_DISABLED')
    if (state.passwords.get(user.id) !== form.password)
      return fail('AUTHENTICATION_FAILED_SIGN_IN', { email })
    acceptedInvitationsJoin(deps, user)
    logIn(deps, c, user)
    return appRedirect(c, site)
  })

  app.post('/auth/sign-up/', async function signUp(c) {
    const form = await readForm(c)
    const site = siteOf(c)
    const refused = csrfFailurePage(c, form, site)
    if (refused) return refused
    const fail = (name: AuthErrorName, payload?: Record<string, string>) =>
      appRedirect(c, site, errorParams(name, payload))
    if (!state.instance.is_setup_done) return fail('INSTANCE_NOT_CONFIGURED')
    if (!form.email || !form.password)
      return fail('REQUIRED_EMAIL_PASSWORD_SIGN_UP', { email: form.email ?? 'False' })
    const email = form.email.trim().toLowerCase()
    if (!EMAIL_PATTERN.test(email)) return fail('INVALID_EMAIL_SIGN_UP', { email })
    if (findUserByEmail(deps, email)) return fail('USER_ALREADY_EXIST', { email })
    if (!state.instance.enableEmailPassword) return fail('EMAIL_PASSWORD_AUTHENTICATION_DISABLED')
    // adapter/base.py __check_signup: an invitation for the e-mail lets it through when sign-up is off.
    const invited = [...store.invitations.values()].some(
      (row) => row.deleted_at === null && row.email === email
    )
    if (!state.instance.enableSignup && !invited) return fail('SIGNUP_DISABLED', { email })
    if (zxcvbn(form.password).score < 3) return fail('PASSWORD_TOO_WEAK', { email })
    const user = createAccount(deps, { email, password: form.password })
    acceptedInvitationsJoin(deps, user)
    logIn(deps, c, user)
    return appRedirect(c, site)
  })

  app.post('/api/instances/admins/sign-up/', async function adminSignUp(c) {
    const form = await readForm(c)
    const site = siteOf(c)
    const godMode = `${site}/god-mode/`
    const refused = csrfFailurePage(c, form, site)
    if (refused) return refused
    const payload = {
      email: form.email ?? 'False',
      first_name: form.first_name ?? 'False',
      last_name: form.last_name ?? '',
      company_name: form.company_name ?? '',
      is_telemetry_enabled: form.is_telemetry_enabled ?? 'True',
    }
    const fail = (name: AuthErrorName, extra?: Record<string, string>) =>
      c.redirect(`${godMode}?${errorParams(name, extra).toString()}`, 302)
    if (state.admins.size > 0) return fail('ADMIN_ALREADY_EXIST')
    if (!form.email || !form.password || !form.first_name)
      return fail('REQUIRED_ADMIN_EMAIL_PASSWORD_FIRST_NAME', payload)
    const email = form.email.trim().toLowerCase()
    if (!EMAIL_PATTERN.test(email)) return fail('INVALID_ADMIN_EMAIL', { ...payload, email })
    if (findUserByEmail(deps, email)) return fail('ADMIN_USER_ALREADY_EXIST', { ...payload, email })
    if (zxcvbn(form.password).score < 3) return fail('PASSWORD_TOO_WEAK', { ...payload, email })
    const user = createAccount(deps, {
      email,
      password: form.password,
      first_name: form.first_name,
      last_name: form.last_name ?? '',
    })
    profileOf(state, user.id).company_name = form.company_name ?? ''
    state.admins.add(user.id)
    state.instance.is_setup_done = true
    state.instance.instance_name = form.company_name ?? ''
    // A form value is a string: Django's BooleanField reads "False"/"0" as false.
    state.instance.is_telemetry_enabled = !['false', '0'].includes(
      (form.is_telemetry_enabled ?? 'True').toLowerCase()
    )
    logIn(deps, c, user)
    return c.redirect(`${godMode}general/`, 302)
  })

  app.post('/api/instances/admins/sign-in/', async function adminSignIn(c) {
    const form = await readForm(c)
    const site = siteOf(c)
    const godMode = `${site}/god-mode/`
    const refused = csrfFailurePage(c, form, site)
    if (refused) return refused
    const fail = (name: AuthErrorName, extra?: Record<string, string>) =>
      c.redirect(`${godMode}?${errorParams(name, extra).toString()}`, 302)
    if (!form.email || !form.password)
      return fail('REQUIRED_ADMIN_EMAIL_PASSWORD', { email: form.email ?? 'False' })
    const email = form.email.trim().toLowerCase()
    if (!EMAIL_PATTERN.test(email)) return fail('INVALID_ADMIN_EMAIL', { email })
    const user = findUserByEmail(deps, email)
    if (!user) return fail('ADMIN_USER_DOES_NOT_EXIST', { email })
    if (state.passwords.get(user.id) !== form.password || !state.admins.has(user.id))
      return fail('ADMIN_AUTHENTICATION_FAILED', { email })
    logIn(deps, c, user)
    return c.redirect(`${godMode}general/`, 302)
  })
}

export function findUserByEmail(deps: SessionDeps, email: string): UserRecord | undefined {
  return [...deps.store.users.values()].find((user) => user.email.toLowerCase() === email)
}

/** A new account: `User` (display name from the e-mail), its password and `Profile`. */
export function createAccount(
  deps: SessionDeps,
  p: { email: string; password: string; first_name?: string; last_name?: string }
): UserRecord {
  const user = newUser({
    email: p.email,
    first_name: p.first_name ?? '',
    last_name: p.last_name ?? '',
    display_name: p.email.split('@')[0] ?? p.email,
  })
  deps.store.users.set(user.id, user)
  deps.state.passwords.set(user.id, p.password)
  profileOf(deps.state, user.id)
  return user
}
