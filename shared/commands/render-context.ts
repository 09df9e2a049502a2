/** @module The render context of replies and digests from the config: LOCALE, TIMEZONE, Plane links. */
import type { Config } from '../core/config.ts'
import { localDate, type RenderContext } from './render-parts.ts'

export function renderContextFor(config: Config, now: number): RenderContext {
  return {
    locale: config.LOCALE,
    today: localDate(now, config.TIMEZONE),
    now,
    timeZone: config.TIMEZONE,
    ...(config.PLANE_BASE_URL ? { planeBaseUrl: config.PLANE_BASE_URL } : {}),
    ...(config.PLANE_WORKSPACE_SLUG ? { workspaceSlug: config.PLANE_WORKSPACE_SLUG } : {}),
  }
}
