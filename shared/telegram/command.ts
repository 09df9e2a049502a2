/** @module `/plane` command parsing from message text (§1.8 Bot commands). */

/** The only registrable command (§1.8); `status`, `project <name>`, ... are free-text arguments. */
export const PLANE_COMMAND = 'plane'

export type PlaneCommand = { command: typeof PLANE_COMMAND; args: string[] }

/**
 * Command token at the start of a message: `/name` or `/name@bot_username`, ending at whitespace or the
 * end of the text. Telegram's own matcher (tdlib `match_bot_commands`) takes 1-64 name characters and a
 * 3-32 character username.
 */
const COMMAND_PATTERN = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{3,32}))?(?=\s|$)/

/**
 * Parse `/plane [args...]` from a message's text. Works on the text alone (no entities needed).
 * - `/plane@OurBot status` is ours (username compared case-insensitively, an `@` prefix tolerated);
 *   `/plane@OtherBot` is addressed to another bot in the group and yields `null` (§1.8).
 * - The command name is matched case-insensitively (`/Plane` from a phone keyboard still works).
 * - Arguments are split on any run of whitespace, newlines included; their case is kept.
 * @example parseCommand('/plane@plane_bridge_bot  project  Web ', 'plane_bridge_bot') // { command: 'plane', args: ['project', 'Web'] }
 */
export function parseCommand(text: string | undefined, botUsername: string): PlaneCommand | null {
  if (!text) return null
  const match = COMMAND_PATTERN.exec(text.trimStart())
  if (!match) return null
  const [token, name = '', addressee] = match
  if (name.toLowerCase() !== PLANE_COMMAND) return null
  if (addressee && addressee.toLowerCase() !== botUsername.replace(/^@/, '').toLowerCase()) {
    return null
  }
  const rest = text.trimStart().slice(token.length)
  return { command: PLANE_COMMAND, args: rest.split(/\s+/).filter(Boolean) }
}
