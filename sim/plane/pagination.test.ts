import { describe, expect, it } from 'vitest'
import { seededSim } from './test-helpers.ts'

function seedItems(setup: ReturnType<typeof seededSim>, count: number) {
  for (let index = 1; index <= count; index++) {
    setup.sim.seed.workItem(setup.project.id, { name: `item ${index}`, created_by: setup.admin.id })
  }
}

describe('plane sim: pagination envelope (BasePaginator)', () => {
  it('should return the exact envelope keys, in order, with per_page 1000 by default', async () => {
    const setup = seededSim()
    seedItems(setup, 3)
    const res = await setup.call('GET', `${setup.projectPath}/work-items/`, {
      key: setup.admin.apiKey,
    })
    expect(Object.keys(res.body)).toEqual([
      'grouped_by',
      'sub_grouped_by',
      'total_count',
      'next_cursor',
      'prev_cursor',
      'next_page_results',
      'prev_page_results',
      'count',
      'total_pages',
      'total_results',
      'extra_stats',
      'results',
    ])
    expect(res.body).toMatchObject({
      grouped_by: null,
      total_count: 3,
      next_cursor: '1000:1:0',
      prev_cursor: '1000:-1:1',
      next_page_results: false,
      prev_page_results: false,
      count: 3,
      total_pages: 1,
      total_results: 3,
      extra_stats: null,
    })
  })

  it('should walk pages with cursors and always carry a next_cursor', async () => {
    const setup = seededSim()
    seedItems(setup, 5)
    const path = `${setup.projectPath}/work-items/?per_page=2&order_by=sequence_id`
    const first = await setup.call('GET', path, { key: setup.admin.apiKey })
    expect(first.body.results.map((r: { sequence_id: number }) => r.sequence_id)).toEqual([1, 2])
    expect([first.body.next_cursor, first.body.next_page_results]).toEqual(['2:1:0', true])
    const last = await setup.call('GET', `${path}&cursor=2:2:0`, { key: setup.admin.apiKey })
    expect(last.body.results.map((r: { sequence_id: number }) => r.sequence_id)).toEqual([5])
    expect(last.body).toMatchObject({
      next_cursor: '2:3:0',
      prev_cursor: '2:1:1',
      next_page_results: false,
      prev_page_results: true,
      count: 1,
      total_pages: 3,
    })
  })

  it('should take the page size from per_page, not from the cursor', async () => {
    const setup = seededSim()
    seedItems(setup, 3)
    const res = await setup.call('GET', `${setup.projectPath}/work-items/?cursor=2:1:0`, {
      key: setup.admin.apiKey,
    })
    // limit 1000 → page 1 starts at offset 1000: empty, although "2:1:0" looked like items 3+.
    expect([res.body.count, res.body.results]).toEqual([0, []])
  })

  it('should reject per_page above 1000, non-integers, malformed and negative cursors', async () => {
    const setup = seededSim()
    const list = `${setup.projectPath}/work-items/`
    const key = setup.admin.apiKey
    expect((await setup.call('GET', `${list}?per_page=1001`, { key })).body).toEqual({
      detail: 'Invalid per_page value. Cannot exceed 1000.',
    })
    expect((await setup.call('GET', `${list}?per_page=ten`, { key })).body).toEqual({
      detail: 'Invalid per_page parameter.',
    })
    expect((await setup.call('GET', `${list}?cursor=abc`, { key })).body).toEqual({
      detail: 'Invalid cursor parameter.',
    })
    const negative = await setup.call('GET', `${list}?cursor=1000:-1:1`, { key })
    expect([negative.status, negative.body]).toEqual([400, { detail: 'Error in parsing' }])
    expect((await setup.call('GET', `${list}?per_page=1000`, { key })).status).toBe(200)
  })

  it('should ignore page= and every filter-looking parameter', async () => {
    const setup = seededSim()
    seedItems(setup, 2)
    const res = await setup.call(
      'GET',
      `${setup.projectPath}/work-items/?page=2&state__group=completed&updated_at__gt=2999-01-01&search=zzz`,
      { key: setup.admin.apiKey }
    )
    expect(res.body.count).toBe(2)
  })

  it('should paginate states, labels and projects with the same envelope', async () => {
    const setup = seededSim()
    const key = setup.admin.apiKey
    for (const path of [
      `${setup.projectPath}/states/`,
      `${setup.projectPath}/labels/`,
      '/api/v1/workspaces/javisi/projects/',
    ]) {
      const res = await setup.call('GET', `${path}?per_page=1`, { key })
      expect(res.body.next_cursor).toBe('1:1:0')
    }
  })
})
