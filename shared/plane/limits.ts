/**
 * @module How much of a value from outside the bridge keeps (principle 10: every stored value has a size limit), and
 * what a Plane id looks like. Plane's own limits where it has them (plane-api.md §3), the settings for long text.
 */
import { capText } from '../text/cap.ts'

/** Plane's `max_length` of a work item's, project's, state's, label's and cycle's name (`plane/db/models/`). */
export const PLANE_NAME_MAX_CHARS = 255
/** Any other short field Plane sends (priority, dates, colors, group, identifier, external ids, user names). */
export const SHORT_TEXT_MAX_CHARS = 255
/**
 * Labels or assignees on one work item. Plane keeps only project labels and active project members (plane-api.md
 * §3.1), so a real item has a handful; a longer list is not Plane's.
 */
export const LIST_MAX_ITEMS = 200

/** The lengths of long text the bridge keeps from outside: `DESCRIPTION_MAX_CHARS`, `COMMENT_MAX_CHARS`. */
export type TextLimits = { descriptionMaxChars: number; commentMaxChars: number }

/** The settings' defaults: agents write descriptions of ≤ 50,000 Markdown characters (create_task), comments of ≤ 20,000 (add_comment). */
export const DEFAULT_TEXT_LIMITS: TextLimits = {
  descriptionMaxChars: 100_000,
  commentMaxChars: 20_000,
}

/** The text limits a runtime's settings give. */
export function textLimitsOf(config: {
  DESCRIPTION_MAX_CHARS: number
  COMMENT_MAX_CHARS: number
}): TextLimits {
  return {
    descriptionMaxChars: config.DESCRIPTION_MAX_CHARS,
    commentMaxChars: config.COMMENT_MAX_CHARS,
  }
}

/** The canonical UUID form Plane gives every object (`str(uuid)`): 8-4-4-4-12 hex digits. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether `value` is a Plane id (a UUID). The length test first: a 200 KB string costs nothing. */
export function isPlaneId(value: unknown): value is string {
  return typeof value === 'string' && value.length === 36 && UUID_RE.test(value)
}

/** A short field, cut to `SHORT_TEXT_MAX_CHARS` (shown in messages; nothing is decided on its end). */
export function capShort(text: string): string {
  return capText(text, SHORT_TEXT_MAX_CHARS)
}

/** A short field that may be absent. */
export function capShortOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : capText(text, SHORT_TEXT_MAX_CHARS)
}
