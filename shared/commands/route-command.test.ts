import { describe, expect, it } from 'vitest'
import { makeWorkspace, PROJECTS, renderContext } from '../../test/fixtures/workspace.ts'
import { decodeDrillDown, encodeDrillDown } from './callback-data.ts'
import { answerCommand, planCommand, planDrillDown } from './route-command.ts'

describe('planCommand', () => {
  it('should read the sub-commands, in English or French', () => {
    expect(planCommand(['status'])).toEqual({ kind: 'status' })
    expect(planCommand(['Statut'])).toEqual({ kind: 'status' })
    expect(planCommand(['project', 'Site', 'web'])).toEqual({ kind: 'project', query: 'Site web' })
    expect(planCommand(['projet', 'ONB'])).toEqual({ kind: 'project', query: 'ONB' })
    expect(planCommand(['agent', 'imhotep'])).toEqual({ kind: 'agent', query: 'imhotep' })
  })

  it('should answer help to nothing, to help, to unknown words and to a missing name', () => {
    for (const args of [[], ['help'], ['aide'], ['dance'], ['project'], ['agent', ' ']])
      expect(planCommand(args)).toEqual({ kind: 'help' })
  })
})

describe('drill-down buttons', () => {
  it('should round-trip their callback data and refuse anything else', () => {
    for (const target of [
      { kind: 'status' as const },
      { kind: 'project' as const, projectId: PROJECTS.onb.id },
      { kind: 'agent' as const, agentId: 'imhotep' },
    ])
      expect(decodeDrillDown(encodeDrillDown(target))).toEqual(target)
    for (const data of [undefined, '', 'x:1', 'p:', 'p:../../etc', `a:${'x'.repeat(70)}`])
      expect(decodeDrillDown(data)).toBeNull()
  })

  it('should open the project or agent a button names, or the status when it is gone', () => {
    const ws = makeWorkspace()
    const ctx = renderContext()
    const project = answerCommand(
      planDrillDown({ kind: 'project', projectId: PROJECTS.rnd.id }),
      ws,
      ctx
    )
    expect(project.html).toMatch(/^📁 <b>R&amp;D/)
    const agent = answerCommand(planDrillDown({ kind: 'agent', agentId: 'thot' }), ws, ctx)
    expect(agent.html).toMatch(/^🤖 <b>Thot<\/b>/)
    const gone = answerCommand({ kind: 'project-id', projectId: 'gone' }, ws, ctx)
    expect(gone.html).toMatch(/^📊/)
  })
})
