/**
 * @module The OpenClaw lines plane-bridge supports (DESIGN 13: support what teams run), newest first. A line is what
 * its configuration accepts, not only a number: 2026.9 has an MCP client (`mcp.servers`, `agents.entries`); 2026.2
 * has none, lists agents as `agents.list[]`, and refuses any key it does not know ("Invalid config").
 */

export const OPENCLAW_LINES = ['2026.9', '2026.2'] as const
export type OpenClawLine = (typeof OPENCLAW_LINES)[number]

/** What `openclaw-config` generates for when nothing says which line runs. */
export const NEWEST_OPENCLAW_LINE: OpenClawLine = OPENCLAW_LINES[0]

/** `2026.2.26`, `v2026.2.26`, `2026.2` or `2026.2.x` → `2026.2`; null for a line plane-bridge does not know. */
export function openClawLineOf(version: string): OpenClawLine | null {
  const match = /^v?(\d{4})\.(\d{1,2})(?:\.(?:\d+|x)(?:[-+][\w.-]*)?)?$/i.exec(version.trim())
  if (!match) return null
  const line = `${match[1]}.${Number(match[2])}`
  return (OPENCLAW_LINES as readonly string[]).includes(line) ? (line as OpenClawLine) : null
}
