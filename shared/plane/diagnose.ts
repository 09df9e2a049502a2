/**
 * @module What a Plane failure means for the operator: which setting to fix and how. One reading for
 * `check`, `/ready`, the start's probe, the poll's alert and the human's replies, so they never disagree. Pure.
 */
import { errorMessage } from '../observe/errors.ts'
import { PlaneApiError } from './errors.ts'

/** The setting a failure points at; null when Plane is merely down or busy (nothing to change, wait). */
export type PlaneSetting = 'PLANE_API_KEY' | 'PLANE_WORKSPACE_SLUG' | 'PLANE_BASE_URL'

export type PlaneDiagnosis = {
  /** `key`: the key is refused; `workspace`: no such workspace for this key; `url`: not Plane's API or no answer. */
  cause: 'key' | 'workspace' | 'url' | 'down' | 'other'
  setting: PlaneSetting | null
  /** Plane itself is down or busy: retrying later helps, no setting is wrong (a closed port names the URL all the same). */
  transient: boolean
  /** For the operator (log, /ready, check, the job CLI): what was seen, then the fix. English, never a secret. */
  detail: string
}

export type DiagnoseOptions = {
  /** The variable holding the key that was used (`PLANE_TOKEN_THOT` for an agent's own key). */
  keyVariable?: string
  slug?: string
  /** Plane's host, for "no answer from …". */
  host?: string
}

/** `/api/v1/workspaces/<slug>/members/` or `/projects/`: the workspace itself, not something inside it. */
const WORKSPACE_LEVEL = /\/workspaces\/(.+)\/(?:members|projects)\/$/

export function diagnosePlaneFailure(
  error: unknown,
  { keyVariable = 'PLANE_API_KEY', slug, host = 'Plane' }: DiagnoseOptions = {}
): PlaneDiagnosis {
  if (!(error instanceof PlaneApiError))
    return {
      cause: 'other',
      setting: null,
      transient: true,
      detail: errorMessage(error),
    }
  const workspaceLevel = WORKSPACE_LEVEL.exec(error.path)
  const inner = workspaceLevel?.[1] ?? ''
  const onWorkspace = workspaceLevel !== null && !inner.includes('/projects/')
  const named = slug ?? inner
  switch (error.kind) {
    case 'auth':
      return {
        cause: 'key',
        setting: keyVariable === 'PLANE_API_KEY' ? 'PLANE_API_KEY' : null,
        transient: false,
        detail: `${keyVariable} refused (HTTP ${error.status}): regenerate ${keyVariable} — a new key for that user in Plane, Profile settings → API tokens`,
      }
    case 'not_found':
      if (onWorkspace)
        return {
          cause: 'workspace',
          setting: 'PLANE_WORKSPACE_SLUG',
          transient: false,
          detail: `no workspace "${named}" (HTTP ${error.status}): check PLANE_WORKSPACE_SLUG, the word after the host in Plane's URLs (https://…/<slug>/projects)`,
        }
      if (/\/users\/me\/$/.test(error.path)) return _notTheApi(host, error.status)
      break
    case 'forbidden':
      // Plane answers 403 for an unknown slug, a non-member and a Guest alike (plane-api.md §3.3).
      if (onWorkspace)
        return {
          cause: 'workspace',
          setting: 'PLANE_WORKSPACE_SLUG',
          transient: false,
          detail: `workspace "${named}" refuses this key (HTTP 403): check PLANE_WORKSPACE_SLUG, the word after the host in Plane's URLs; or the key's user is a Guest or not a member there: make it Admin in Workspace settings → Members`,
        }
      break
    case 'invalid_response':
      return _notTheApi(host, error.status)
    case 'unavailable':
      return error.status === 0
        ? {
            cause: 'url',
            setting: 'PLANE_BASE_URL',
            transient: true,
            detail: `no answer from ${host} (${error.reason}): check PLANE_BASE_URL and that Plane runs`,
          }
        : {
            cause: 'down',
            setting: null,
            transient: true,
            detail: `${host} answers ${error.status}: Plane is down or starting`,
          }
    case 'rate_limited':
      return {
        cause: 'down',
        setting: null,
        transient: true,
        detail: `${host} answers 429: the key's requests per minute are spent (PLANE_API_RATE_LIMIT = Plane's API_KEY_RATE_LIMIT?)`,
      }
  }
  return { cause: 'other', setting: null, transient: false, detail: error.message }
}

function _notTheApi(host: string, status: number): PlaneDiagnosis {
  return {
    cause: 'url',
    setting: 'PLANE_BASE_URL',
    transient: false,
    detail: `${host} answers, but not as Plane's API (${status}): PLANE_BASE_URL is the address of Plane's web app, without /api`,
  }
}
