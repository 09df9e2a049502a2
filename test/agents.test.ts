import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AgentRegistryError, parseAgentRegistry } from '../shared/agents/registry.ts'

describe('agent registry', () => {
  it('should accept the shipped example with the ten agents of the seeds', () => {
    const agents = parseAgentRegistry(
      readFileSync(new URL('../agents.example.json', import.meta.url), 'utf8')
    )
    expect(agents.map((a) => a.name)).toEqual([
      'Concierge',
      'Imhotep',
      'Thot',
      'Basquiat',
      'R2D2',
      'Shuri',
      'Piccolo',
      'CFO',
      'Maintainer',
      'Hermes',
    ])
    expect(agents.filter((a) => a.role === 'concierge').map((a) => a.id)).toEqual(['concierge'])
  })

  it('should name the bad entry and field in every error', () => {
    const json = JSON.stringify({
      agents: [
        {
          id: 'imhotep',
          name: 'Imhotep',
          role: 'boss',
          planeUser: 'i@x',
          openclawAgentId: 'imhotep',
        },
        {
          id: 'Bad Id',
          name: '',
          role: 'member',
          planeUser: 'b@x',
          openclawAgentId: 'b',
          extra: 1,
        },
      ],
    })
    let error: unknown
    try {
      parseAgentRegistry(json)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(AgentRegistryError)
    const message = (error as Error).message
    expect(message).toContain('agent "imhotep" role')
    expect(message).toContain('agent "Bad Id" id: must be a short lowercase id')
    expect(message).toContain('agent "Bad Id" name: must not be empty')
    expect(message).toMatch(/agent "Bad Id".*extra/)
  })

  it('should refuse a display name too long for a message line (issue 44)', () => {
    const agent = { id: 'thot', role: 'member', planeUser: 't@x', openclawAgentId: 'thot' }
    expect(() =>
      parseAgentRegistry(JSON.stringify({ agents: [{ ...agent, name: 'T'.repeat(65) }] }))
    ).toThrow('agent "thot" name: must be at most 64 characters (it is a display name)')
    expect(
      parseAgentRegistry(JSON.stringify({ agents: [{ ...agent, name: '👩‍💻'.repeat(12) }] }))
    ).toHaveLength(1)
  })

  it('should refuse duplicates, two concierges and invalid JSON', () => {
    const agent = (id: string, role = 'member') => ({
      id,
      name: id,
      role,
      planeUser: `${id}@x`,
      openclawAgentId: id,
    })
    expect(() => parseAgentRegistry(JSON.stringify({ agents: [agent('a'), agent('a')] }))).toThrow(
      /id "a" is used by more than one agent/
    )
    expect(() =>
      parseAgentRegistry(
        JSON.stringify({ agents: [agent('a', 'concierge'), agent('b', 'concierge')] })
      )
    ).toThrow(/only one agent may be the concierge/)
    expect(() => parseAgentRegistry('{nope')).toThrow(/not valid JSON/)
    expect(() => parseAgentRegistry('{"agents":[]}')).toThrow(/at least one agent/)
  })
})
