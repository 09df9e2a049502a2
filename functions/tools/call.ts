/** @module One tool call, whichever door it came through: access, input, handler, errors, log line and metric. */

import type { AgentConfig } from '../../shared/agents/registry.ts'
import type { Services } from '../../shared/core/function.ts'
import { errorMessage } from '../../shared/observe/errors.ts'
import { STORE_RETRY_AFTER_S, StoreUnavailableError } from '../../shared/store/unavailable.ts'
import { ToolError } from '../../shared/tasks/errors.ts'
import { readerOf } from '../../shared/tasks/tasks.ts'
import type { SpooledFile } from '../../shared/uploads/spool.ts'
import type { JsonUpload } from './body.ts'
import { type CallParts, toolContext } from './context.ts'
import { invalidInput, toToolError } from './errors.ts'
import type { AgentTool, ToolContext, TouchedTask } from './tool.ts'

export type CallOutcome =
  | { ok: true; output: Record<string, unknown> }
  | { ok: false; error: ToolError }

/**
 * What a door hands a call besides its JSON input: the file of a multipart upload, held until the call ends; a JSON
 * body's string set aside as bytes (the input holds its marker).
 */
export type CallExtras = { upload?: SpooledFile | null; spilled?: JsonUpload | null }

export async function callTool(
  services: Services,
  parts: CallParts,
  tool: AgentTool,
  agent: AgentConfig,
  rawInput: unknown,
  door: 'http' | 'mcp',
  extras: CallExtras = {}
): Promise<CallOutcome> {
  const started = performance.now()
  const outcome = await _run(services, parts, tool, agent, rawInput, extras)
  // Any answer, refusals too: the agent is there (the Concierge's view of its team reads when it last called).
  services.background.run(`agent-call:${agent.id}`, () => parts.agentCalls.called(agent.id))
  const result = outcome.ok ? 'ok' : outcome.error.code
  _counter(services).inc({ tool: tool.name, outcome: result })
  // Who called what and how it ended; never the token, never the input (it may hold a file).
  services.log.info('tool call', {
    tool: tool.name,
    agent: agent.id,
    door,
    outcome: result,
    durationMs: Math.round(performance.now() - started),
    ...(outcome.ok ? {} : { message: outcome.error.message }),
  })
  return outcome
}

// --- Internal helpers ---

async function _run(
  services: Services,
  parts: CallParts,
  tool: AgentTool,
  agent: AgentConfig,
  rawInput: unknown,
  extras: CallExtras
): Promise<CallOutcome> {
  // One agent's burst waits on its own slots, never on another agent's.
  const gate = await parts.toolGate.enter(agent.id)
  if (!gate.ok) return { ok: false, error: _tooMany(services, agent, gate) }
  try {
    if (tool.access === 'concierge' && agent.role !== 'concierge') {
      const concierge = services.agents.find((a) => a.role === 'concierge')
      throw new ToolError(
        'forbidden',
        `Only the Concierge${concierge ? ` (${concierge.name})` : ''} may call ${tool.name}. Ask it to do this for you.`
      )
    }
    const parsed = tool.input.safeParse(rawInput ?? {})
    if (!parsed.success) throw invalidInput(parsed.error)
    const ctx = {
      ...(await toolContext(services, parts, agent)),
      upload: extras.upload ?? null,
      spilled: extras.spilled ?? null,
    }
    let result: unknown
    try {
      result = await tool.handler(parsed.data, ctx)
    } finally {
      // A refused call (a start refused for an open dependency) is an answer to the wake all the same.
      await _checkIn(ctx)
    }
    const checked = tool.output.safeParse(result)
    // An output off its schema is our bug, not the caller's: reported as internal.
    if (!checked.success) throw new Error(`${tool.name} output: ${checked.error.message}`)
    const output = checked.data as Record<string, unknown>
    // The sentence for a model (tool.summarize) is the MCP door's to make: the HTTP door sends JSON alone.
    return { ok: true, output }
  } catch (error) {
    const known = toToolError(error)
    if (known) return { ok: false, error: known }
    if (error instanceof StoreUnavailableError)
      return { ok: false, error: _storeDown(services, tool, agent, error) }
    services.log.error('tool failed', {
      tool: tool.name,
      agent: agent.id,
      error:
        error instanceof Error
          ? { name: error.name, message: error.message, stack: error.stack }
          : String(error),
    })
    return {
      ok: false,
      error: new ToolError(
        'internal_error',
        `${tool.name} failed inside plane-bridge; the operator can find it in the logs. Try again later.`
      ),
    }
  } finally {
    gate.leave()
  }
}

/**
 * A call while the store does not answer would be a 500 "internal_error" and a log line saying "Command timed
 * out". It is an outage the agent can wait out (503, Retry-After) and the operator can fix (the setting named).
 */
function _storeDown(
  services: Services,
  tool: AgentTool,
  agent: AgentConfig,
  error: StoreUnavailableError
): ToolError {
  services.log.error('tool failed: the store does not answer', {
    tool: tool.name,
    agent: agent.id,
    setting: error.setting,
    error: error.message,
  })
  return new ToolError(
    'store_unavailable',
    `plane-bridge cannot reach its store right now (the operator must check ${error.setting}). Repeat the same call in ${STORE_RETRY_AFTER_S} s: a repeat is safe.`,
    { retry_after_seconds: STORE_RETRY_AFTER_S }
  )
}

function _tooMany(
  services: Services,
  agent: AgentConfig,
  refused: { inFlight: number; queued: number; retryAfterS: number }
): ToolError {
  const cap = services.config.AGENT_CALLS_IN_FLIGHT
  return new ToolError(
    'rate_limited',
    `Too many calls at once: ${agent.name} already has ${refused.inFlight} tool calls running and ${refused.queued} waiting (at most ${cap} run at once, AGENT_CALLS_IN_FLIGHT). Wait for their answers, then call again in ${refused.retryAfterS} s; read a task once rather than many times in parallel.`,
    { retry_after_seconds: refused.retryAfterS }
  )
}

/**
 * Each of the caller's own tasks the call worked on checks its run in; a failure here fails nothing. The tasks
 * are checked in together: each touches only its own keys (on Redis, their commands go out in one pipeline).
 * What a listing counted is checked in after the answer, not before it: at 250 open tasks, once a minute, that was
 * a thousand store operations the agent waited on (the agents bench's list_my_tasks p50 170 ms). A task
 * the call worked on is checked in before the answer, as an answer to its wake.
 */
async function _checkIn(ctx: ToolContext): Promise<void> {
  const one = ([taskId, where]: [string, TouchedTask]) =>
    ctx.tracker.activity(taskId, ctx.me, { ...where, via: readerOf(ctx) }).catch((error: unknown) =>
      ctx.log.warn('check-in not recorded', {
        task: taskId,
        agent: ctx.me.id,
        error: errorMessage(error),
      })
    )
  const touched = [...ctx.touched]
  const worked = touched.filter(([, where]) => !where.listed)
  const listed = touched.filter(([, where]) => where.listed)
  if (listed.length > 0)
    ctx.background.run(`listing-checkins:${ctx.me.id}`, async () => {
      await ctx.tracker
        .listed(
          ctx.me,
          listed.map(([taskId, where]) => ({ taskId, ...where })),
          readerOf(ctx)
        )
        .catch((error: unknown) =>
          ctx.log.warn('listing check-ins not recorded', {
            agent: ctx.me.id,
            error: errorMessage(error),
          })
        )
      ctx.kick()
    })
  await Promise.all(worked.map(one))
  if (worked.length > 0) ctx.kick()
}

/** The registry keeps one family per name: asking again returns the same series, no cache of our own needed. */
function _counter(services: Services) {
  return services.metrics.registry.counter(
    'plane_bridge_tool_calls_total',
    'Agent tool calls by tool and outcome (ok or the error code).'
  )
}
