import { describe, expect, it } from 'vitest'
import { DEMO_EXTERNAL_ID, demoContent } from './demo-content.ts'

describe('demoContent', () => {
  it('should show the Concierge → agents flow: the Concierge, an agent after it, an approval', () => {
    const { tasks } = demoContent('fr', 'ONB-7')
    expect(tasks.map((t) => [t.assignee, t.after, t.approval])).toEqual([
      ['concierge', null, false],
      ['agent', `${DEMO_EXTERNAL_ID}:1`, false],
      ['agent', null, true],
    ])
    // The dependent task quotes the reference Plane gave the first one.
    expect(tasks[1]?.description).toContain('ONB-7')
    expect(new Set(tasks.map((t) => t.externalId)).size).toBe(3)
  })

  it('should speak English with LOCALE=en, with the same tasks', () => {
    const fr = demoContent('fr').tasks
    const en = demoContent('en').tasks
    expect(en.map((t) => t.externalId)).toEqual(fr.map((t) => t.externalId))
    expect(en[2]?.name).toBe('Send the guide to the client')
    expect(en[2]?.description).toContain('needs-approval')
  })
})
