import { describe, expect, it } from 'vitest'
import type { PlaneClient } from '../plane/client.ts'
import { PlaneApiError } from '../plane/errors.ts'
import type { PlaneLabel } from '../plane/schemas.ts'
import { createProjectLabels, labelIdsFor, withKeptLabels } from './agent-labels.ts'

const PROJECT = '7c1f2a3b-0000-4000-8000-000000000001'

/** A Plane with one project's labels, counting its listings. */
function fakePlane(names: string[]) {
  const labels: PlaneLabel[] = names.map((name, i) => ({ id: `label-${i}`, name }) as PlaneLabel)
  const counts = { list: 0, create: 0 }
  const plane = {
    labels: {
      list: async () => {
        counts.list++
        return [...labels]
      },
      create: async (_project: string, body: { name: string }) => {
        counts.create++
        const label = { id: `label-${labels.length}`, name: body.name } as PlaneLabel
        labels.push(label)
        return label
      },
    },
  } as unknown as PlaneClient
  return { plane, labels, counts }
}

describe('labels kept per project (issue 39)', () => {
  it('should list a project’s labels once for many writes, and again only for a name it lacks', async () => {
    let now = 0
    const kept = createProjectLabels({ now: () => now })
    const { plane, labels, counts } = fakePlane(['agent:imhotep', 'bug'])
    for (let i = 0; i < 5; i++)
      expect(await labelIdsFor(plane, PROJECT, ['agent:imhotep', 'Bug'], kept)).toEqual([
        'label-0',
        'label-1',
      ])
    expect(counts.list).toBe(1)
    // Made in Plane by someone since the listing: found by one fresh listing, not created twice.
    labels.push({ id: 'label-2', name: 'urgent' } as PlaneLabel)
    expect(await labelIdsFor(plane, PROJECT, ['urgent'], kept)).toEqual(['label-2'])
    expect([counts.list, counts.create]).toEqual([2, 0])
    // Made by the bridge: kept, no listing for it next time.
    expect(await labelIdsFor(plane, PROJECT, ['agent:thot'], kept)).toEqual(['label-3'])
    expect(await labelIdsFor(plane, PROJECT, ['agent:thot'], kept)).toEqual(['label-3'])
    expect([counts.list, counts.create]).toEqual([3, 1])
    // Half an hour on, listed again.
    now += 30 * 60 * 1000
    await labelIdsFor(plane, PROJECT, ['bug'], kept)
    expect(counts.list).toBe(4)
  })

  it('should write once more with fresh labels when Plane refuses one it deleted since', async () => {
    const kept = createProjectLabels()
    let tries = 0
    const refused = new PlaneApiError('Invalid pk', {
      kind: 'validation',
      reason: 'http',
      status: 400,
      method: 'PATCH',
      path: '/x/',
      body: { labels: ['Invalid pk "label-9" - object does not exist.'] },
    })
    const written = await withKeptLabels(kept, PROJECT, async () => {
      tries++
      if (tries === 1) throw refused
      return 'ok'
    })
    expect([written, tries]).toEqual(['ok', 2])
    await expect(
      withKeptLabels(kept, PROJECT, async () => {
        throw refused
      })
    ).rejects.toBe(refused)
  })
})
