/**
 * @module The MCP door: `/mcp`, Streamable HTTP, stateless (`createMcpHandler`), the same tools and bearer
 * tokens as `/bridge/v1`. Host and Origin are checked against PUBLIC_URL (DNS rebinding); refusals come back
 * as `isError` results carrying the same message as over HTTP.
 */
import type { Context } from 'hono'
import { type AppEnv, defineHttpFunction, type HttpMethod } from '../../shared/core/function.ts'
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
  const body = await readBodyInBudget(c, services.uploadBudget)
  if (body instanceof ToolError) return _refused(c, body)
  const request = new Request(c.req.raw.url, {
    method: 'POST',
    headers: c.req.raw.headers,
    body: body.text,
  })
  let response: Response
  try {
    response = await door.handler.fetch(request, { authInfo })
  } catch (error) {
    body.release()
    throw error
  }
  return _releaseWhenSent(response, body.release)
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
