/**
 * @module An agent mentions another in add_comment: `@thot` (an agent's id or name, any case) in its
 * Markdown becomes Plane's mention of that agent's Plane user, as Plane's own editor writes it, so Plane shows it as a
 * mention and the mentioned agent is woken. Other `@words` stay text. One pass over the text.
 */
import type { AgentRef } from '../../shared/agents/registry.ts'
import { mentionHtml } from '../../shared/plane/mentions.ts'

/** Private-use characters around a mention's number: Markdown leaves them alone (U+E000 is its own link marker). */
const OPEN = '\uE010'
const CLOSE = '\uE011'

export type AgentMentions = {
  /** The Markdown with each mention replaced by a marker. */
  markdown: string
  /** The HTML from that Markdown, with each marker made a Plane mention. */
  finish(html: string): string
}

export function withAgentMentions(markdown: string, agents: readonly AgentRef[]): AgentMentions {
  const byHandle = new Map<string, AgentRef>()
  for (const agent of agents) {
    byHandle.set(agent.id.toLowerCase(), agent)
    byHandle.set(agent.name.toLowerCase(), agent)
  }
  const users: string[] = []
  let out = ''
  let i = 0
  while (i < markdown.length) {
    const at = markdown.indexOf('@', i)
    if (at === -1) break
    let end = at + 1
    while (end < markdown.length && /[\p{L}\p{N}_-]/u.test(markdown.charAt(end))) end++
    const before = at > 0 ? markdown.charAt(at - 1) : ''
    const agent = byHandle.get(markdown.slice(at + 1, end).toLowerCase())
    // Not an address (`a@thot`), not an agent: kept as written.
    if (!agent || /[\p{L}\p{N}_.-]/u.test(before)) {
      out += markdown.slice(i, end)
      i = end
      continue
    }
    out += `${markdown.slice(i, at)}${OPEN}${users.length}${CLOSE}`
    users.push(agent.planeUserId)
    i = end
  }
  out += markdown.slice(i)
  return {
    markdown: out,
    finish: (html) => {
      let result = html
      for (const [n, userId] of users.entries())
        result = result.replace(`${OPEN}${n}${CLOSE}`, mentionHtml(userId))
      return result
    },
  }
}
