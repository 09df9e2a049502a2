/**
 * @module At start, the bridge's Plane key and workspace and its Telegram token are tried once, in the background:
 * a refused key or an unknown workspace is said at once — log, /ready, the metric, the human's alert —
 * not at the next poll, and what /ready showed before the restart is replaced by what this start saw. Plane merely
 * down does not stop anything: it is logged, and the poll says it if it lasts.
 */

import type { Services } from '../core/function.ts'
import type { Parts } from '../core/parts.ts'
import { errorMessage } from '../observe/errors.ts'
import { diagnosePlaneFailure } from '../plane/diagnose.ts'
import { alertPlaneFailure, clearPlaneAlerts } from '../poll/plane-alerts.ts'
import { TelegramError } from '../telegram/index.ts'
import { noteAgentsInPlane } from './agents.ts'

export type StartProbeParts = Pick<
  Services,
  'config' | 'store' | 'log' | 'now' | 'status' | 'agents' | 'agentTokens'
> &
  Pick<Parts, 'plane' | 'telegram' | 'outbox' | 'chatId' | 'openclaw' | 'kick' | 'directory'>

export type StartProbeReport = {
  plane: 'ok' | 'refused' | 'down' | 'off'
  telegram: 'ok' | 'refused' | 'down' | 'off'
}

export async function probeAtStart(parts: StartProbeParts): Promise<StartProbeReport> {
  const [plane, telegram] = await Promise.all([_plane(parts), _telegram(parts)])
  return { plane, telegram }
}

// --- Internal helpers ---

async function _plane(parts: StartProbeParts): Promise<StartProbeReport['plane']> {
  const { plane, log, config } = parts
  if (!plane) return 'off'
  try {
    // users/me tries the key, the members list the workspace and the key's role in it (check.ts does the same).
    const me = await plane.users.me()
    const listedAt = parts.now()
    const members = await plane.members.list()
    await clearPlaneAlerts(parts)
    log.info('plane answers', {
      user: me.email ?? me.id,
      workspace: config.PLANE_WORKSPACE_SLUG,
    })
    // The agents' check below lists the projects anyway: with the members, they are the directory's listing too, so
    // the first wake after a deploy lists neither (it did, on a window the set-up jobs had just spent).
    // A listing that fails is made again by the agents' check, which says so.
    const listing = await plane.projects.list().then(
      (projects) => ({ members, projects }),
      () => undefined
    )
    if (listing) parts.directory.accept(listing, listedAt)
    // The registry held against Plane's members now, not only when provision runs.
    await noteAgentsInPlane(parts, listing).catch((error: unknown) =>
      log.warn('agents not held against Plane at start', { error: errorMessage(error) })
    )
    return 'ok'
  } catch (error) {
    const diagnosis = diagnosePlaneFailure(error, { slug: config.PLANE_WORKSPACE_SLUG })
    // The contact itself was recorded by the client (runtime/parts.ts), with the same text.
    if (diagnosis.transient) {
      log.warn('plane does not answer at start', { detail: diagnosis.detail })
      return 'down'
    }
    log.error('plane refuses the bridge', { setting: diagnosis.setting, fix: diagnosis.detail })
    await alertPlaneFailure(parts, error).catch((failure: unknown) =>
      log.warn('alert not queued', { error: String(failure) })
    )
    return 'refused'
  }
}

async function _telegram(parts: StartProbeParts): Promise<StartProbeReport['telegram']> {
  const { telegram, status, log } = parts
  if (!telegram) return 'off'
  try {
    await telegram.getMe()
    status.contact('telegram', true)
    return 'ok'
  } catch (error) {
    const refused = error instanceof TelegramError && error.errorCode === 401
    const detail = refused
      ? 'TELEGRAM_BOT_TOKEN refused (401): copy the bot token from @BotFather again (/mybots → API Token)'
      : `${errorMessage(error)}: check TELEGRAM_API_BASE and that this machine reaches it`
    status.contact('telegram', false, detail)
    if (refused)
      log.error('telegram refuses the bridge', { setting: 'TELEGRAM_BOT_TOKEN', fix: detail })
    else log.warn('telegram does not answer at start', { detail })
    return refused ? 'refused' : 'down'
  }
}
