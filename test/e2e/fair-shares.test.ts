/**
 * Issue 39: no agent holds another, nor itself. One agent's burst (30 reads of one task and 30 listings at once,
 * Plane's throttle on) gets every call answered at once, 200 or 429 with Retry-After; the reads of one task in
 * flight share one Plane request; another agent's call is not held by it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { callHttp, type HttpCall } from '../helpers/bridge-tools.ts'
import { startE2E } from './harness.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
afterEach(async () => {
  await e2e?.stop()
  e2e = null
})

describe('fair shares between agents (issue 39)', () => {
  it('should answer each call of a 60-call burst at once, 200 or 429 with Retry-After, sharing the task’s reads', async () => {
    e2e = await startE2E({ concierge: true, agentKeys: true })
    const t = e2e
    const created = await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
      project: 'ONB',
      title: 'Lire la spec',
      assignee: 'imhotep',
    })
    expect(created.status).toBe(200)
    const taskId = String(created.body.id)
    const commentReads = () =>
      t.plane.requests.filter(
        (r) => r.method === 'GET' && r.path.includes(taskId) && r.path.endsWith('/comments/')
      ).length
    const before = commentReads()
    const imhotep = (tool: string, input: unknown) =>
      callHttp(t.app, tool, t.bridgeTokens.imhotep as string, input)
    const burst: Array<Promise<HttpCall>> = []
    for (let i = 0; i < 30; i++) {
      burst.push(imhotep('get_task_details', { task: 'ONB-1' }))
      burst.push(imhotep('list_my_tasks', {}))
    }
    // Thot, during the burst: its own slots.
    const thot = await callHttp(t.app, 'list_my_tasks', t.bridgeTokens.thot as string, {})
    expect(thot.status).toBe(200)
    const answers = await Promise.all(burst)
    const statuses = answers.map((a) => a.status)
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true)
    const refused = answers.filter((a) => a.status === 429)
    // At most 4 run at once and 8 wait: most of the 60 are told to come back.
    expect(refused.length).toBeGreaterThan(0)
    for (const answer of refused) {
      expect(answer.headers.get('retry-after')).toBe('2')
      expect(answer.body).toMatchObject({
        error: 'rate_limited',
        message: expect.stringContaining('AGENT_CALLS_IN_FLIGHT'),
        retry_after_seconds: 2,
      })
    }
    const read = answers.filter(
      (a) => a.status === 200 && (a.body as { ref?: string }).ref === 'ONB-1'
    ).length
    expect(read).toBeGreaterThan(1)
    // The details that were read shared their comment reads: fewer requests than answers.
    expect(commentReads() - before).toBeLessThan(read)
  })

  it('should forget what it shared of a task once a comment is written on it', async () => {
    e2e = await startE2E({ concierge: true, agentKeys: true })
    const t = e2e
    await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
      project: 'ONB',
      title: 'Lire la spec',
      assignee: 'imhotep',
    })
    const details = async () =>
      (
        await callHttp(t.app, 'get_task_details', t.bridgeTokens.imhotep as string, {
          task: 'ONB-1',
        })
      ).body as { comments: Array<{ text: string }> }
    expect((await details()).comments.map((c) => c.text)).toEqual([])
    const said = await callHttp(t.app, 'add_comment', t.bridgeTokens.imhotep as string, {
      task: 'ONB-1',
      text: 'Spec lue, je commence.',
    })
    expect(said.status).toBe(200)
    expect((await details()).comments.map((c) => c.text)).toEqual([
      expect.stringContaining('Spec lue, je commence.'),
    ])
  })
})
