/**
 * @module The MCP door: `/mcp`, Streamable HTTP, stateless (`createMcpHandler`), the same tools and bearer
 * tokens as `/bridge/v1`. Host and Origin are checked against PUBLIC_URL (DNS rebinding); refusals come back
 * as `isError` results carrying the same message as over HTTP.
 */
import type { Context } from 'hono'
import { type AppEnv, defineHttpFunction, type HttpMethod } from '../../shared/core/function.ts'
import { ToolError } from '../../shared/tasks/errors.ts'
import type { UploadAllowance } from '../../shared/uploads/allowance.ts'
import { describeJsonRefusal, type JsonRefusal } from '../../shared/uploads/json-spill.ts'
import { agentForToken, WWW_AUTHENTICATE } from './auth.ts'
import { type JsonUpload, readJsonBodyInAllowance } from './body.ts'
import { toolBodyLimit } from './http.ts'

function mcpFunction(method: HttpMethod) {
  return defineHttpFunction({
    name: method === 'POST' ? 'mcp' : `mcp-${method.toLowerCase()}`,
    description: 'The agent tools over MCP (Streamable HTTP, stateless; bearer token required).',
    method,
    path: '/mcp',
    requires: ['PLANE_BASE_URL', 'PLANE_API_KEY', 'PLANE_WORKSPACE_SLUG'],
    bodyLimitBytes: toolBodyLimit,
    handler: serveMcp,
  })
}

export const mcpFunctions = [mcpFunction('POST'), mcpFunction('GET'), mcpFunction('DELETE')]

// --- Internal helpers ---

async function serveMcp(c: Context<AppEnv>): Promise<Response> {
  const services = c.get('services')
  // The runtime's door: the SDK loads on the first /mcp request (runtime/parts.ts).
  const door = await c.get('parts').mcpDoor()
  for (const guard of door.guards) {
    let passed = false
    const refused = await guard(c, async () => {
      passed = true
    })
    if (!passed)
      return refused ?? c.json({ error: 'forbidden', message: 'Host or Origin not allowed.' }, 403)
  }
  const agent = await agentForToken(
    services.agents,
    c.req.header('authorization'),
    services.hashing
  )
  if (!agent)
    return c.json(
      {
        jsonrpc: '2.0',
        error: {
          code: -32001,
          message:
            'Missing or unknown bearer token: send Authorization: Bearer <your plane-bridge token>.',
        },
        id: null,
      },
      401,
      { 'WWW-Authenticate': WWW_AUTHENTICATE }
    )
  const authInfo = {
    // The SDK passes this to the factory; the token itself goes no further than the check above.
    token: `agent:${agent.id}`,
    clientId: agent.id,
    scopes: [],
  }
  if (c.req.method !== 'POST') return door.handler.fetch(c.req.raw, { authInfo })
  // A tool call may carry a base64 file: its body is admitted by the upload allowance before it is read.
  const read = await _readCall(c, services.uploadAllowance)
  if (read instanceof ToolError) return _refused(c, read)
  if ('refused' in read) return _invalidRequest(c, read.refused)
  const { release } = read
  // The file set aside reaches the tool with the call (mcp-door.ts reads `extra.spilled`).
  const auth = read.spilled ? { ...authInfo, extra: { spilled: read.spilled } } : authInfo
  let response: Response
  try {
    response = await door.handler.fetch(
      read.request,
      'parsedBody' in read ? { authInfo: auth, parsedBody: read.parsedBody } : { authInfo: auth }
    )
  } catch (error) {
    release()
    throw error
  }
  return _releaseWhenSent(response, release)
}

/** Where upload_deliverable's base64 file sits in a `tools/call` message: decoded as it is read. */
const UPLOAD_FILE_PATH = ['params', 'arguments', 'content_base64'] as const

/**
 * What the SDK is handed for a body that is not JSON, for its parse error (which does not quote the body): the body
 * itself is not text any more where its file was. A control character in a string, which JSON refuses.
 */
const NOT_JSON = '"\u0001"'

type ReadCall = {
  request: Request
  parsedBody?: unknown
  /** upload_deliverable's file, decoded as the body was read: the arguments hold its marker. */
  spilled: JsonUpload | null
  release: () => void
}

/**
 * The call's body, read under the upload allowance and parsed once, here: the SDK is handed the value (`parsedBody`)
 * and a request without the body, so that nothing of it is held twice (the bounded bench: 4 × 5 MiB uploads at once
 * peaked at 252–256 MB over MCP before, 175–191 after). A file at `params.arguments.content_base64` is decoded as
 * it arrives and never held as text (json-spill.ts); in a message that is not an upload_deliverable call (no other
 * tool reads that argument) its marker stays. A body that is not JSON reaches the SDK as one, for its parse error.
 */
async function _readCall(
  c: Context<AppEnv>,
  allowance: UploadAllowance
): Promise<ReadCall | { refused: JsonRefusal } | ToolError> {
  const body = await readJsonBodyInAllowance(c, allowance, UPLOAD_FILE_PATH)
  if (body instanceof ToolError) return body
  const { json, release } = body
  if (json.refused) {
    release()
    return { refused: json.refused }
  }
  const { url, headers } = c.req.raw
  let parsedBody: unknown
  try {
    parsedBody = json.parse()
  } catch {
    return {
      request: new Request(url, { method: 'POST', headers, body: NOT_JSON }),
      spilled: null,
      release,
    }
  }
  // Any JSON value: `null` too, which the SDK refuses as no JSON-RPC message.
  const call = (parsedBody ?? {}) as { method?: unknown; params?: { name?: unknown } | null }
  const upload = call.method === 'tools/call' && call.params?.name === 'upload_deliverable'
  return {
    request: new Request(url, { method: 'POST', headers }),
    parsedBody,
    spilled: json.spilled && upload ? json : null,
    release,
  }
}

/** A body whose shape no call has (json-spill.ts), as the SDK refuses a batch too large: 400, Invalid Request. */
function _invalidRequest(c: Context<AppEnv>, refused: JsonRefusal): Response {
  return c.json(
    {
      jsonrpc: '2.0',
      error: { code: -32600, message: `Invalid Request: ${describeJsonRefusal(refused)}` },
      id: null,
    },
    400
  )
}

/** A refused body as JSON-RPC, with the HTTP status and Retry-After the allowance gave. */
function _refused(c: Context<AppEnv>, error: ToolError): Response {
  const retry = error.details.retry_after_seconds
  return c.json(
    {
      jsonrpc: '2.0',
      error: { code: -32000, message: `${error.code}: ${error.message}` },
      id: null,
    },
    error.status,
    typeof retry === 'number' ? { 'Retry-After': String(retry) } : {}
  )
}

/** The SDK may answer with a stream the call writes into later: the body's bytes stay counted until it ends. */
function _releaseWhenSent(response: Response, release: () => void): Response {
  if (!response.body) {
    release()
    return response
  }
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>({ flush: release })
  // The client left before the end: nothing to tell anyone, only the body's hold to give back.
  response.body.pipeTo(writable).catch(release)
  return new Response(readable, response)
}
