import { describe, expect, it } from 'vitest'
import { seededSim } from './test-helpers.ts'

describe('plane sim: attachment upload flow (§3.4)', () => {
  it('should run metadata → presigned multipart POST → PATCH 204, then list only uploaded items', async () => {
    const { sim, admin, project, projectPath } = seededSim()
    const item = sim.seed.workItem(project.id, { name: 'x' })
    const headers = { 'X-API-Key': admin.apiKey, 'Content-Type': 'application/json' }
    const base = `${sim.baseUrl}${projectPath}/work-items/${item.id}/attachments/`
    const meta = await sim.fetch(base, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'log.txt', type: 'text/plain', size: 5 }),
    })
    expect(meta.status).toBe(200)
    const step1 = await meta.json()
    expect(Object.keys(step1)).toEqual(['upload_data', 'asset_id', 'attachment', 'asset_url'])
    expect(step1.upload_data.url).toBe(`${sim.baseUrl}/uploads`)
    expect(step1.attachment.is_uploaded).toBe(false)

    const form = new FormData()
    for (const [name, value] of Object.entries(step1.upload_data.fields as Record<string, string>))
      form.append(name, value)
    form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'log.txt')
    expect((await sim.fetch(step1.upload_data.url, { method: 'POST', body: form })).status).toBe(
      204
    )

    const before = await sim.fetch(base, { headers })
    expect(await before.json()).toEqual([])
    const confirm = await sim.fetch(`${base}${step1.asset_id}/`, {
      method: 'PATCH',
      headers,
      body: '{}',
    })
    expect(confirm.status).toBe(204)
    const listed = await (await sim.fetch(base, { headers })).json()
    expect(listed.map((a: { id: string }) => a.id)).toEqual([step1.asset_id])

    const download = await sim.fetch(`${base}${step1.asset_id}/`, { headers, redirect: 'manual' })
    expect(download.status).toBe(302)
    const file = await sim.fetch(download.headers.get('location') ?? '')
    expect(await file.text()).toBe('hello')
  })

  it('should answer 409 with the first asset id for an external id already used on the work item', async () => {
    const { sim, admin, project, projectPath } = seededSim()
    const item = sim.seed.workItem(project.id, { name: 'x' })
    const other = sim.seed.workItem(project.id, { name: 'y' })
    const headers = { 'X-API-Key': admin.apiKey, 'Content-Type': 'application/json' }
    const meta = (workItem: string) =>
      sim.fetch(`${sim.baseUrl}${projectPath}/work-items/${workItem}/attachments/`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: 'log.txt',
          type: 'text/plain',
          size: 5,
          external_id: 'deliverable:1',
          external_source: 'plane-bridge',
        }),
      })
    const first = await meta(item.id)
    expect(first.status).toBe(200)
    const { asset_id } = await first.json()
    const again = await meta(item.id)
    expect([again.status, await again.json()]).toEqual([
      409,
      { error: 'Issue with the same external id and external source already exists', id: asset_id },
    ])
    // Per work item: the same external id on another one is another attachment.
    expect((await meta(other.id)).status).toBe(200)
  })

  it('should reject a file placed before the fields, an oversized file and a bad MIME type', async () => {
    const { sim, call, admin, project, projectPath } = seededSim()
    const item = sim.seed.workItem(project.id, { name: 'x' })
    const path = `${projectPath}/issues/${item.id}/issue-attachments/`
    const bad = await call('POST', path, {
      key: admin.apiKey,
      body: { name: 'a.exe', type: 'application/x-msdownload', size: 1 },
    })
    expect([bad.status, bad.body]).toEqual([400, { error: 'Invalid file type.', status: false }])
    const meta = await call('POST', path, {
      key: admin.apiKey,
      body: { name: 'a.txt', type: 'text/plain', size: 3 },
    })
    const fields = meta.body.upload_data.fields as Record<string, string>
    const misordered = new FormData()
    misordered.append('file', new Blob(['abc']), 'a.txt')
    for (const [name, value] of Object.entries(fields)) misordered.append(name, value)
    const res = await sim.app.request('/uploads', { method: 'POST', body: misordered })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('<Code>InvalidArgument</Code>')
    const tooBig = new FormData()
    for (const [name, value] of Object.entries(fields)) tooBig.append(name, value)
    tooBig.append('file', new Blob(['abcdef']), 'a.txt')
    const big = await sim.app.request('/uploads', { method: 'POST', body: tooBig })
    expect(await big.text()).toContain('EntityTooLarge')
  })
})
