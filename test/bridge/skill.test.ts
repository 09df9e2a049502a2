import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { agentTools } from '../../functions/tools/index.ts'
import { renderSkill, SKILL_PATH } from '../../functions/tools/skill.ts'

describe('the OpenClaw skill', () => {
  const committed = readFileSync(SKILL_PATH, 'utf8')

  it('should be what `npm run skill` renders from the registry (run it after changing a tool)', () => {
    expect(committed).toBe(renderSkill(agentTools))
  })

  it('should carry the front matter OpenClaw gates on, and name every tool with a curl fallback', () => {
    const [, front = ''] = /^---\n([\s\S]*?)\n---\n/.exec(committed) ?? []
    expect(front).toMatch(/^name: plane-bridge$/m)
    expect(front).toMatch(/^description: .{40,}$/m)
    const metadata = JSON.parse(/^metadata: (.*)$/m.exec(front)?.[1] ?? 'null')
    // Only the URL: who the agent is travels in its MCP server's header (one gateway, many agents, issue 31).
    expect(metadata.openclaw).toEqual({
      emoji: expect.any(String),
      requires: { env: ['PLANE_BRIDGE_URL'] },
    })
    for (const tool of agentTools) {
      expect(committed).toContain(`### \`${tool.name}\``)
      expect(committed).toContain(`$PLANE_BRIDGE_URL/bridge/v1/${tool.name}`)
    }
  })

  it('should say, for each OpenClaw line, how to reach the bridge and where the token comes from', () => {
    expect(committed).toContain('**OpenClaw 2026.9.x: MCP.**')
    expect(committed).toContain('**OpenClaw 2026.2.x: HTTP**')
    // On 2026.2 the token is the agent's own sandbox's, never the gateway's (docs/agents.md).
    expect(committed).toContain('`agents.list[].sandbox.docker.env`')
    expect(committed).not.toMatch(/pbt_[A-Za-z0-9]/)
  })
})
