/**
 * A stand-in for the agents' model, so that the real OpenClaw gateway runs real agent turns here (no model can be
 * reached from CI): an OpenAI-compatible chat endpoint (`models.providers.stub`, api `openai-completions`). On a turn
 * with no tool result yet, it calls the first offered tool whose name ends with `toolSuffix` (an MCP tool is offered
 * as `<server>__<tool>`), with `toolArguments` (OpenClaw 2026.2's `exec` gets the skill's curl command); once a tool
 * answered, it says "ok". It records the tool names each turn was offered, and what each tool answered.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type StubModel = {
  /** `http://127.0.0.1:<port>/v1`: the provider's `baseUrl`. */
  baseUrl: string
  /** The tool names offered to each turn that called one, in order. */
  offered: string[][]
  /** What the tools answered, as the model was shown it (the turn after each call). */
  results: string[]
  /**
   * Every chat request, in order: how many tools it offered and whether one matched `toolSuffix`. A turn OpenClaw ran
   * without the bridge's tools (their listing not answered in time) shows here as `no match`.
   */
  turns: string[]
  /** The provider block for OpenClaw's config (`models.providers.stub`). */
  provider: Record<string, unknown>
  close(): Promise<void>
}

type ChatRequest = {
  stream?: boolean
  tools?: Array<{ function?: { name?: string }; name?: string }>
  messages?: Array<{ role?: string; content?: unknown }>
}

export async function startStubModel(
  toolSuffix: string,
  toolArguments: Record<string, unknown> = {}
): Promise<StubModel> {
  const offered: string[][] = []
  const results: string[] = []
  const turns: string[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ data: [{ id: 'stub', object: 'model' }] }))
        return
      }
      let request: ChatRequest = {}
      try {
        request = JSON.parse(body) as ChatRequest
      } catch {}
      const names = (request.tools ?? []).map((t) => t.function?.name ?? t.name ?? '')
      const answers = (request.messages ?? []).filter((m) => m.role === 'tool')
      const answered = answers.length > 0
      if (answered) results.push(JSON.stringify(answers.at(-1)?.content ?? ''))
      const tool = answered ? undefined : names.find((n) => n.endsWith(toolSuffix))
      if (tool) offered.push(names)
      turns.push(
        answered
          ? `tool answer (${names.length} tools)`
          : `${names.length} tools, ${tool ? `called ${tool}` : 'no match'}`
      )
      const base = {
        id: 'stub-1',
        object: 'chat.completion.chunk',
        created: Math.floor(Date.now() / 1000),
        model: 'stub',
      }
      const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }
      const delta = tool
        ? {
            role: 'assistant',
            tool_calls: [
              {
                index: 0,
                id: 'call-1',
                type: 'function',
                function: { name: tool, arguments: JSON.stringify(toolArguments) },
              },
            ],
          }
        : { role: 'assistant', content: 'ok' }
      const finish = tool ? 'tool_calls' : 'stop'
      if (request.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        for (const chunk of [
          { ...base, choices: [{ index: 0, delta, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }], usage },
        ])
          res.write(`data: ${JSON.stringify(chunk)}\n\n`)
        res.end('data: [DONE]\n\n')
        return
      }
      const { role, ...rest } = delta
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role, ...rest }, finish_reason: finish }],
          usage,
        })
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}/v1`
  return {
    baseUrl,
    offered,
    results,
    turns,
    provider: {
      baseUrl,
      apiKey: 'stub-key',
      api: 'openai-completions',
      models: [
        {
          id: 'stub',
          name: 'Stub',
          reasoning: false,
          input: ['text'],
          cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
          contextWindow: 131072,
          maxTokens: 4096,
        },
      ],
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
