/**
 * Issue 38: uploads in bounded memory. A multipart file is streamed to the disk spool and from there to Plane's
 * storage; a large JSON (base64) body is admitted by the upload budget before it is read, or refused with 503 and
 * Retry-After (busy) or 413 (larger than the whole budget), never read whole into a full process.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createNodeSpool, SPOOL_DIR } from '../../runtime/node-spool.ts'
import type { FileSpool } from '../../shared/uploads/spool.ts'
import { callHttp, listen } from '../../sim/e2e/bridge-tools.ts'
import { SIM_PLANE_VERSION, startE2E } from '../../sim/e2e/harness.ts'

const MIB = 1024 * 1024
type E2E = Awaited<ReturnType<typeof startE2E>>
let e2e: E2E | null = null
const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  await e2e?.stop()
  e2e = null
  for (const clean of cleanups.splice(0)) await clean()
})

/** The Node runtime's spool in a temporary DATA_DIR, its writes counted. */
function diskSpool() {
  const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-spool-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  const inner = createNodeSpool({ dataDir: dir })
  const seen = { writes: 0, firstWrite: null as Promise<void> | null }
  let wrote: () => void = () => undefined
  seen.firstWrite = new Promise<void>((resolve) => {
    wrote = resolve
  })
  const spool: FileSpool = {
    open(options) {
      const writer = inner.open(options)
      return {
        ...writer,
        async write(chunk) {
          seen.writes++
          wrote()
          await writer.write(chunk)
        },
      }
    },
  }
  const left = () => readdirSync(join(dir, SPOOL_DIR))
  return { spool, seen, left }
}

async function start(options: { spool?: FileSpool; env?: Record<string, string> } = {}) {
  e2e = await startE2E({
    concierge: true,
    plane: { version: SIM_PLANE_VERSION, fileSizeLimitBytes: 8 * MIB },
    env: { PLANE_UPLOAD_MAX_BYTES: String(8 * MIB), ...options.env },
    ...(options.spool ? { spool: options.spool } : {}),
  })
  const t = e2e
  await callHttp(t.app, 'create_task', t.bridgeTokens.ra as string, {
    project: 'ONB',
    title: 'Rapport',
    assignee: 'imhotep',
  })
  const attached = () => [...t.plane.state.attachments.values()].filter((a) => a.is_uploaded)
  /** The bytes Plane's bucket holds for an attachment. */
  const stored = async (uploadKey: string) =>
    new Uint8Array(
      await (await t.plane.app.request(`/uploads/${encodeURI(uploadKey)}`)).arrayBuffer()
    )
  return { t, attached, stored }
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** What an MCP client sends with a call on the stateless door. */
const MCP_HEADERS = (token: string) => ({
  authorization: `Bearer ${token}`,
  host: 'localhost',
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
})

/** The JSON-RPC answer of a call, whether it came as JSON or as one event of a stream. */
async function _rpcAnswer(response: Response): Promise<unknown> {
  const text = await response.text()
  const data = text.startsWith('{') ? text : /^data: (.*)$/m.exec(text)?.[1]
  return JSON.parse(data ?? 'null')
}

function uploadForm(file: Uint8Array, name = 'rapport.pdf') {
  const form = new FormData()
  form.append('task', 'ONB-1')
  form.append('file', new Blob([file as BlobPart], { type: 'application/pdf' }), name)
  // A field after the file: read all the same.
  form.append('description', 'Le rapport complet')
  return form
}

describe('uploads in bounded memory (issue 38)', () => {
  it('should stream a multipart file through the disk spool to Plane’s storage, whole, leaving nothing on disk', async () => {
    const disk = diskSpool()
    const { t, attached, stored } = await start({ spool: disk.spool })
    const server = await listen(t.app)
    cleanups.push(server.close)
    const file = new Uint8Array(randomBytes(6 * MIB))
    const response = await fetch(`${server.url}/bridge/v1/upload_deliverable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.bridgeTokens.imhotep}` },
      body: uploadForm(file),
    })
    const body = (await response.json()) as Record<string, unknown>
    expect(response.status).toBe(200)
    expect(body).toMatchObject({
      name: 'rapport.pdf',
      size_bytes: 6 * MIB,
      mime_type: 'application/pdf',
    })
    const [attachment] = attached()
    expect(sha(await stored(attachment?.upload_key as string))).toBe(sha(file))
    // Written as it came, in pieces; gone once the upload ended.
    expect(disk.seen.writes).toBeGreaterThan(10)
    expect(disk.left()).toEqual([])
  })

  it('should spool the file before the body has ended (the body is never read whole first)', async () => {
    const disk = diskSpool()
    const { t, attached } = await start({ spool: disk.spool })
    const { bytes, type } = await (async () => {
      const response = new Response(uploadForm(new Uint8Array(randomBytes(2 * MIB))))
      return {
        bytes: new Uint8Array(await response.arrayBuffer()),
        type: response.headers.get('content-type') as string,
      }
    })()
    const half = Math.floor(bytes.length / 2)
    let spooledBeforeEnd = false
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(bytes.slice(0, half))
        // The rest only once the spool has seen the file's first bytes, or after 5 s without them.
        spooledBeforeEnd = await Promise.race([
          (disk.seen.firstWrite as Promise<void>).then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000)),
        ])
        controller.enqueue(bytes.slice(half))
        controller.close()
      },
    })
    const response = await t.app.request('http://bridge.test/bridge/v1/upload_deliverable', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.bridgeTokens.imhotep}`, 'content-type': type },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(200)
    expect(spooledBeforeEnd).toBe(true)
    expect(attached()).toHaveLength(1)
  })

  it('should refuse a file over PLANE_UPLOAD_MAX_BYTES with 413 and a cut or malformed body with 400, leaving nothing', async () => {
    const disk = diskSpool()
    const { t, attached } = await start({ spool: disk.spool })
    const send = (body: BodyInit, headers: Record<string, string> = {}) =>
      t.app.request('http://bridge.test/bridge/v1/upload_deliverable', {
        method: 'POST',
        headers: { authorization: `Bearer ${t.bridgeTokens.imhotep}`, ...headers },
        body,
      })
    const over = await send(uploadForm(new Uint8Array(8 * MIB + 1)))
    expect(over.status).toBe(413)
    expect(await over.json()).toMatchObject({
      error: 'payload_too_large',
      message: expect.stringContaining('PLANE_UPLOAD_MAX_BYTES'),
    })
    const serialized = new Response(uploadForm(new Uint8Array(100_000)))
    const type = serialized.headers.get('content-type') as string
    const whole = new Uint8Array(await serialized.arrayBuffer())
    const cut = await send(whole.slice(0, 60_000), { 'content-type': type })
    expect(cut.status).toBe(400)
    expect(await cut.json()).toMatchObject({
      error: 'invalid_input',
      message: expect.stringContaining('ended before its closing boundary'),
    })
    const noBoundary = await send('x', { 'content-type': 'multipart/form-data' })
    expect(noBoundary.status).toBe(400)
    expect(attached()).toEqual([])
    expect(disk.left()).toEqual([])
  })

  it('should refuse a large JSON body while the budget is held (503, Retry-After) and take it once it is free', async () => {
    const { t, attached } = await start({ env: { UPLOAD_MEMORY_BUDGET_BYTES: String(MIB) } })
    const budget = t.services.uploadAllowance
    const input = {
      task: 'ONB-1',
      filename: 'notes.pdf',
      content_base64: randomBytes(400 * 1024).toString('base64'),
    }
    // Other uploads in flight hold most of the budget.
    const others = budget.take(900 * 1024)
    if (!others.ok) throw new Error('the budget should have room')
    const refused = await callHttp(
      t.app,
      'upload_deliverable',
      t.bridgeTokens.imhotep as string,
      input
    )
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(refused.body).toMatchObject({
      error: 'busy',
      message: expect.stringContaining('multipart/form-data'),
      retry_after_seconds: 5,
    })
    expect(attached()).toEqual([])
    others.release()
    const taken = await callHttp(
      t.app,
      'upload_deliverable',
      t.bridgeTokens.imhotep as string,
      input
    )
    expect(taken.status).toBe(200)
    expect(attached()).toHaveLength(1)
    // Every byte given back once the calls ended.
    expect(budget.inFlight()).toBe(0)

    const tooLarge = await callHttp(t.app, 'upload_deliverable', t.bridgeTokens.imhotep as string, {
      ...input,
      content_base64: randomBytes(900 * 1024).toString('base64'),
    })
    expect(tooLarge.status).toBe(413)
    expect(tooLarge.body.message).toContain('UPLOAD_MEMORY_BUDGET_BYTES')
  })

  it('should stop reading a chunked JSON body once it passes what the budget has left', async () => {
    const { t } = await start({ env: { UPLOAD_MEMORY_BUDGET_BYTES: String(MIB) } })
    const others = t.services.uploadAllowance.take(MIB - 64 * 1024)
    if (!others.ok) throw new Error('the budget should have room')
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        if (pulled === 1)
          controller.enqueue(new TextEncoder().encode('{"task":"ONB-1","content_base64":"'))
        else if (pulled < 200) controller.enqueue(new TextEncoder().encode('A'.repeat(64 * 1024)))
        else controller.close()
      },
    })
    const response = await t.app.request('http://bridge.test/bridge/v1/upload_deliverable', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.bridgeTokens.imhotep}`,
        'content-type': 'application/json',
      },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(503)
    // 256 KiB are read freely, then 64 KiB more fit: the read stops there, far from the 12 MiB offered.
    expect(pulled).toBeLessThan(20)
    others.release()
    expect(t.services.uploadAllowance.inFlight()).toBe(0)
  })

  it('should take a base64 file over MCP whole, the body parsed once and handed to the SDK as it is', async () => {
    const { t, attached, stored } = await start()
    const file = new Uint8Array(randomBytes(3 * MIB))
    const response = await t.app.request('http://localhost/mcp', {
      method: 'POST',
      headers: MCP_HEADERS(t.bridgeTokens.imhotep as string),
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: {
          name: 'upload_deliverable',
          arguments: {
            task: 'ONB-1',
            filename: 'rapport.pdf',
            content_base64: Buffer.from(file).toString('base64'),
          },
        },
      }),
    })
    expect(response.status).toBe(200)
    const answer = (await _rpcAnswer(response)) as { result?: { isError?: boolean } }
    expect(answer).toMatchObject({ jsonrpc: '2.0', id: 7, result: { content: expect.any(Array) } })
    expect(answer.result?.isError, JSON.stringify(answer).slice(0, 500)).toBeUndefined()
    const [attachment] = attached()
    expect(sha(await stored(attachment?.upload_key as string))).toBe(sha(file))
    // Over LARGE_BODY_BYTES, so counted while held; given back once the answer was sent.
    expect(t.services.uploadAllowance.inFlight()).toBe(0)
  })

  it('should answer a body that is not JSON over MCP with the SDK’s own parse error, holding nothing', async () => {
    const { t } = await start()
    const response = await t.app.request('http://localhost/mcp', {
      method: 'POST',
      headers: MCP_HEADERS(t.bridgeTokens.imhotep as string),
      body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${'x'.repeat(300 * 1024)}`,
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } })
    expect(t.services.uploadAllowance.inFlight()).toBe(0)
  })

  it('should refuse a large MCP call while the budget is held, as JSON-RPC with 503 and Retry-After', async () => {
    const { t } = await start({ env: { UPLOAD_MEMORY_BUDGET_BYTES: String(MIB) } })
    const others = t.services.uploadAllowance.take(900 * 1024)
    if (!others.ok) throw new Error('the budget should have room')
    const response = await t.app.request('http://localhost/mcp', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.bridgeTokens.imhotep}`,
        host: 'localhost',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'upload_deliverable',
          arguments: {
            task: 'ONB-1',
            filename: 'a.pdf',
            content_base64: randomBytes(400 * 1024).toString('base64'),
          },
        },
      }),
    })
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('5')
    expect(await response.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { message: expect.stringContaining('busy: plane-bridge is holding other uploads') },
    })
    others.release()
  })

  describe('a JSON upload’s file decoded as the body is read, never held as text', () => {
    /** A body as a PHP client writes it: `/` escaped, the base64 wrapped at 76 characters with escaped line breaks. */
    const phpStyle = (value: unknown) => JSON.stringify(value).replaceAll('/', '\\/')
    const wrapped = (file: Uint8Array) =>
      (
        Buffer.from(file)
          .toString('base64')
          .match(/.{1,76}/g) ?? []
      ).join('\r\n')
    const post = (t: E2E, path: string, headers: Record<string, string>, body: string) =>
      t.app.request(`http://localhost${path}`, { method: 'POST', headers, body })
    const httpHeaders = (t: E2E) => ({
      authorization: `Bearer ${t.bridgeTokens.imhotep}`,
      'content-type': 'application/json',
    })
    const mcpCall = (args: Record<string, unknown>, name = 'upload_deliverable') => ({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name, arguments: args },
    })

    it('should store the file whole over both doors, escapes and line breaks included', async () => {
      const { t, attached, stored } = await start()
      const files = [new Uint8Array(randomBytes(MIB + 7)), new Uint8Array(randomBytes(300 * 1024))]
      const args = (file: Uint8Array, filename: string) => ({
        task: 'ONB-1',
        filename,
        content_base64: wrapped(file),
        description: 'Le rapport / annexe',
      })
      const overHttp = await post(
        t,
        '/bridge/v1/upload_deliverable',
        httpHeaders(t),
        phpStyle(args(files[0] as Uint8Array, 'a.pdf'))
      )
      expect(overHttp.status, await overHttp.clone().text()).toBe(200)
      const overMcp = await post(
        t,
        '/mcp',
        MCP_HEADERS(t.bridgeTokens.imhotep as string),
        phpStyle(mcpCall(args(files[1] as Uint8Array, 'b.pdf')))
      )
      const answer = (await _rpcAnswer(overMcp)) as { result?: { isError?: boolean } }
      expect(answer.result?.isError, JSON.stringify(answer).slice(0, 500)).toBeUndefined()
      expect(attached()).toHaveLength(2)
      for (const [i, file] of files.entries()) {
        const attachment = attached().find((a) => a.attributes?.size === file.length) as {
          upload_key: string
        }
        expect(sha(await stored(attachment.upload_key)), `file ${i}`).toBe(sha(file))
      }
      expect(t.services.uploadAllowance.inFlight()).toBe(0)
    })

    it('should answer a file string that is not well formed as a body that is not JSON, over both doors', async () => {
      const { t, attached } = await start()
      for (const broken of ['YWJj\\x', 'YWJj\u0001', 'YWJj\\u00zz']) {
        const args = `{"task":"ONB-1","filename":"a.pdf","content_base64":"${broken}"}`
        const overHttp = await post(t, '/bridge/v1/upload_deliverable', httpHeaders(t), args)
        expect(overHttp.status).toBe(400)
        expect(await overHttp.json()).toMatchObject({ message: 'The body is not valid JSON.' })
        const overMcp = await post(
          t,
          '/mcp',
          MCP_HEADERS(t.bridgeTokens.imhotep as string),
          `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"upload_deliverable","arguments":${args}}}`
        )
        expect(overMcp.status).toBe(400)
        expect(await overMcp.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } })
      }
      expect(attached()).toEqual([])
      expect(t.services.uploadAllowance.inFlight()).toBe(0)
    })

    it('should refuse a file that is not base64, or over the limit before it is stored, as it refuses a string', async () => {
      const { t, attached } = await start({ env: { PLANE_UPLOAD_MAX_BYTES: String(100 * 1024) } })
      const cases = [
        { content_base64: 'YWJj$ZGVm', message: 'content_base64 is not valid base64.' },
        {
          content_base64: randomBytes(200 * 1024).toString('base64'),
          message: 'PLANE_UPLOAD_MAX_BYTES',
        },
      ]
      for (const { content_base64, message } of cases) {
        const args = { task: 'ONB-1', filename: 'a.pdf', content_base64 }
        const overHttp = await callHttp(
          t.app,
          'upload_deliverable',
          t.bridgeTokens.imhotep as string,
          args
        )
        expect(overHttp.body.message).toContain(message)
        const overMcp = await post(
          t,
          '/mcp',
          MCP_HEADERS(t.bridgeTokens.imhotep as string),
          JSON.stringify(mcpCall(args))
        )
        const answer = (await _rpcAnswer(overMcp)) as {
          result: { isError: boolean; content: Array<{ text: string }> }
        }
        expect(answer.result.isError).toBe(true)
        expect(answer.result.content[0]?.text).toContain(message)
      }
      expect(attached()).toEqual([])
    })

    it('should answer JSON that is no JSON-RPC message as the SDK does, whatever its value', async () => {
      const { t } = await start()
      for (const body of ['null', '7', '"x"', '[]', '{"params":null}']) {
        const response = await post(t, '/mcp', MCP_HEADERS(t.bridgeTokens.imhotep as string), body)
        // Its refusal (-32600 or -32700 by the SDK's reading), never a 500.
        expect(response.status, body).toBe(400)
        expect(await response.json()).toMatchObject({
          jsonrpc: '2.0',
          error: { code: expect.any(Number), message: expect.any(String) },
        })
      }
    })

    it('should refuse a call nested too deep or holding too many values before parsing it, over both doors', async () => {
      const { t } = await start()
      const bombs = [
        // 3 MB of `[` took a 160 MB heap down in JSON.parse (the process killed); 2 M `{}` nearly did.
        { body: `${'['.repeat(3_000_000)}${']'.repeat(3_000_000)}`, says: 'deeper than 64 levels' },
        { body: `{"task":[${'{},'.repeat(2_000_000)}{}]}`, says: 'more than 10,000 values' },
      ]
      for (const { body, says } of bombs) {
        const overHttp = await post(t, '/bridge/v1/add_comment', httpHeaders(t), body)
        expect(overHttp.status).toBe(400)
        expect(await overHttp.json()).toMatchObject({
          error: 'invalid_input',
          message: expect.stringContaining(says),
        })
        const overMcp = await post(t, '/mcp', MCP_HEADERS(t.bridgeTokens.imhotep as string), body)
        expect(overMcp.status).toBe(400)
        expect(await overMcp.json()).toMatchObject({
          jsonrpc: '2.0',
          error: { code: -32600, message: expect.stringContaining(says) },
        })
      }
      expect(t.services.uploadAllowance.inFlight()).toBe(0)
    })

    it('should leave another tool’s call alone when it carries a content_base64 argument', async () => {
      const { t } = await start()
      const response = await post(
        t,
        '/mcp',
        MCP_HEADERS(t.bridgeTokens.imhotep as string),
        JSON.stringify(mcpCall({ content_base64: 'YWJj' }, 'list_my_tasks'))
      )
      const answer = (await _rpcAnswer(response)) as {
        result: { isError?: boolean; structuredContent: { tasks: Array<{ ref: string }> } }
      }
      expect(answer.result.isError).toBeUndefined()
      expect(answer.result.structuredContent.tasks.map((task) => task.ref)).toEqual(['ONB-1'])
    })
  })
})
