import { describe, expect, it } from 'vitest'
import { AGENTS, makeWorkspace, PLANE_USERS, PROJECTS } from '../../test/fixtures/workspace.ts'
import { foldName, matchAgent, matchProject } from '../commands/match.ts'
import { allTasks, buildWorkspaceView, taskLookup } from './workspace-view.ts'

describe('buildWorkspaceView', () => {
  it('should leave archived projects out and sort the others by name', () => {
    expect(makeWorkspace().projects.map((p) => p.identifier)).toEqual(['ONB', 'RND'])
  })

  it('should find agents through assignees and agent:<id> labels, and name the other people', () => {
    const byRef = new Map(allTasks(makeWorkspace()).map((t) => [t.ref, t]))
    expect(byRef.get('ONB-1')).toMatchObject({ agentIds: ['imhotep'], people: [], blocked: false })
    expect(byRef.get('ONB-3')).toMatchObject({ agentIds: ['seshat'], group: 'unstarted' })
    // Label ids are matched case-insensitively; a blocked label blocks like a blocked state.
    expect(byRef.get('RND-2')).toMatchObject({ agentIds: ['imhotep'], blocked: true })
    expect(byRef.get('ONB-2')).toMatchObject({ agentIds: ['thot'], blocked: true })
    expect(byRef.get('RND-1')).toMatchObject({ agentIds: [], people: ['Ada'] })
  })

  it('should keep an unknown state group and an unknown agent label harmlessly', () => {
    const workspace = buildWorkspaceView({
      projects: [PROJECTS.onb],
      tasks: {
        [PROJECTS.onb.id]: {
          tasks: [
            {
              id: 't1',
              name: 'Odd',
              sequenceId: null,
              stateName: 'Triage',
              stateGroup: 'triage',
              assigneeIds: [PLANE_USERS.ada],
              labelNames: ['agent:nobody'],
              targetDate: '2026-11-30T00:00:00Z',
              completedAt: null,
              updatedAt: null,
            },
          ],
          truncated: true,
        },
      },
      agents: AGENTS,
      userNames: {},
    })
    expect(workspace.projects[0]).toMatchObject({ truncated: true })
    expect(workspace.projects[0]?.tasks[0]).toMatchObject({
      ref: null,
      group: 'other',
      agentIds: [],
      people: [PLANE_USERS.ada],
      targetDate: '2026-11-30',
    })
  })
})

describe('matchProject / matchAgent', () => {
  const projects = [
    { name: 'Équipe Sécurité', identifier: 'SEC' },
    { name: 'Site web', identifier: 'WEB' },
    { name: 'Site web v2', identifier: 'WEB2' },
  ]

  it('should fold case, accents and spaces', () => {
    expect(foldName('  ÉQUIPE   Sécurité ')).toBe('equipe securite')
  })

  it('should match partially without accents or case', () => {
    expect(matchProject('securite', projects).map((p) => p.identifier)).toEqual(['SEC'])
    expect(matchProject('SITE', projects).map((p) => p.identifier)).toEqual(['WEB', 'WEB2'])
  })

  it('should prefer an exact name or identifier over partial matches', () => {
    expect(matchProject('site web', projects).map((p) => p.identifier)).toEqual(['WEB'])
    expect(matchProject('web2', projects).map((p) => p.identifier)).toEqual(['WEB2'])
  })

  it('should match nothing for an empty query or an unknown name', () => {
    expect(matchProject('  ', projects)).toEqual([])
    expect(matchProject('mobile', projects)).toEqual([])
  })

  it('should match agents by name or id', () => {
    expect(matchAgent('SESHAT', AGENTS).map((a) => a.id)).toEqual(['seshat'])
    expect(matchAgent('h', AGENTS).map((a) => a.id)).toEqual(['imhotep', 'thot', 'seshat'])
  })
})

describe('taskLookup', () => {
  it('should find each task by id and by reference, the first one when two share a reference', () => {
    const workspace = makeWorkspace()
    const tasks = allTasks(workspace)
    const lookup = taskLookup(workspace)
    for (const task of tasks) {
      expect(lookup.byId.get(task.id)).toBe(task)
      if (task.ref) expect(lookup.byRef.get(task.ref)).toBe(tasks.find((t) => t.ref === task.ref))
    }
    const [first] = workspace.projects
    const copy = { ...(first?.tasks[0] as (typeof tasks)[number]), id: 'another' }
    const twice = { ...workspace, projects: [...workspace.projects, { ...first!, tasks: [copy] }] }
    expect(taskLookup(twice).byRef.get(copy.ref ?? '')?.id).toBe(first?.tasks[0]?.id)
    expect(taskLookup(twice).byId.get('another')).toBe(copy)
  })
})
