import { describe, expect, it } from 'vitest'
import { mentionedUserIds, mentionHtml } from './mentions.ts'

const THOT = '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f'
const RA = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'

describe('mentions in Plane HTML', () => {
  it("should find the users Plane's editor mentions, once each, whatever the attribute order or quotes", () => {
    const html = `<p>Bonjour ${mentionHtml(THOT)}, et <mention-component id="x" entity_name='user_mention' entity_identifier='${RA.toUpperCase()}'></mention-component> ; encore ${mentionHtml(THOT)}</p>`
    expect(mentionedUserIds(html)).toEqual([THOT, RA])
  })

  it('should ignore other mention kinds, ids that are not Plane ids, and text that only looks like a mention', () => {
    expect(
      mentionedUserIds(
        `<mention-component entity_identifier="${THOT}" entity_name="issue_mention"></mention-component>`
      )
    ).toEqual([])
    expect(
      mentionedUserIds(
        '<mention-component entity_identifier="NaN" entity_name="user_mention"></mention-component>'
      )
    ).toEqual([])
    expect(mentionedUserIds('<p>&lt;mention-component entity_identifier=…&gt; @thot</p>')).toEqual(
      []
    )
    expect(mentionedUserIds(null)).toEqual([])
    // An unterminated tag ends the scan; a long text of near-misses is one pass.
    expect(mentionedUserIds(`<mention-component entity_identifier="${THOT}"`)).toEqual([])
    expect(mentionedUserIds('<mention-component '.repeat(20_000))).toEqual([])
    expect(mentionedUserIds(`${'<mention-component '.repeat(20_000)}>`)).toEqual([])
  })
})
