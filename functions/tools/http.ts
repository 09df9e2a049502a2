/** @module The HTTP door: `POST /bridge/v1/<tool>` with JSON (or multipart for uploads), `GET /bridge/v1/tools`. */
import type { Context } from 'hono'
import * as z from 'zod'
import type { Config } from '../../shared/core/config.ts'
import { type AppEnv, defineHttpFunction } from '../../shared/core/function.ts'
import { ToolError } from '../../shared/tasks/errors.ts'
import { describeJsonRefusal } from '../../shared/uploads/json-spill.ts'
import type { SpooledFile } from '../../shared/uploads/spool.ts'
import { agentForToken, WWW_AUTHENTICATE } from './auth.ts'
import { type JsonUpload, readJsonBodyInAllowance } from './body.ts'
import { callTool } from './call.ts'
import type { CallParts } from './context.ts'
import { findTool, toolsFor } from './index.ts'
import { readUploadForm } from './upload-form.ts'

const PLANE_SETTINGS = ['PLANE_BASE_URL', 'PLANE_API_KEY', 'PLANE_WORKSPACE_SLUG'] as const

/** A deliverable travels as base64 in JSON (a third larger) or as multipart: room for either. */
export function toolBodyLimit(config: Config): number {
  return Math.ceil((config.PLANE_UPLOAD_MAX_BYTES * 4) / 3) + 64 * 1024
}

export const bridgeToolsListFunction = defineHttpFunction({
  name: 'bridge-tools',
  description: 'Lists the agent tools with their JSON Schemas (bearer token required).',
  method: 'GET',
  path: '/bridge/v1/tools',
  requires: PLANE_SETTINGS,
  handler: async function listTools(c) {
    const { agents, hashing } = c.get('services')
    const agent = await agentForToken(agents, c.req.header('authorization'), hashing)
    if (!agent) return _error(c, _unauthorized())
    return c.json({
      agent: agent.id,
      // A member is not offered the Concierge's tools: they would only answer 403.
      tools: toolsFor(agent).map((t) => ({
        name: t.name,
        title: t.title,
        description: t.description,
        concierge_only: t.access === 'concierge',
        annotations: t.hints,
        input_schema: z.toJSONSchema(t.input, { io: 'input' }),
        output_schema: z.toJSONSchema(t.output, { io: 'output' }),
      })),
    })
  },
})

export const bridgeToolCallFunction = defineHttpFunction({
  name: 'bridge-tool-call',
  description: 'Calls one agent tool: JSON input in, JSON output out (bearer token required).',
  method: 'POST',
  path: '/bridge/v1/:tool',
  requires: PLANE_SETTINGS,
  bodyLimitBytes: toolBodyLimit,
  handler: async function callToolOverHttp(c) {
    const services = c.get('services')
    const parts: CallParts = c.get('parts')
    // Authentication first: an unauthenticated caller learns nothing, not even which tools exist.
    const agent = await agentForToken(
      services.agents,
      c.req.header('authorization'),
      services.hashing
    )
    if (!agent) return _error(c, _unauthorized())
    const name = c.req.param('tool') ?? ''
    const tool = findTool(name)
    if (!tool)
      return _error(
        c,
        new ToolError(
          'not_found',
          // The tools this caller may use, as GET /bridge/v1/tools lists them: a member is not offered the Concierge's.
          `No tool "${name}". Tools: ${toolsFor(agent)
            .map((t) => t.name)
            .join(', ')}.`
        )
      )
    const read = await _readInput(c, tool.name)
    if (read instanceof ToolError) return _error(c, read)
    try {
      const outcome = await callTool(services, parts, tool, agent, read.input, 'http', {
        upload: read.file,
        spilled: read.spilled,
      })
      return outcome.ok ? c.json(outcome.output, 200) : _error(c, outcome.error)
    } finally {
      await read.release()
    }
  },
})

// --- Internal helpers ---

function _unauthorized(): ToolError {
  return new ToolError(
    'unauthorized',
    'Missing or unknown bearer token: send Authorization: Bearer <your plane-bridge token>.'
  )
}

function _error(c: Context<AppEnv>, error: ToolError): Response {
  const headers: Record<string, string> =
    error.code === 'unauthorized' ? { 'WWW-Authenticate': WWW_AUTHENTICATE } : {}
  const retry = error.details.retry_after_seconds
  if (typeof retry === 'number') headers['Retry-After'] = String(retry)
  return c.json(error.toJSON(), error.status, headers)
}

type ReadInput = {
  input: unknown
  file: SpooledFile | null
  spilled: JsonUpload | null
  release: () => void | Promise<void>
}

/** upload_deliverable's base64 file in a JSON body, decoded as it is read (json-spill.ts). */
const UPLOAD_FILE_PATH = ['content_base64'] as const

/**
 * The call's input: multipart (upload_deliverable's file spooled, never held whole) or JSON, whose large bodies
 * (a base64 file) are admitted by the upload allowance before they are read.
 */
async function _readInput(c: Context<AppEnv>, tool: string): Promise<ReadInput | ToolError> {
  const type = (c.req.header('content-type') ?? '').toLowerCase()
  if (type.startsWith('multipart/form-data')) {
    if (tool !== 'upload_deliverable')
      return new ToolError(
        'invalid_input',
        'Only upload_deliverable takes multipart/form-data; send JSON.'
      )
    const form = await readUploadForm(c)
    if (form instanceof ToolError) return form
    return {
      input: form.input,
      file: form.file,
      spilled: null,
      release: () => form.file.release(),
    }
  }
  if (type && !type.includes('json'))
    return new ToolError(
      'invalid_input',
      `Send the input as application/json (got ${type.split(';')[0]}).`
    )
  const body = await readJsonBodyInAllowance(
    c,
    c.get('services').uploadAllowance,
    tool === 'upload_deliverable' ? UPLOAD_FILE_PATH : null
  )
  if (body instanceof ToolError) return body
  const { json } = body
  if (json.refused) {
    body.release()
    return new ToolError('invalid_input', describeJsonRefusal(json.refused))
  }
  const held = { input: {}, file: null, spilled: null, release: body.release }
  if (json.skeleton.trim() === '') return held
  try {
    const value = json.parse()
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      body.release()
      return new ToolError('invalid_input', 'The input must be a JSON object.')
    }
    return { ...held, input: value, spilled: json.spilled ? json : null }
  } catch {
    body.release()
    return new ToolError('invalid_input', 'The body is not valid JSON.')
  }
}
