import { describe, expect, it } from 'vitest'
import { makeSnapshot, STATES, USERS } from '../../test/fixtures/tasks.ts'
import type { CommentEvent } from '../events.ts'
import { parseConfidence } from './confidence.ts'
import {
  classifyComment,
  classifyTaskChanges,
  createNotifyPolicy,
  filterByPolicy,
  isReviewComment,
} from './policy.ts'

const comment = (text: string): CommentEvent => ({
  type: 'comment',
  taskId: 't',
  projectId: 'p',
  commentId: 'c',
  text,
  actor: null,
  source: 'webhook',
})

describe('notification policy', () => {
  const task = makeSnapshot()

  it('should classify completion, cancellation, blocked states and labels', () => {
    expect(
      classifyTaskChanges(task, [{ kind: 'state', from: STATES.inProgress, to: STATES.done }])
    ).toMatchObject([{ kind: 'task.completed' }])
    expect(
      classifyTaskChanges(task, [{ kind: 'state', from: STATES.todo, to: STATES.cancelled }])
    ).toMatchObject([{ kind: 'task.cancelled' }])
    expect(
      classifyTaskChanges(task, [{ kind: 'state', from: STATES.todo, to: STATES.blocked }])
    ).toMatchObject([{ kind: 'task.blocked', blocker: { via: 'state' } }])
    expect(
      classifyTaskChanges(task, [{ kind: 'labels', added: ['Blocked'], removed: [] }])
    ).toMatchObject([{ kind: 'task.blocked', blocker: { via: 'label' } }])
  })

  it('should classify creation once, with its assignees, not as a separate assignment', () => {
    const out = classifyTaskChanges(task, [
      { kind: 'created' },
      { kind: 'assignees', added: [USERS.imhotep], removed: [] },
    ])
    expect(out).toMatchObject([{ kind: 'task.created', assigned: [USERS.imhotep] }])
  })

  it('should keep only blocker comments (❌ / ❓), skipping ordinary agent comments', () => {
    expect(classifyComment(comment('⏳ 60% complete - building Docker image'), task)).toBeNull()
    expect(classifyComment(comment('Done, see attachment'), task)).toBeNull()
    expect(classifyComment(comment('❌ Failed: docker build exited 1'), task)).toMatchObject({
      kind: 'task.blocked',
      blocker: { via: 'comment', text: '❌ Failed: docker build exited 1' },
    })
    expect(classifyComment(comment('  ❓ Blocker: need decision on X'), task)).not.toBeNull()
  })

  it('should drop minor edits and unlisted projects by default', () => {
    const policy = createNotifyPolicy()
    const items = classifyTaskChanges(task, [
      { kind: 'priority', from: 'low', to: 'high' },
      { kind: 'state', from: STATES.todo, to: STATES.inProgress },
      { kind: 'assignees', added: [USERS.thot], removed: [] },
    ])
    expect(items.map((i) => i.kind)).toEqual(['task.state', 'task.assigned'])
    expect(filterByPolicy(policy, items, task.projectId, 'ONB')).toEqual([])
    const onlyOnb = createNotifyPolicy({ kinds: ['task.state'], projects: ['ONB'] })
    expect(filterByPolicy(onlyOnb, items, task.projectId, 'ONB').map((i) => i.kind)).toEqual([
      'task.state',
    ])
    expect(filterByPolicy(onlyOnb, items, task.projectId, 'OPS')).toEqual([])
  })

  it('should read a reported confidence and ask for a review below 0.7 (OPENCLAW-12)', () => {
    expect(parseConfidence('✅ Complété. confidence: 0.55')).toBe(0.55)
    expect(parseConfidence('Confiance : 0,6 — à relire')).toBe(0.6)
    expect(parseConfidence('confidence_score=1')).toBe(1)
    expect(parseConfidence('confidence: 10')).toBeNull()
    expect(parseConfidence('no score here')).toBeNull()
    expect(parseConfidence('overconfidence: 0.2')).toBeNull()
    expect(isReviewComment('confidence: 0.69')).toBe(true)
    expect(isReviewComment('confidence: 0.7')).toBe(false)
    expect(isReviewComment('confiance : 0,95')).toBe(false)
  })
})
