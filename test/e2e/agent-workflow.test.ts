/**
 * One whole agent workflow on the Plane simulator (v1.2: no relations endpoint, no webhook for API
 * writes), through the MCP SDK's own client over HTTP: the Concierge creates the task, Imhotep works it.
 */
import type { Client } from '@modelcontextprotocol/client'
import { afterEach, describe, expect, it } from 'vitest'
import { agentTools } from '../../functions/tools/index.ts'
import { runPollCycle } from '../../shared/poll/cycle.ts'
import { listen, mcpClient } from '../../sim/e2e/bridge-tools.ts'
import { startE2E } from '../../sim/e2e/harness.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** The bridge's clock runs ahead of real time by `skip` (timers), the simulators keep real time. */
function clock() {
  let skip = 0
  return { now: () => Date.now() + skip, advance: (ms: number) => (skip += ms) }
}

async function start(now: () => number) {
  const t = await startE2E({
    concierge: true,
    agentKeys: true,
    now,
  })
  const server = await listen(t.app)
  cleanups.push(
    () => t.stop(),
    () => server.close()
  )
  const connect = async (agent: 'imhotep' | 'thot' | 'ra') => {
    const client = await mcpClient(server.url, t.bridgeTokens[agent] as string)
    cleanups.push(() => client.close())
    return client
  }
  return { t, connect }
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args })
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`)
  // biome-ignore lint/suspicious/noExplicitAny: the tools' outputs, checked field by field below
  return result.structuredContent as Record<string, any>
}

const sent = (t: E2E) =>
  t.telegram
    .callsOf('sendMessage')
    .filter((c) => c.status === 200)
    .map((c) => String(c.params.text))
const wakes = (t: E2E) => t.openclaw.calls.filter((c) => c.path === '/hooks/agent')
const commentsOf = (t: E2E, issueId: string) =>
  [...t.plane.state.comments.values()]
    .filter((c) => c.issue === issueId && !c.deleted_at)
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)))

describe('an agent works a task through the MCP tools (Plane v1.2 simulator)', () => {
  it('should list every tool with its annotations to the Concierge, and a member only its own (issue 45)', async () => {
    const { connect } = await start(Date.now)
    const imhotep = await connect('imhotep')
    // Stateless: it can never send notifications/tools/list_changed, so it does not say it might.
    expect(imhotep.getServerCapabilities()?.tools).toEqual({ listChanged: false })
    const member = (await imhotep.listTools()).tools.map((t) => t.name)
    expect(member).not.toContain('create_task')
    expect(member).not.toContain('create_project')
    expect(member.sort()).toEqual(
      agentTools
        .filter((t) => t.access === 'agent')
        .map((t) => t.name)
        .sort()
    )
    const { tools } = await (await connect('ra')).listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(agentTools.map((t) => t.name).sort())
    for (const tool of tools) {
      expect(tool.annotations).toMatchObject({
        readOnlyHint: expect.any(Boolean),
        destructiveHint: false,
        idempotentHint: expect.any(Boolean),
      })
      expect(tool.outputSchema).toBeDefined()
    }
    expect(tools.find((t) => t.name === 'list_my_tasks')?.annotations?.readOnlyHint).toBe(true)
  })

  it('should take a task from creation to done: Plane holds it all, the human gets one completion message', async () => {
    const c = clock()
    const { t, connect } = await start(c.now)
    const ra = await connect('ra')
    const imhotep = await connect('imhotep')

    const created = await call(ra, 'create_task', {
      project: 'ONB',
      title: 'Configurer Redis',
      description: 'Installer **Redis 7** et vérifier `PING`.',
      assignee: 'imhotep',
      priority: 'high',
      due_date: '2026-12-01',
      labels: ['deliverable'],
      cost_estimate: 0.4,
    })
    expect(created).toMatchObject({ ref: 'ONB-1', assignee: 'imhotep', relations: 'none' })
    await t.settle()
    // Woken once, with the tools that exist and the task's facts.
    expect(wakes(t)).toHaveLength(1)
    const wake = String((wakes(t)[0]?.body as { message?: unknown } | undefined)?.message)
    expect(wake).toContain('ONB-1 « Configurer Redis »')
    expect(wake).toContain('priorité haute, échéance 2026-12-01')
    expect(wake).toContain('/browse/ONB-1/')
    for (const tool of [
      'get_task_details',
      'update_task_status',
      'add_comment',
      'upload_deliverable',
    ])
      expect(wake).toContain(tool)

    const mine = await call(imhotep, 'list_my_tasks', {})
    expect(mine.tasks).toMatchObject([
      {
        ref: 'ONB-1',
        title: 'Configurer Redis',
        status: 'todo',
        priority: 'high',
        due_date: '2026-12-01',
        project: { identifier: 'ONB', name: 'Onboarding' },
        dependencies: [],
      },
    ])
    expect(mine.tasks[0].description).toContain('Redis 7')

    const details = await call(imhotep, 'get_task_details', { task: 'ONB-1' })
    expect(details).toMatchObject({
      ref: 'ONB-1',
      status: 'todo',
      labels: expect.arrayContaining(['agent:imhotep', 'deliverable']),
      yours: true,
      confidence_score: 0.8,
      cost_estimate: 0.4,
      time_spent_seconds: 0,
      // Listing its tasks checked the agent in: the run it was woken for is seen, not started.
      run_state: 'seen',
    })

    const started = await call(imhotep, 'update_task_status', {
      task: 'ONB-1',
      status: 'in_progress',
      session_id: 'openclaw-session-0b5e6c1e-1111-4222-8333-944445555666',
    })
    expect(started).toMatchObject({ status: 'in_progress', changed: true })
    expect(started.timer_running_since).toEqual(expect.any(String))

    c.advance(20 * 60_000)
    await call(imhotep, 'add_comment', {
      task: 'ONB-1',
      kind: 'progress',
      percent: 60,
      text: 'Image Docker construite',
    })
    // The done rule: the task has the label `deliverable`, so a file first.
    const early = await imhotep.callTool({
      name: 'update_task_status',
      arguments: { task: 'ONB-1', status: 'done', summary: 'Redis en place', confidence: 0.9 },
    })
    expect(early.isError).toBe(true)
    expect(JSON.stringify(early.content)).toContain('deliverable')

    const report = '# Rapport\n\nRedis 7.2 répond à PING.\n'
    const upload = await call(imhotep, 'upload_deliverable', {
      task: 'ONB-1',
      filename: 'rapport.md',
      content_base64: Buffer.from(report).toString('base64'),
      description: 'Rapport d’installation',
    })
    expect(upload).toMatchObject({
      name: 'rapport.md',
      mime_type: 'text/markdown',
      size_bytes: Buffer.byteLength(report),
    })

    c.advance(5 * 60_000)
    const done = await call(imhotep, 'update_task_status', {
      task: 'ONB-1',
      status: 'done',
      summary: 'Redis 7.2 installé, PING OK',
      confidence: 0.9,
      cost: 0.35,
    })
    expect(done).toMatchObject({
      status: 'done',
      previous_status: 'in_progress',
      timer_running_since: null,
    })
    expect(done.time_spent_seconds).toBeGreaterThanOrEqual(25 * 60)
    const stopped = await call(imhotep, 'stop_timer', { task: 'ONB-1' })
    expect(stopped).toMatchObject({ running: false, duration_seconds: 0, worklog: 'none' })
    expect(stopped.time_spent_seconds).toBe(done.time_spent_seconds)

    // Plane holds the states, the comments (authored by Imhotep's own key) and the attachment.
    const issue = t.plane.state.issues.get(created.id)!
    expect(t.plane.state.states.get(String(issue.state))?.group).toBe('completed')
    const comments = commentsOf(t, created.id)
    const byImhotep = comments
      .filter((c) => c.actor === t.users.imhotep.id)
      .map((c) => c.comment_stripped)
    expect(byImhotep).toEqual([
      expect.stringContaining('🤖 Imhotep a démarré cette tâche'),
      expect.stringContaining('⏳ 60 % — Image Docker construite'),
      expect.stringContaining('📎 Livrable'),
      expect.stringContaining('✅ Terminée par Imhotep : Redis 7.2 installé, PING OK'),
    ])
    const cards = comments.filter((c) => c.comment_html.includes('plane-bridge:run-card:v1'))
    expect(cards).toHaveLength(1)
    expect(cards[0]?.actor).toBe(t.users.bridge.id)
    const attachments = [...t.plane.state.attachments.values()].filter(
      (a) => a.issue === created.id
    )
    expect(attachments).toMatchObject([{ is_uploaded: true, attributes: { name: 'rapport.md' } }])

    // The human: one completion message with the time spent and the confidence; a later poll adds none.
    await t.settle()
    const completions = sent(t).filter((m) => m.includes('a terminé'))
    expect(completions).toHaveLength(1)
    expect(completions[0]).toContain('Temps passé : 25 min')
    expect(completions[0]).toContain('Confiance : 0,9')
    // A few seconds on, the project's finish is looked at (its only task is done).
    c.advance(5_000)
    await t.settle()
    const before = sent(t).length
    await runPollCycle({ ...t.services, ...t.bridge })
    await t.settle()
    expect(sent(t)).toHaveLength(before)
    // One wake for the task; the project's only task done, the Concierge is woken once for its finish.
    const agentOf = (c: { body: unknown }) => (c.body as { agentId?: string }).agentId
    expect(wakes(t).filter((c) => agentOf(c) === 'imhotep')).toHaveLength(1)
    expect(wakes(t).filter((c) => agentOf(c) !== 'imhotep')).toEqual([
      expect.objectContaining({
        body: expect.objectContaining({ message: expect.stringContaining('est terminé') }),
      }),
    ])
    expect(sent(t).filter((m) => m.startsWith('🏁'))).toHaveLength(1)
  })
})
