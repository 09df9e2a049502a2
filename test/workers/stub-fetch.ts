/** A stub `fetch` for the workers tests: a tiny Plane (one project, one member, some work items) and Telegram (getMe, sends). */
import { CHAT_ID, PLANE_ORIGIN, TELEGRAM_ORIGIN } from './bindings.ts'

export const PROJECT = {
  id: '00000000-0000-4000-8000-0000000000b0',
  name: 'Onboarding',
  identifier: 'ONB',
  workspace: '00000000-0000-4000-8000-0000000000a0',
}

export const MEMBER = {
  id: '00000000-0000-4000-8000-0000000000c2',
  email: 'imhotep@javisi.local',
  display_name: 'imhotep',
  first_name: 'Imhotep',
  last_name: '',
  role: 15,
}

export const BOT = { id: 654321, is_bot: true, first_name: 'Bridge', username: 'plane_bridge_bot' }

export type StubCall = { method: string; url: URL; body: string }

export type StubFetch = {
  fetch: typeof fetch
  calls: StubCall[]
  /** Runs before Telegram's answer: lets a test look at the store while the message is in flight. */
  onTelegram?: (call: StubCall) => Promise<void>
}

export function createStubFetch(workItems: Array<Record<string, unknown>> = []): StubFetch {
  const stub: StubFetch = {
    calls: [],
    fetch: async function stubFetch(input, init) {
      const request = new Request(input, init)
      const call = { method: request.method, url: new URL(request.url), body: await request.text() }
      stub.calls.push(call)
      if (call.url.origin === TELEGRAM_ORIGIN) {
        if (call.url.pathname.endsWith('/getMe')) return Response.json({ ok: true, result: BOT })
        await stub.onTelegram?.(call)
        return Response.json({ ok: true, result: _sentMessage(call.body) })
      }
      if (call.url.origin !== PLANE_ORIGIN) throw new TypeError(`fetch failed: ${call.url.host}`)
      const path = call.url.pathname
      if (path.endsWith('/members/')) return Response.json([MEMBER])
      if (path.endsWith('/projects/')) return Response.json(_page([PROJECT]))
      if (/\/(work-items|issues)\/$/.test(path)) return Response.json(_page(workItems))
      return Response.json(_page([]))
    },
  }
  return stub
}

export function makeWorkItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '00000000-0000-4000-8000-000000001001',
    name: 'Configurer Redis',
    sequence_id: 1,
    priority: 'none',
    project: PROJECT.id,
    workspace: PROJECT.workspace,
    state: {
      id: '00000000-0000-4000-8000-0000000000d5',
      name: 'Done',
      group: 'completed',
      color: '#16A34A',
    },
    labels: [],
    assignees: [MEMBER.id],
    created_at: '2026-03-01T10:00:00Z',
    updated_at: new Date().toISOString(),
    created_by: MEMBER.id,
    updated_by: MEMBER.id,
    target_date: null,
    ...overrides,
  }
}

// --- Internal helpers ---

/** Plane's list envelope (plane-api.md §4), one page. */
function _page(results: unknown[]) {
  return {
    grouped_by: null,
    sub_grouped_by: null,
    total_count: results.length,
    next_cursor: '100:1:0',
    prev_cursor: '100:-1:1',
    next_page_results: false,
    prev_page_results: false,
    count: results.length,
    total_pages: 1,
    total_results: results.length,
    extra_stats: null,
    results,
  }
}

function _sentMessage(body: string) {
  const params = JSON.parse(body || '{}') as { text?: string; chat_id?: string }
  return {
    message_id: 1,
    date: Math.floor(Date.now() / 1000),
    chat: { id: Number(params.chat_id ?? CHAT_ID), type: 'supergroup' },
    text: params.text ?? '',
  }
}
