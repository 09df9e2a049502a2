/**
 * @module What Plane keeps for its web app beside the rows the v1 API reads: the instance and its admins, passwords,
 * profiles and the sessions (`plane/license/models`, `db/models/user.py` Profile, `db/models/session.py`).
 */

import type { Uuid } from '../types.ts'

/** The instance row and the settings god-mode edits (`InstanceConfiguration`, from plane.env at registration). */
export type SimInstance = {
  /** Set by the first admin's sign-up (`InstanceAdminSignUpEndpoint`). */
  is_setup_done: boolean
  instance_name: string | null
  is_telemetry_enabled: boolean
  /** `ENABLE_SIGNUP`: '0' refuses a sign-up without an invitation for its e-mail. */
  enableSignup: boolean
  /** `ENABLE_EMAIL_PASSWORD`: '0' refuses every e-mail/password sign-in and sign-up. */
  enableEmailPassword: boolean
  /** `DISABLE_WORKSPACE_CREATION`. */
  disableWorkspaceCreation: boolean
}

/** `Profile`: the fields the web app's first steps touch. */
export type SimProfile = {
  id: Uuid
  user: Uuid
  language: string
  is_onboarded: boolean
  company_name: string
  last_workspace_id: Uuid | null
}

/** A `django_session` row: whose it is and when it ends. */
export type SimSession = { user: Uuid; expiresAtMs: number }

/** One API token's columns beyond the v1 key lookup (`APIToken`: label, description, who and when). */
export type SimTokenMeta = {
  id: Uuid
  label: string
  description: string
  created_at: string
  updated_at: string
  last_used: string | null
}

export type SessionState = {
  instance: SimInstance
  admins: Set<Uuid>
  /** The password each user signs in with (Django keeps a hash; the simulator compares the text). */
  passwords: Map<Uuid, string>
  profiles: Map<Uuid, SimProfile>
  /** Session key → session, one table for the app's `session-id` and god-mode's `admin-session-id`. */
  sessions: Map<string, SimSession>
  /** API token → its columns (the v1 key itself stays in PlaneStore.tokens). */
  tokenMeta: Map<string, SimTokenMeta>
}

export type SessionStateOptions = {
  /** A Plane just installed: its instance is registered but not set up (no admin yet). */
  fresh: boolean
  enableSignup?: boolean
  enableEmailPassword?: boolean
  disableWorkspaceCreation?: boolean
}

export function createSessionState(options: SessionStateOptions): SessionState {
  return {
    instance: {
      is_setup_done: !options.fresh,
      instance_name: null,
      is_telemetry_enabled: true,
      enableSignup: options.enableSignup ?? true,
      enableEmailPassword: options.enableEmailPassword ?? true,
      disableWorkspaceCreation: options.disableWorkspaceCreation ?? false,
    },
    admins: new Set(),
    passwords: new Map(),
    profiles: new Map(),
    sessions: new Map(),
    tokenMeta: new Map(),
  }
}

/** `Profile.objects.get_or_create(user=user)`, with the model's defaults. */
export function profileOf(state: SessionState, user: Uuid): SimProfile {
  let profile = state.profiles.get(user)
  if (!profile) {
    profile = {
      id: crypto.randomUUID(),
      user,
      language: 'en',
      is_onboarded: false,
      company_name: '',
      last_workspace_id: null,
    }
    state.profiles.set(user, profile)
  }
  return profile
}
