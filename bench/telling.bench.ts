/**
 * @module How long a person waits to hear of a change (issue 28): from an agent's `update_task_status done` (a tool
 * call's answer) or a person's completion in Plane's web UI (its webhook) to the Telegram message, with the
 * product's coalescing delay (NOTIFY_COALESCE_MS, 5 s) and its chat spacing (1 message/s per chat). Goal: p99 ≤
 * the window + 2 s for both.
 *
 * Not a ratio bench: the window is the floor every message waits by design, so the table reports each latency and
 * its margin over that floor. The Plane, Telegram and OpenClaw simulators and the bridge run on loopback in this
 * process; changes are spaced (one every 1.2 s, alternating tool and web UI) so that the chat's own limit of one
 * message a second never queues one message behind another: what is measured is the bridge's delay, not Telegram's.
 */
import { availableParallelism, loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { callHttp } from '../sim/e2e/bridge-tools.ts'
import { type E2E, startE2E } from '../sim/e2e/harness.ts'
import type { BenchOptions } from './options.ts'
import { formatTable } from './report.ts'
import { defineTableBench, type TableBenchResult } from './table-bench.ts'

const WINDOW_MS = 5_000
const GOAL_MARGIN_MS = 2_000
/** Completions per kind (tool, web UI). */
const SAMPLES = { full: 30, quick: 3 }
/** Apart enough that one chat's 1 message/s never holds a message back. */
const SPACING_MS = 1_200
/** A private chat: Telegram's 20 messages a minute per group would be the bottleneck in a group. */
const PRIVATE_CHAT = '4242'

type Kind = 'tool' | 'web UI'
type Sample = { kind: Kind; ms: number }

export const tellingBench = defineTableBench({ name: 'telling', run: runTellingBench })

async function runTellingBench(options: BenchOptions): Promise<TableBenchResult> {
  const startedAt = new Date()
  const environment = {
    node: process.version,
    cpus: availableParallelism(),
    loadAverage1m: Number(loadavg()[0]?.toFixed(2) ?? Number.NaN),
  }
  const count = options.quick ? SAMPLES.quick : SAMPLES.full
  const t = await startE2E({
    agentKeys: true,
    env: {
      NOTIFY_COALESCE_MS: String(WINDOW_MS),
      TELEGRAM_CHAT_ID: PRIVATE_CHAT,
      LOG_LEVEL: 'warn',
    },
  })
  const samples: Sample[] = []
  try {
    const inProgress = t.state('In Progress').id
    const tasks = Array.from({ length: count * 2 }, (_, i) =>
      t.plane.seed.workItem(t.project.id, {
        name: `Mesure ${i + 1}`,
        state: inProgress,
        assignees: [t.users.imhotep.id],
      })
    )
    const pending: Array<Promise<Sample>> = []
    for (const [i, task] of tasks.entries()) {
      const kind: Kind = i % 2 === 0 ? 'tool' : 'web UI'
      _progress(`telling: ${i + 1}/${tasks.length} (${kind})`)
      const at = kind === 'tool' ? await _byTool(t, task.sequence_id) : await _byWebUi(t, task.id)
      pending.push(_heard(t, `ONB-${task.sequence_id} «`, at).then((ms) => ({ kind, ms })))
      await sleep(SPACING_MS)
    }
    samples.push(...(await Promise.all(pending)))
  } finally {
    await t.stop()
  }
  const rows = (['tool', 'web UI'] as const).map((kind) =>
    _row(
      kind,
      samples.filter((s) => s.kind === kind).map((s) => s.ms)
    )
  )
  const goal = WINDOW_MS + GOAL_MARGIN_MS
  const held = rows.every((r) => r.p99 <= goal)
  const summary = `change → Telegram p99 ${rows.map((r) => `${r.kind} ${_s(r.p99)}`).join(', ')} (goal ≤ ${_s(goal)}: window ${_s(WINDOW_MS)} + ${_s(GOAL_MARGIN_MS)}) — ${held ? 'held' : 'MISSED'}`
  const header =
    `telling: a completion → its Telegram message, ${count} of each kind, window ${_s(WINDOW_MS)}, ` +
    `one change every ${_s(SPACING_MS)}; Node ${environment.node}, ${environment.cpus} CPUs, load ${environment.loadAverage1m}` +
    (options.quick ? ' (QUICK: too few samples for a p99)' : '')
  const table = formatTable(
    ['made by', 'n', 'p50', 'p99', 'max', 'p99 − window', 'goal p99'],
    rows.map((r) => [
      r.kind,
      String(r.n),
      _s(r.p50),
      _s(r.p99),
      _s(r.max),
      _s(r.p99 - WINDOW_MS),
      `≤ ${_s(goal)} ${r.p99 <= goal ? '✓' : '✗'}`,
    ])
  )
  return {
    table: `${header}\n${table}`,
    summary,
    json: {
      name: 'telling',
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      settings: { quick: options.quick, windowMs: WINDOW_MS, spacingMs: SPACING_MS, count },
      environment,
      rows,
      samples,
      held,
    },
  }
}

// --- Internal helpers ---

/** Imhotep finishes the task through the tool; the clock starts when the tool has answered. */
async function _byTool(t: E2E, seq: number | null): Promise<number> {
  const answer = await callHttp(t.app, 'update_task_status', t.bridgeTokens.imhotep as string, {
    task: `ONB-${seq}`,
    status: 'done',
    summary: 'Fait.',
    confidence: 0.9,
  })
  if (answer.status !== 200) throw new Error(`update_task_status: ${JSON.stringify(answer.body)}`)
  return Date.now()
}

/** A person finishes the task in Plane's web UI; the clock starts at the write (Plane sends its webhook then). */
async function _byWebUi(t: E2E, id: string): Promise<number> {
  const at = Date.now()
  await t.plane.ui.updateWorkItem(t.users.bridge.id, id, { state_id: t.state('Done').id })
  return at
}

/** Milliseconds from `since` to the first message Telegram accepted naming the task. */
async function _heard(t: E2E, needle: string, since: number): Promise<number> {
  const deadline = since + 60_000
  for (;;) {
    const call = t.telegram
      .callsOf('sendMessage')
      .find((c) => c.status === 200 && String(c.params.text).includes(needle))
    if (call) return call.at - since
    if (Date.now() > deadline) throw new Error(`telling: no message for ${needle} within 60 s`)
    await sleep(20)
  }
}

function _row(kind: Kind, values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  const pick = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0
  return { kind, n: sorted.length, p50: pick(0.5), p99: pick(0.99), max: sorted.at(-1) ?? 0 }
}

function _s(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}

function _progress(line: string): void {
  process.stderr.write(`${line}\n`)
}
