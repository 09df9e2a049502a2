/**
 * @module Issue 38's `bounded` bench: the production start (`npm start`'s flags: a 160 MB old generation) on the fs
 * store, Plane's simulator on loopback in this process (FILE_SIZE_LIMIT raised to 50 MiB as the compose file does),
 * and what a hostile or merely busy outside does to the server's memory and storage: large uploads at once (JSON
 * base64 and multipart), unsigned junk, rejected deliveries. Each case runs on a server of its own, so its peak RSS
 * (VmHWM) is the case's; the baseline is that server's own RSS just before the case, in the same run.
 *
 * Not a ratio bench: the goals are absolute (the container has 256 MB). `BENCH_BOUNDED_ENTRY=<path to another
 * build's dist/runtime/node.js>` runs the same cases against another build (the code before issue 38, say).
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { signPlaneBody } from '../shared/plane/webhook-signature.ts'
import { createOpenClawSim } from '../sim/openclaw/index.ts'
import { createTelegramSim } from '../sim/telegram/index.ts'
import { freePort } from '../test/helpers/net.ts'
import { sendThenRead } from '../test/helpers/raw-sender.ts'
import {
  type AgentsDeployment,
  BENCH_BOT_TOKEN,
  BENCH_HOOKS_TOKEN,
  bridgeTokens,
  deploymentEnv,
} from './agents-processes.ts'
import { type ServerProcess, startServer } from './ingest-children.ts'
import { BUILT_ENTRY, buildProduction, productionNodeFlags } from './ingest-servers.ts'
import type { BenchOptions } from './options.ts'
import { openPollWorld, type PollWorld } from './poll-world.ts'
import { defineTableBench, type TableBenchResult } from './table-bench.ts'

const MIB = 1024 * 1024
const MB = 1_000_000

type CaseResult = {
  name: string
  goal: string
  /** The server's RSS just before the case (the baseline) and its peak during it (VmHWM), MB. */
  idleRssMb: number
  peakRssMb: number
  /** Status codes of the case's requests, counted. */
  statuses: Record<string, number>
  /** What else the case checks (files whole in storage, the journal's growth…). */
  detail: string
  holds: boolean
}

type Context = {
  world: PollWorld
  deployment: AgentsDeployment
  env: Record<string, string>
  tokens: Record<string, string>
  /** For each agent, one of its tasks (by reference) to upload to. */
  taskOf: Record<string, string>
  entry: string
}

export const boundedBench = defineTableBench({ name: 'bounded', run: runBoundedBench })

async function runBoundedBench(options: BenchOptions): Promise<TableBenchResult> {
  const entry = process.env.BENCH_BOUNDED_ENTRY || BUILT_ENTRY
  if (entry === BUILT_ENTRY) {
    const build = await buildProduction()
    if (build.warning) _progress(build.warning)
  }
  const world = await openPollWorld({
    agents: 4,
    projects: 1,
    tasksPerProject: 40,
    fileSizeLimitBytes: 50 * MIB,
  })
  const telegram = createTelegramSim({ token: BENCH_BOT_TOKEN })
  const openclaw = createOpenClawSim({ token: BENCH_HOOKS_TOKEN })
  const [telegramHttp, openclawHttp] = await Promise.all([telegram.listen(), openclaw.listen()])
  const dir = await mkdtemp(join(tmpdir(), 'plane-bridge-bounded-bench-'))
  const results: CaseResult[] = []
  try {
    const tokens = bridgeTokens(world.agents)
    const deployment: AgentsDeployment = {
      planeUrl: world.planeUrl,
      telegramUrl: telegramHttp.url,
      openclawHooksUrl: openclawHttp.url,
      workspaceSlug: world.sim.workspaceSlug,
      bridgeKey: world.bridgeKey,
      agents: world.agents,
      planeKeys: world.agentKeys,
      store: { driver: 'fs', dataDir: join(dir, 'data') },
      dir,
      port: 0,
    }
    const env = await deploymentEnv(deployment, tokens)
    const ctx: Context = { world, deployment, env, tokens, taskOf: _tasksOf(world), entry }
    const cases = [jsonUploads, mcpJsonUploads, multipartUploads, unsignedJunk, rejectedDeliveries]
    for (const run of options.quick ? cases.slice(0, 3) : cases) {
      _progress(`bounded: ${run.name}`)
      results.push(await run(ctx))
    }
  } finally {
    await Promise.all([world.close(), telegramHttp.close(), openclawHttp.close()])
    await rm(dir, { recursive: true, force: true })
  }
  const environment = {
    node: process.version,
    cpus: availableParallelism(),
    loadAverage1m: Number(loadavg()[0]?.toFixed(2) ?? Number.NaN),
    entry,
  }
  return {
    table: _table(results, environment),
    summary: `bounded: ${results.filter((r) => r.holds).length}/${results.length} goals hold`,
    json: { environment, results },
  }
}

// --- Cases ---

/** Four agents upload a 5 MiB deliverable as JSON base64 at once (Plane's default limit). */
async function jsonUploads(ctx: Context): Promise<CaseResult> {
  return _withServer(ctx, { DATA_DIR: await _dataDir(ctx, 'json') }, async (server) => {
    const agents = ctx.world.agents.slice(0, 4)
    const answers = await Promise.all(
      agents.map(async (agent) => {
        const content = randomBytes(5 * MIB - 1024).toString('base64')
        const res = await _post(`${server.origin}/bridge/v1/upload_deliverable`, {
          headers: {
            authorization: `Bearer ${ctx.tokens[agent.id]}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            task: ctx.taskOf[agent.id],
            filename: `${agent.id}.pdf`,
            content_base64: content,
          }),
        })
        return { status: res.status, retryAfter: res.headers.get('retry-after') }
      })
    )
    const ok = answers.filter((a) => a.status === 200).length
    const busy = answers.filter((a) => a.status === 503 && a.retryAfter !== null).length
    return {
      name: '4 × 5 MiB JSON uploads at once',
      goal: 'peak ≤ 200 MB, ≥ 2 succeed, the rest 503 + Retry-After (none reset)',
      statuses: _count(answers.map((a) => a.status)),
      detail: `${ok} stored, ${busy} told to retry, ${_resets(answers)} reset`,
      holds: (peak) => peak <= 200 && ok >= 2 && ok + busy === answers.length,
    }
  })
}

/**
 * The same four uploads through `/mcp`, as OpenClaw agents call tools: one JSON-RPC `tools/call` each on the
 * stateless door (no session); a tool's refusal is a result with `isError` inside a 200.
 */
async function mcpJsonUploads(ctx: Context): Promise<CaseResult> {
  return _withServer(ctx, { DATA_DIR: await _dataDir(ctx, 'mcp') }, async (server) => {
    const agents = ctx.world.agents.slice(0, 4)
    const answers = await Promise.all(
      agents.map(async (agent, i) => {
        const content = randomBytes(5 * MIB - 1024).toString('base64')
        const res = await _post(`${server.origin}/mcp`, {
          headers: {
            authorization: `Bearer ${ctx.tokens[agent.id]}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2025-06-18',
          },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: i + 1,
            method: 'tools/call',
            params: {
              name: 'upload_deliverable',
              arguments: {
                task: ctx.taskOf[agent.id],
                filename: `${agent.id}.pdf`,
                content_base64: content,
              },
            },
          }),
        })
        return { status: res.status, retryAfter: res.headers.get('retry-after'), text: res.text }
      })
    )
    const stored = answers.filter(
      (a) => a.status === 200 && a.text.includes('"result"') && !a.text.includes('"isError":true')
    ).length
    const busy = answers.filter((a) => a.status === 503 && a.retryAfter !== null).length
    if (stored + busy < answers.length)
      _progress(
        `bounded: MCP answers: ${answers.map((a) => `${a.status} ${a.text.slice(0, 200)}`).join(' | ')}`
      )
    return {
      name: '4 × 5 MiB JSON uploads at once over MCP',
      goal: 'peak ≤ 200 MB, ≥ 2 succeed, the rest 503 + Retry-After (none reset)',
      statuses: _count(answers.map((a) => a.status)),
      detail: `${stored} stored, ${busy} told to retry, ${_resets(answers)} reset`,
      holds: (peak) => peak <= 200 && stored >= 2 && stored + busy === answers.length,
    }
  })
}

/** Two agents upload a 50 MiB deliverable as multipart at once (PLANE_UPLOAD_MAX_BYTES raised as in compose). */
async function multipartUploads(ctx: Context): Promise<CaseResult> {
  const env = {
    DATA_DIR: await _dataDir(ctx, 'multipart'),
    PLANE_UPLOAD_MAX_BYTES: String(50 * MIB),
  }
  return _withServer(ctx, env, async (server) => {
    const agents = ctx.world.agents.slice(0, 2)
    const files = agents.map(() => new Uint8Array(randomBytes(50 * MIB)))
    const answers = await Promise.all(
      agents.map(async (agent, i) => {
        const form = new FormData()
        form.append('task', ctx.taskOf[agent.id] as string)
        form.append('file', new Blob([files[i] as BlobPart]), `${agent.id}-rapport.pdf`)
        const res = await _post(`${server.origin}/bridge/v1/upload_deliverable`, {
          headers: { authorization: `Bearer ${ctx.tokens[agent.id]}` },
          body: form,
        })
        return { status: res.status, body: res.json as { attachment_id?: string } }
      })
    )
    let whole = 0
    for (const [i, answer] of answers.entries()) {
      const asset = ctx.world.sim.state.attachments.get(answer.body.attachment_id ?? '')
      if (!asset) continue
      const stored = await ctx.world.sim.app.request(`/uploads/${encodeURI(asset.upload_key)}`)
      const bytes = new Uint8Array(await stored.arrayBuffer())
      if (_sha(bytes) === _sha(files[i] as Uint8Array)) whole++
    }
    return {
      name: '2 × 50 MiB multipart uploads at once',
      goal: 'both succeed, peak ≤ 240 MB, the files whole in storage',
      statuses: _count(answers.map((a) => a.status)),
      detail: `${whole} of ${answers.length} files byte for byte in Plane's storage`,
      holds: (peak) => peak <= 240 && whole === answers.length,
    }
  })
}

/**
 * 2,200 unsigned 1 MB bodies on /webhooks/plane, 20 at a time, each refused before it is read (issue 46); beside
 * them, 20 callers on a slow link (1 MB over about a second) that read only once they have sent everything, as
 * Python's requests does.
 */
async function unsignedJunk(ctx: Context): Promise<CaseResult> {
  return _withServer(ctx, { DATA_DIR: await _dataDir(ctx, 'junk') }, async (server) => {
    const body = new Uint8Array(MB).fill(120)
    const slow = Promise.all(
      Array.from({ length: 20 }, () =>
        sendThenRead({
          port: Number(new URL(server.origin).port),
          path: '/webhooks/plane',
          headers: { 'content-type': 'application/json' },
          bodyBytes: MB,
          pauseMs: 60,
        })
      )
    )
    const statuses: number[] = []
    for (let round = 0; round < 110; round++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const res = await _post(`${server.origin}/webhooks/plane`, {
            headers: { 'content-type': 'application/json' },
            body,
          })
          return res.status
        })
      )
      statuses.push(...answers)
    }
    const slowStatuses = (await slow).map((a) => a.status ?? 0)
    statuses.push(...slowStatuses)
    return {
      name: '2,200 unsigned 1 MB bodies, 20 at a time, + 20 slow senders',
      goal: 'RSS ≤ +40 MB over idle, every one 401 (none reset)',
      statuses: _count(statuses),
      detail: `${_resets(statuses.map((status) => ({ status })))} reset`,
      holds: (peak, idle) => peak - idle <= 40 && statuses.every((s) => s === 401),
    }
  })
}

/** 2,200 rejected deliveries (half unsigned, half signed with another secret) on the fs store. */
async function rejectedDeliveries(ctx: Context): Promise<CaseResult> {
  const dataDir = await _dataDir(ctx, 'rejected')
  const journal = join(dataDir, 'store.journal')
  return _withServer(ctx, { DATA_DIR: dataDir }, async (server) => {
    const before = await _size(journal)
    const body = JSON.stringify({ event: 'issue', action: 'updated', data: { id: 'x' } })
    const wrong = await signPlaneBody(body, 'plane_wh_not-the-secret')
    const statuses: number[] = []
    for (let round = 0; round < 110; round++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const res = await _post(`${server.origin}/webhooks/plane`, {
            headers: {
              'content-type': 'application/json',
              ...(i % 2 === 0 ? {} : { 'x-plane-signature': wrong }),
            },
            body,
          })
          return res.status
        })
      )
      statuses.push(...answers)
    }
    const grownKb = ((await _size(journal)) - before) / 1024
    return {
      name: '2,200 rejected deliveries (fs store)',
      goal: 'store ≤ +16 KB',
      statuses: _count(statuses),
      detail: `journal +${grownKb.toFixed(1)} KB`,
      holds: () => grownKb <= 16 && statuses.every((s) => s === 401),
    }
  })
}

// --- Internal helpers ---

type CaseRun = Omit<CaseResult, 'idleRssMb' | 'peakRssMb' | 'holds'> & {
  holds: (peakMb: number, idleMb: number) => boolean
}

/** A server of the case's own (its VmHWM is the case's peak), stopped afterwards whatever happens. */
async function _withServer(
  ctx: Context,
  extraEnv: Record<string, string>,
  run: (server: ServerProcess) => Promise<CaseRun>
): Promise<CaseResult> {
  const port = await freePort()
  const server = await startServer({
    label: 'plane-bridge',
    script: ctx.entry,
    nodeArgs: productionNodeFlags(),
    env: { ...ctx.env, ...extraEnv, PUBLIC_URL: `http://127.0.0.1:${port}` },
    cwd: ctx.deployment.dir,
    port,
    pinned: false,
  })
  try {
    // Loaded as a deployment is before its first upload: the directory of agents read, the tools' code loaded.
    for (const agent of ctx.world.agents)
      await fetch(`${server.origin}/bridge/v1/list_my_tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.tokens[agent.id]}` },
      }).then((r) => r.arrayBuffer())
    const idle = (await server.memory()).rssBytes / MB
    const result = await run(server)
    const peak = (await server.memory()).peakBytes / MB
    return {
      ...result,
      idleRssMb: Math.round(idle),
      peakRssMb: Math.round(peak),
      holds: result.holds(peak, idle),
    }
  } finally {
    await server.stop()
  }
}

async function _dataDir(ctx: Context, name: string): Promise<string> {
  return mkdtemp(join(ctx.deployment.dir, `${name}-`))
}

/** One task of each agent's, by reference: what it uploads to. */
function _tasksOf(world: PollWorld): Record<string, string> {
  const project = world.projects[0]
  const users = new Map([...world.sim.state.users.values()].map((u) => [u.email, u.id] as const))
  const out: Record<string, string> = {}
  for (const agent of world.agents) {
    const userId = users.get(agent.planeUser)
    const issue = [...world.sim.state.issues.values()].find(
      (i) => i.project === project?.id && userId !== undefined && i.assignees.includes(userId)
    )
    if (!issue) throw new Error(`bounded bench: no task of ${agent.id} to upload to`)
    out[agent.id] = `${project?.identifier}-${issue.sequence_id}`
  }
  return out
}

/** A POST whose failure is an answer too (status 0): a server that died mid-case is what the case measures. */
async function _post(
  url: string,
  init: { headers: Record<string, string>; body: BodyInit }
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  try {
    const res = await fetch(url, { method: 'POST', ...init })
    const text = await res.text()
    let json: unknown = null
    try {
      json = JSON.parse(text)
    } catch {
      // Not JSON: the status says enough.
    }
    return { status: res.status, headers: res.headers, json, text }
  } catch {
    return { status: 0, headers: new Headers(), json: null, text: '' }
  }
}

/** Answers that never came: the connection reset or broken under the body (`_post`'s status 0). */
function _resets(answers: ReadonlyArray<{ status: number }>): number {
  return answers.filter((a) => a.status === 0).length
}

function _count(statuses: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1
  return counts
}

function _sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

async function _size(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0
  )
}

function _table(results: readonly CaseResult[], environment: Record<string, unknown>): string {
  const lines = [
    `bounded (issue 38): production start on the fs store, one server per case — ${JSON.stringify(environment)}`,
    '| case | idle RSS | peak RSS | answers | detail | goal | holds |',
    '| --- | ---: | ---: | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.idleRssMb} MB | ${r.peakRssMb} MB | ${Object.entries(r.statuses)
          .map(([s, n]) => `${n}× ${s}`)
          .join(', ')} | ${r.detail} | ${r.goal} | ${r.holds ? '✓' : '✗'} |`
    ),
  ]
  return `${lines.join('\n')}\n`
}

function _progress(line: string): void {
  process.stderr.write(`${line}\n`)
}
