/**
 * @module The MCP door: `/mcp`, Streamable HTTP, stateless (`createMcpHandler`), the same tools and bearer
 * tokens as `/bridge/v1`. Host and Origin are checked against PUBLIC_URL (DNS rebinding); refusals come back
 * as `isError` results carrying the same message as over HTTP.
 */
import type { Context } from 'hono'
import { type AppEnv, defineHttpFunction, type HttpMethod } from '../../shared/core/function.ts'
import type { UploadBudget } from '../../shared/uploads/budget.ts'
import { agentForToken, WWW_AUTHENTICATE } from './auth.ts'
import { readBodyInBudget } from './body.ts'
import { ToolError } from './errors.ts'
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
  const door = await c.var.parts.mcpDoor()
  for (const guard of door.guards) {
    let passed = false
    const refused = await guard(c, async () => {
      passed = true
    })
    if (!passed)
      return refused ?? c.json({ error: 'forbidden', message: 'Host or Origin not allowed.' }, 403)
  }
  const agent = await agentForToken(services.agents, c.req.header('authorization'))
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
  // A tool call may carry a base64 file: its body is admitted by the upload budget before it is read.
  const read = await _readCall(c, services.uploadBudget)
  if (read instanceof ToolError) return _refused(c, read)
  const { release } = read
  let response: Response
  try {
    response = await door.handler.fetch(
      read.request,
      'parsedBody' in read ? { authInfo, parsedBody: read.parsedBody } : { authInfo }
    )
  } catch (error) {
    release()
    throw error
  }
  return _releaseWhenSent(response, release)
}

/**
 * The call's body, read under the upload budget and parsed once, here: the SDK is handed the value (`parsedBody`)
 * and a request without the body, so that a base64 file is not held again as a request's bytes, the SDK's own text
 * and its own parse (the bounded bench: 4 × 5 MiB uploads at once peaked at 252–256 MB over MCP before, 175–191
 * after). The text goes once parsed. A body that is not JSON is passed on as it came, for the SDK's parse error.
 */
async function _readCall(
  c: Context<AppEnv>,
  budget: UploadBudget
): Promise<{ request: Request; parsedBody?: unknown; release: () => void } | ToolError> {
  const body = await readBodyInBudget(c, budget)
  if (body instanceof ToolError) return body
  const { url, headers } = c.req.raw
  try {
    const parsedBody: unknown = JSON.parse(body.text)
    return {
      request: new Request(url, { method: 'POST', headers }),
      parsedBody,
      release: body.release,
    }
  } catch {
    return {
      request: new Request(url, { method: 'POST', headers, body: body.text }),
      release: body.release,
    }
  }
}

/** A refused body as JSON-RPC, with the HTTP status and Retry-After the budget gave. */
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
