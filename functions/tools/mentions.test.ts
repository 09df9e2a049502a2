import { describe, expect, it } from 'vitest'
import { mentionedUserIds } from '../../shared/plane/mentions.ts'
import { markdownToHtml } from '../../shared/text/markdown.ts'
import { withAgentMentions } from './mentions.ts'

const THOT = {
  id: 'thot',
  name: 'Thot',
  role: 'member' as const,
  planeUserId: '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f',
  openclawAgentId: 'thot',
}

describe("agents' @mentions in add_comment", () => {
  it("should make @thot (id or name, any case) Plane's mention of its user, and leave other @words and addresses as text", () => {
    const m = withAgentMentions('@Thot peux-tu relire ? cc @thot, pas @inconnu ni a@thot.fr', [
      THOT,
    ])
    const html = m.finish(markdownToHtml(m.markdown))
    expect(mentionedUserIds(html)).toEqual([THOT.planeUserId])
    expect(html.match(/<mention-component /g)).toHaveLength(2)
    expect(html).toContain('@inconnu')
    expect(html).toContain('a@thot.fr')
    expect(html).not.toContain('\uE000')
  })
})
