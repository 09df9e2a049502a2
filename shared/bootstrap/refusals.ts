/**
 * @module What each refusal of Plane's session API means for `bootstrap`, in Plane's terms, and the fix: the error
 * codes of its auth redirects (`authentication/adapter/error.py`) and the answers of its views. Pure.
 */
import type { FormOutcome } from '../plane/session/client.ts'

export type RefusalContext = {
  /** The account's e-mail. */
  email: string
  /** Where its password comes from, as the fix names it (PLANE_ADMIN_PASSWORD, BOOTSTRAP_PASSWORD_…). */
  passwordSetting: string
  secretsFile: string
}

const RESET =
  'docker compose -f plane.yml --env-file plane.env exec -it plane-api python manage.py reset_password'

/** Why an auth form post was refused, and what a person does about it. */
export function authRefusal(
  outcome: Extract<FormOutcome, { ok: false }>,
  { email, passwordSetting, secretsFile }: RefusalContext
): string {
  const said = `Plane refused it (${outcome.error}${outcome.code ? ` ${outcome.code}` : ''})`
  switch (outcome.error) {
    case 'PASSWORD_TOO_WEAK':
      return `${said}: Plane finds the password of ${email} too weak (its zxcvbn score must be 3 or more). Choose a longer one of unrelated words, digits and symbols for ${passwordSetting}, then run bootstrap again.`
    case 'SIGNUP_DISABLED':
      return `${said}: sign-up is disabled on this Plane (god-mode → Authentication, or ENABLE_SIGNUP=0) and no invitation names ${email}. Bootstrap invites every account before it signs up: run it again; if this stays, invite ${email} in Workspace settings → Members.`
    case 'USER_ALREADY_EXIST':
    case 'ADMIN_USER_ALREADY_EXIST':
      return `${said}: ${email} already has an account in this Plane, made without bootstrap, whose password bootstrap does not know. Set a new one (${RESET} ${email}), put it in ${secretsFile} as ${passwordSetting}=… (or in .env for PLANE_ADMIN_PASSWORD), then run bootstrap again.`
    case 'USER_DOES_NOT_EXIST':
    case 'ADMIN_USER_DOES_NOT_EXIST':
      return `${said}: ${email} has no account in this Plane, which is set up already (by someone else). Set PLANE_ADMIN_EMAIL and PLANE_ADMIN_PASSWORD to the account of an Admin of the workspace (the instance admin made in /god-mode), then run bootstrap again.`
    case 'AUTHENTICATION_FAILED_SIGN_IN':
    case 'ADMIN_AUTHENTICATION_FAILED':
      return `${said}: ${passwordSetting} is not the password of ${email} in Plane. Put the right one there, or set a new one (${RESET} ${email}) and put that there; then run bootstrap again.`
    case 'EMAIL_PASSWORD_AUTHENTICATION_DISABLED':
      return `${said}: e-mail and password sign-in is turned off on this Plane. Turn it on in /god-mode → Authentication (ENABLE_EMAIL_PASSWORD), then run bootstrap again.`
    case 'INSTANCE_NOT_CONFIGURED':
      return `${said}: the instance has no admin yet although /api/instances/ said it had; run bootstrap again.`
    case 'ADMIN_ALREADY_EXIST':
      return `${said}: this Plane has an instance admin already, which /api/instances/ did not say yet (its answer is cached for up to two hours): run bootstrap again, it will sign in as ${email}.`
    case 'CSRF_REFUSED':
      return `Plane refused the form with its CSRF page: PLANE_BASE_URL must be the address Plane's web app is served at (its Origin is checked) and /auth/ must reach Plane's api (Caddy: /auth ▶ plane-api). ${outcome.detail ?? ''}`.trim()
    default:
      return `${said}${outcome.detail ? `: ${outcome.detail}` : ''}: see Plane's api logs (docker compose -f plane.yml logs plane-api), then run bootstrap again.`
  }
}

/** A workspace Plane would not create. */
export function workspaceRefusal(slug: string, status: number, message: string): string {
  if (status === 403)
    return `Plane refused to create the workspace "${slug}" (403: ${message}): workspace creation is disabled. Allow it in /god-mode → Workspaces (DISABLE_WORKSPACE_CREATION), or create "${slug}" there and make PLANE_ADMIN_EMAIL its Admin; then run bootstrap again.`
  return `Plane refused to create the workspace "${slug}" (${status}: ${message}): choose another PLANE_WORKSPACE_SLUG (letters, digits, - and _, not one Plane reserves), then run bootstrap again.`
}

export function slugTakenRefusal(slug: string, adminEmail: string): string {
  return `the slug "${slug}" is taken in this Plane (a workspace ${adminEmail} is not a member of) or reserved by Plane. Either choose another PLANE_WORKSPACE_SLUG, or have an Admin of "${slug}" invite ${adminEmail} as Admin (Workspace settings → Members) and accept it; then run bootstrap again.`
}

export function notAdminRefusal(slug: string, adminEmail: string, role: string): string {
  return `${adminEmail} is ${role} in "${slug}": inviting the agents as Admin and making the webhook need a workspace Admin. An Admin of "${slug}" makes it Admin in Workspace settings → Members; then run bootstrap again.`
}
