import { describe, expect, expectTypeOf, it } from 'vitest'
import { pyDumps } from '../../sim/plane/py-json.ts'
import { encodeStoredWebhook } from '../../test/fixtures/earlier-inbox.ts'
import {
  makeCommentWebhook,
  makeCycleWebhook,
  makeIssueWebhook,
  makeModuleWebhook,
  makeProjectWebhook,
  makeUserLite,
  makeUuid,
  makeV2Webhook,
  makeWebhookIssueDataV121,
  PROJECT_ID,
  type WebhookOverrides,
  WORKSPACE_ID,
} from '../../test/fixtures/plane.ts'
import { DEFAULT_TEXT_LIMITS, LIST_MAX_ITEMS } from './limits.ts'
import { parsePlaneWebhook } from './webhook-parse.ts'
import { type PlaneWebhookEvent, PlaneWebhookParseError } from './webhook-types.ts'

const FACTORIES = {
  issue: makeIssueWebhook,
  issue_comment: makeCommentWebhook,
  project: makeProjectWebhook,
  cycle: makeCycleWebhook,
  module: makeModuleWebhook,
} as const

const MATRIX = Object.keys(FACTORIES).flatMap((event) =>
  (['created', 'updated', 'deleted'] as const).map((action) => ({
    event: event as keyof typeof FACTORIES,
    action,
  }))
)

function parseError(input: unknown, headers?: Record<string, string>): PlaneWebhookParseError {
  try {
    parsePlaneWebhook(input, headers)
  } catch (error) {
    expect(error).toBeInstanceOf(PlaneWebhookParseError)
    return error as PlaneWebhookParseError
  }
  throw new Error('expected a PlaneWebhookParseError')
}

describe('parsePlaneWebhook (v1)', () => {
  it.each(MATRIX)('should parse $event.$action', ({ event, action }) => {
    const payload = FACTORIES[event]({ action } as WebhookOverrides)
    const parsed = parsePlaneWebhook(JSON.parse(pyDumps(payload)), { 'X-Plane-Delivery': 'd-1' })
    expect(parsed).toMatchObject({
      type: `${event}.${action}`,
      entity: event,
      action,
      format: 'v1',
      webhookId: payload.webhook_id,
      workspaceId: WORKSPACE_ID,
      deliveryId: 'd-1',
      eventId: null,
      previousAttributes: null,
    })
    expect(parsed.data.id).toBe((payload.data as { id: string }).id)
    if (action === 'deleted')
      expect(parsed.data).toEqual({ id: (payload.data as { id: string }).id })
    else {
      // The normalised fields only: the decoded body (`workspace`'s object, `sort_order`, `deleted_at`…) is not kept
      // with the event (issue 46).
      const kept = parsed.data as Record<string, unknown>
      expect(kept).not.toHaveProperty('raw')
      expect(kept).not.toHaveProperty('deleted_at')
      expect(kept.id).toBe((payload.data as { id: string }).id)
    }
  })

  it('should normalise issue data: nested state, labels, assignees, and the activity', () => {
    const payload = makeIssueWebhook({
      action: 'updated',
      activity: {
        field: 'state',
        old_value: 'Todo',
        new_value: 'In Progress',
        old_identifier: makeUuid(0xd1),
        new_identifier: makeUuid(0xd2),
      },
    })
    const event = parsePlaneWebhook(payload)
    if (event.type !== 'issue.updated') throw new Error(`unexpected ${event.type}`)
    expect(event.data).toMatchObject({
      name: 'Write the onboarding guide',
      project: PROJECT_ID,
      state: { id: makeUuid(0xd2), name: 'In Progress', group: 'started', color: '#F59E0B' },
      labels: [{ id: makeUuid(0xe1), name: 'docs', color: '#3B82F6' }],
      assignees: [{ id: makeUuid(0xc2), display_name: 'agent-writer' }],
      priority: 'high',
      target_date: '2026-03-20',
      description_json: { type: 'doc', content: [{ type: 'paragraph' }] },
    })
    expect(event.activity).toEqual({
      field: 'state',
      oldValue: 'Todo',
      newValue: 'In Progress',
      oldIdentifier: makeUuid(0xd1),
      newIdentifier: makeUuid(0xd2),
      actor: expect.objectContaining({ id: makeUuid(0xc1), display_name: 'human' }),
    })
  })

  it('should read v1.2.0/1.2.1 `description` as description_json', () => {
    const event = parsePlaneWebhook({ ...makeIssueWebhook(), data: makeWebhookIssueDataV121() })
    if (event.type !== 'issue.created') throw new Error(`unexpected ${event.type}`)
    expect(event.data.description_json).toEqual({ type: 'doc', content: [{ type: 'heading' }] })
  })

  it('should prefer v1.2.2+ description_json over the `description` copy', () => {
    const event = parsePlaneWebhook(
      makeIssueWebhook({
        data: { description_json: { type: 'doc', v: 2 }, description: { type: 'doc', v: 1 } },
      })
    )
    expect(
      event.entity === 'issue' && event.action !== 'deleted' && event.data.description_json
    ).toEqual({ type: 'doc', v: 2 })
  })

  it('should normalise a comment with its author', () => {
    const event = parsePlaneWebhook(makeCommentWebhook({ action: 'updated' }))
    if (event.type !== 'issue_comment.updated') throw new Error(`unexpected ${event.type}`)
    expect(event.data).toMatchObject({
      issue: makeUuid(0x1001),
      actor: makeUuid(0xc2),
      comment_stripped: 'Done, see the PR',
      actor_detail: null,
    })
  })

  it('should accept raw bytes and raw text', () => {
    const text = pyDumps(makeProjectWebhook())
    expect(parsePlaneWebhook(text).type).toBe('project.created')
    expect(parsePlaneWebhook(new TextEncoder().encode(text)).type).toBe('project.created')
  })

  it('should accept the older `update` spelling and fall back to the X-Plane-Event header', () => {
    const { event: _event, ...payload } = makeCycleWebhook()
    const parsed = parsePlaneWebhook(
      { ...payload, action: 'update' },
      new Headers({ 'X-Plane-Event': 'cycle' })
    )
    expect(parsed.type).toBe('cycle.updated')
  })

  it('should narrow by type at compile time', () => {
    const event = parsePlaneWebhook(makeIssueWebhook())
    if (event.type === 'issue.created' || event.type === 'issue.updated') {
      expectTypeOf(event.data.state).toEqualTypeOf<{
        id: string
        name: string | null
        color: string | null
        group: string | null
      } | null>()
    }
    if (event.action === 'deleted') expectTypeOf(event.data).toEqualTypeOf<{ id: string }>()
    expectTypeOf(event).toEqualTypeOf<PlaneWebhookEvent>()
  })
})

describe('parsePlaneWebhook (v2, best effort)', () => {
  it('should normalise workitem.updated to issue.updated', () => {
    const payload = makeV2Webhook()
    const event = parsePlaneWebhook(payload)
    if (event.type !== 'issue.updated') throw new Error(`unexpected ${event.type}`)
    expect(event).toMatchObject({
      format: 'v2',
      eventId: payload.event_id,
      deliveryId: payload.delivery_id,
      workspaceId: WORKSPACE_ID,
      previousAttributes: { priority: 'none' },
      activity: { field: null, actor: expect.objectContaining({ id: makeUuid(0xc1) }) },
    })
    expect(event.data.state).toEqual({ id: makeUuid(0xd2), name: null, color: null, group: null })
    expect(event.data.labels).toEqual([{ id: makeUuid(0xe1), name: null, color: null }])
    expect(event.data.assignees).toEqual([{ id: makeUuid(0xc2) }])
  })

  it('should take the id of a v2 delete from entity_id', () => {
    const event = parsePlaneWebhook(
      makeV2Webhook({ event: 'workitem.deleted', data: null, entity_id: makeUuid(0x901) })
    )
    expect(event).toMatchObject({ type: 'issue.deleted', data: { id: makeUuid(0x901) } })
  })

  it('should map v2 comment and project events', () => {
    const comment = makeCommentWebhook().data
    expect(
      parsePlaneWebhook(
        makeV2Webhook({ event: 'workitem_comment.created', entity_type: 'comment', data: comment })
      ).type
    ).toBe('issue_comment.created')
    const project = makeProjectWebhook().data
    expect(
      parsePlaneWebhook(
        makeV2Webhook({ event: 'project.updated', entity_type: 'project', data: project })
      ).type
    ).toBe('project.updated')
  })
})

describe('parsePlaneWebhook errors', () => {
  it('should reject text that is not JSON', () => {
    expect(parseError('{"event": "issue",').reason).toBe('invalid_json')
  })

  it.each([
    ['null', null],
    ['an array', [1, 2]],
    ['a number', 42],
  ])('should reject %s as not an envelope', (_name, input) => {
    expect(parseError(input).reason).toBe('invalid_payload')
  })

  it('should reject unknown events and actions', () => {
    expect(parseError({}).reason).toBe('unknown_event')
    expect(parseError({ ...makeIssueWebhook(), event: 'label' }).reason).toBe('unknown_event')
    expect(parseError({ ...makeIssueWebhook(), action: 'archived' }).reason).toBe('unknown_event')
    expect(
      parseError(makeV2Webhook({ event: 'initiative.created', entity_type: 'initiative' })).reason
    ).toBe('unknown_event')
  })

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'should reject the event or action name %s (no prototype lookup)',
    (name) => {
      expect(parseError({ ...makeIssueWebhook(), event: name }).reason).toBe('unknown_event')
      expect(parseError({ ...makeIssueWebhook(), action: name }).reason).toBe('unknown_event')
      expect(
        parseError(makeV2Webhook({ event: `${name}.created`, entity_type: name })).reason
      ).toBe('unknown_event')
    }
  )

  it('should reject data of the wrong shape, naming the field', () => {
    const error = parseError(makeIssueWebhook({ data: { id: 42 } }))
    expect(error.reason).toBe('invalid_payload')
    expect(error.issues.join(' ')).toContain('id')
    expect(parseError({ ...makeIssueWebhook(), data: null }).reason).toBe('invalid_payload')
    expect(parseError({ ...makeIssueWebhook({ action: 'deleted' }), data: {} }).reason).toBe(
      'invalid_payload'
    )
  })
})

describe('parsePlaneWebhook bounds (issue 38)', () => {
  const JUNK_IDS = ['NaN', 'undefined', 'x'.repeat(200_000), `${makeUuid(7)}x`, '../x']
  const huge = (n: number) => 'a'.repeat(n)

  it('should cut names to 255 characters and long text to the limits given, ending with …', () => {
    const event = parsePlaneWebhook(
      makeIssueWebhook({
        action: 'updated',
        data: {
          name: huge(900_000),
          description_html: `<p>${huge(300_000)}</p>`,
          description_stripped: huge(300_000),
          priority: huge(10_000),
          state: { id: makeUuid(0xd1), name: huge(10_000), color: '#fff', group: 'started' },
          labels: [{ id: makeUuid(0xe1), name: huge(10_000), color: null }],
          assignees: [makeUserLite({ id: makeUuid(0xc2), display_name: huge(10_000) })],
        },
        activity: { field: 'name', old_value: huge(900_000), new_value: null, actor: null },
      }),
      undefined,
      { descriptionMaxChars: 5000, commentMaxChars: 3000 }
    )
    if (event.type !== 'issue.updated') throw new Error(event.type)
    const { data } = event
    expect(data.name).toHaveLength(255)
    expect(data.name.endsWith('…')).toBe(true)
    expect(data.description_html).toHaveLength(5000)
    expect(data.description_stripped).toHaveLength(5000)
    expect(data.priority).toHaveLength(255)
    expect(data.state?.name).toHaveLength(255)
    expect(data.labels[0]?.name).toHaveLength(255)
    expect(data.assignees[0]?.display_name).toHaveLength(255)
    expect(String(event.activity?.oldValue)).toHaveLength(255)
    const comment = parsePlaneWebhook(
      makeCommentWebhook({ data: { comment_html: huge(50_000), comment_stripped: huge(50_000) } }),
      undefined,
      { descriptionMaxChars: 5000, commentMaxChars: 3000 }
    )
    if (comment.type !== 'issue_comment.created') throw new Error(comment.type)
    expect(comment.data.comment_html).toHaveLength(3000)
    expect(comment.data.comment_stripped).toHaveLength(3000)
  })

  it.each(JUNK_IDS.map((id) => [id.length > 40 ? `${id.slice(0, 12)}… (${id.length})` : id, id]))(
    'should refuse the id %s wherever a delivery carries one, naming the field',
    (_name, id) => {
      const refused = (input: unknown, field: string) => {
        const error = parseError(input)
        expect(error.reason).toBe('invalid_payload')
        expect(error.issues.join(' ')).toContain(field)
        expect(error.issues.join(' ')).toContain('Plane id')
      }
      refused(makeIssueWebhook({ data: { id } }), 'id')
      refused(makeIssueWebhook({ data: { project: id } }), 'project')
      refused(
        makeIssueWebhook({ data: { state: { id, name: 'Todo', group: 'unstarted' } } }),
        'state'
      )
      refused(makeIssueWebhook({ data: { assignees: [{ id }] } }), 'assignees')
      refused(makeIssueWebhook({ data: { labels: [id] } }), 'labels')
      refused(makeIssueWebhook({ activity: { field: 'name', actor: { id } } }), 'actor')
      refused(makeCommentWebhook({ data: { id } }), 'id')
      refused(makeCommentWebhook({ data: { issue: id } }), 'issue')
      refused(makeProjectWebhook({ data: { id } }), 'id')
      refused(makeCycleWebhook({ data: { id } }), 'id')
      refused({ ...makeIssueWebhook({ action: 'deleted' }), data: { id } }, 'id')
    }
  )

  it('should refuse a list of labels or assignees longer than any Plane work item has', () => {
    const ids = Array.from({ length: LIST_MAX_ITEMS + 1 }, (_, i) => makeUuid(0x9000 + i))
    expect(parseError(makeIssueWebhook({ data: { labels: ids } })).issues.join(' ')).toContain(
      'labels'
    )
    expect(parseError(makeIssueWebhook({ data: { assignees: ids } })).issues.join(' ')).toContain(
      'assignees'
    )
    const atLimit = parsePlaneWebhook(makeIssueWebhook({ data: { labels: ids.slice(1) } }))
    expect((atLimit.data as { labels: unknown[] }).labels).toHaveLength(LIST_MAX_ITEMS)
  })

  it('should keep of an activity only what the diff reads: no junk identifier, ids only in a list', () => {
    const event = parsePlaneWebhook(
      makeIssueWebhook({
        action: 'updated',
        activity: {
          field: 'assignees',
          old_value: [makeUuid(0xc3), 'NaN', { id: makeUuid(0xc4) }, { deep: { er: 1 } }],
          new_value: { any: 'object' },
          old_identifier: 'x'.repeat(1000),
          new_identifier: makeUuid(0xc5),
          actor: null,
        },
      })
    )
    expect(event.activity).toMatchObject({
      oldValue: [makeUuid(0xc3), makeUuid(0xc4)],
      newValue: null,
      oldIdentifier: null,
      newIdentifier: makeUuid(0xc5),
    })
  })

  it.each(MATRIX)(
    'should store $event.$action as a bounded copy that parses back into the same event',
    ({ event, action }) => {
      const parsed = parsePlaneWebhook(FACTORIES[event]({ action } as WebhookOverrides), {
        'x-plane-delivery': 'd-1',
      })
      const stored = encodeStoredWebhook(parsed)
      const again = parsePlaneWebhook(stored)
      const { description_json: _json, ...data } = parsed.data as Record<string, unknown>
      expect(again).toMatchObject({ ...parsed, data })
      expect(stored).not.toContain('description_json')
    }
  )

  it('should store a bounded copy of a delivery whatever its size', () => {
    const body = makeCommentWebhook({
      data: { comment_html: 'c'.repeat(900_000), extra: 'e'.repeat(900_000) },
    })
    const stored = encodeStoredWebhook(parsePlaneWebhook(body))
    expect(stored.length).toBeLessThan(2 * DEFAULT_TEXT_LIMITS.commentMaxChars + 2000)
  })
})

describe('parsePlaneWebhook on mutated deliveries (issue 46: read by hand)', () => {
  /** A seeded generator: the same deliveries on every run. */
  function random(seed: number) {
    let state = seed
    return () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff
      return state / 0x7fffffff
    }
  }
  const JUNK: unknown[] = [
    null,
    42,
    '',
    'NaN',
    true,
    [],
    {},
    [1],
    { id: 42 },
    { id: 'junk' },
    makeUuid(0x71).toUpperCase(),
    'x'.repeat(300),
    { id: makeUuid(0x72), name: 'n'.repeat(300), color: 7 },
    [{ id: makeUuid(0x73) }],
    ['junk'],
    Array.from({ length: LIST_MAX_ITEMS + 1 }, (_, i) => makeUuid(0x8000 + i)),
  ]
  const ID_FIELDS = ['id', 'project', 'workspace', 'parent', 'issue', 'created_by', 'updated_by']

  it('should read or refuse each one: never another error, never a junk id or an uncut name in what it gives', () => {
    const next = random(46)
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T
    const mutate = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map((v) => (next() < 0.05 ? pick(JUNK) : mutate(v)))
      if (value === null || typeof value !== 'object') return value
      const out: Record<string, unknown> = {}
      for (const [key, v] of Object.entries(value)) {
        const roll = next()
        if (roll < 0.02) continue
        out[key] = roll < 0.05 ? pick(JUNK) : mutate(v)
      }
      return out
    }
    const factories = Object.values(FACTORIES)
    let read = 0
    let refused = 0
    for (let i = 0; i < 3000; i++) {
      const action = pick(['created', 'updated', 'deleted'] as const)
      const base = next() < 0.2 ? makeV2Webhook() : pick(factories)({ action } as WebhookOverrides)
      const body = mutate(base)
      let event: PlaneWebhookEvent
      try {
        event = parsePlaneWebhook(JSON.parse(JSON.stringify(body)), { 'x-plane-event': 'issue' })
      } catch (error) {
        expect(error).toBeInstanceOf(PlaneWebhookParseError)
        const { issues } = error as PlaneWebhookParseError
        expect(issues.length).toBeLessThanOrEqual(5)
        for (const issue of issues) expect(issue).toMatch(/^\S+: /)
        refused++
        continue
      }
      read++
      const data = event.data as Record<string, unknown>
      for (const field of ID_FIELDS) {
        const id = data[field]
        if (id !== null && id !== undefined) expect(id).toMatch(/^[0-9a-f-]{36}$/)
      }
      const nested = [
        data.state,
        ...((data.labels as unknown[]) ?? []),
        ...((data.assignees as unknown[]) ?? []),
        event.activity?.actor,
      ]
      for (const ref of nested)
        if (ref) expect((ref as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/)
      if (typeof data.name === 'string') expect(data.name.length).toBeLessThanOrEqual(255)
      // What the inbox keeps (a v1 envelope, whatever came) parses back into the same event.
      const { description_json: _json, ...kept } = data
      const again = parsePlaneWebhook(encodeStoredWebhook(event))
      expect(again).toMatchObject({ ...event, format: 'v1', data: kept })
    }
    // Both outcomes are exercised, or the mutation proves nothing.
    expect(read).toBeGreaterThan(300)
    expect(refused).toBeGreaterThan(300)
  })
})
