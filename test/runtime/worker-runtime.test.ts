/** The Workers runtime's set-up, on Node: settings from bindings, AGENTS_JSON, store selection, bad settings answered 500. */
import { describe, expect, it, vi } from 'vitest'
import { functions } from '../../functions/index.ts'
import { servedFunctions } from '../../functions/served.ts'
import worker from '../../runtime/worker.ts'
import { createWorkerRuntime, settingsOf } from '../../runtime/worker-runtime.ts'
import { createWorkerStore } from '../../runtime/worker-store.ts'
import { loadConfig } from '../../shared/core/config.ts'

const ctx = { waitUntil: () => undefined }
const AGENTS_JSON = JSON.stringify({
  agents: [
    { id: 'thot', name: 'Thot', role: 'member', planeUser: 'thot@x.io', openclawAgentId: 'thot' },
  ],
})

describe('worker runtime', () => {
  it('should serve every route and cron of the registry, and leave out only the one-off jobs', () => {
    const runtime = createWorkerRuntime({ STORE_DRIVER: 'memory', LOG_LEVEL: 'error' })
    expect(runtime.functions).toBe(servedFunctions)
    expect(servedFunctions).toEqual(functions.filter((fn) => fn.kind !== 'job'))
    expect(functions.filter((fn) => fn.kind === 'job').map((fn) => fn.name)).toEqual([
      'bootstrap',
      'provision',
      'agent-token',
      'openclaw-config',
      'dead-letters',
      'check',
    ])
  })

  it('should read only the string bindings as settings', () => {
    expect(settingsOf({ STORE: { get: vi.fn() } as never, LOCALE: 'en', N: 3 })).toEqual({
      LOCALE: 'en',
    })
  })

  it('should load the agents from AGENTS_JSON and refuse AGENTS_FILE alone', () => {
    const runtime = createWorkerRuntime({ STORE_DRIVER: 'memory', AGENTS_JSON })
    expect(runtime.services.agents.map((a) => a.id)).toEqual(['thot'])
    expect(() => createWorkerRuntime({ STORE_DRIVER: 'memory', AGENTS_FILE: '/x.json' })).toThrow(
      /AGENTS_JSON/
    )
  })

  it('should pick Redis over HTTP when REDIS_REST_URL is set, and insist on its token', () => {
    const config = loadConfig({
      REDIS_REST_URL: 'https://eu1-example.upstash.io',
      REDIS_REST_TOKEN: 'rest-token-0123456789abcdef',
    })
    const store = createWorkerStore(config, { kv: undefined })
    expect(store.driver).toBe('redis-http')
    expect(store.location).toBe('https://eu1-example.upstash.io')
    expect(() =>
      createWorkerStore(loadConfig({ REDIS_REST_URL: 'https://eu1-example.upstash.io' }), {
        kv: undefined,
      })
    ).toThrow(/REDIS_REST_TOKEN/)
    expect(() => createWorkerStore(loadConfig({}), { kv: undefined })).toThrow(/STORE/)
    expect(() => createWorkerStore(loadConfig({ STORE_DRIVER: 'fs' }), { kv: undefined })).toThrow(
      /file system/
    )
  })

  it('should answer 500 for bad settings and log why without the secret', async () => {
    const errors: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: string) => errors.push(line))
    const res = await worker.fetch(
      new Request('https://bridge.test/health'),
      {
        STORE_DRIVER: 'memory',
        PLANE_API_KEY: 'plane_api_secret',
        TELEGRAM_BOT_TOKEN: 'nope-secret',
      },
      ctx
    )
    expect(res.status).toBe(500)
    expect(await res.json()).toMatchObject({ error: 'misconfigured' })
    expect(errors.join('\n')).toContain('TELEGRAM_BOT_TOKEN')
    expect(errors.join('\n')).not.toContain('nope-secret')
  })

  it('should serve the registry with the memory store', async () => {
    const res = await worker.fetch(
      new Request('https://bridge.test/health'),
      { STORE_DRIVER: 'memory', LOG_LEVEL: 'error' },
      ctx
    )
    expect(res.status).toBe(200)
  })
})
