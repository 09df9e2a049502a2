/**
 * Issue 45: an agent's tool call while Redis is down was a 500 `internal_error`, logged as "Command timed out". It is
 * a 503 with Retry-After, naming REDIS_URL to the operator, and the same call succeeds once Redis is back.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createNodeStore } from '../../runtime/node-store.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { STORE_RETRY_AFTER_S } from '../../shared/store/unavailable.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { startE2E } from '../../sim/e2e/harness.ts'
import { dropRedisPrefix, TEST_REDIS_URL } from '../helpers/redis.ts'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>
let t: E2E | null = null
let proxy: TcpProxy | null = null
let prefix: string | null = null
afterEach(async () => {
  await t?.stop().catch(() => undefined)
  await proxy?.close()
  if (prefix) await dropRedisPrefix(prefix)
  t = null
  proxy = null
  prefix = null
})

describe('a tool call while the store is down (issue 45)', () => {
  it('should answer 503 with Retry-After and name REDIS_URL, then work again once Redis is back', async () => {
    const target = new URL(TEST_REDIS_URL)
    proxy = await startTcpProxy(target.hostname, Number(target.port || 6379))
    prefix = `e2e-tooldown-${process.pid}-${Date.now().toString(36)}`
    // The tests' own Redis as the user gave it (credentials, database index, TLS or not), reached through the proxy.
    const through = new URL(TEST_REDIS_URL)
    through.hostname = '127.0.0.1'
    through.port = String(proxy.port)
    const config = loadConfig({ REDIS_URL: through.href, REDIS_KEY_PREFIX: prefix })
    t = await startE2E({ store: (hooks) => createNodeStore(config, hooks) })
    const token = t.bridgeTokens.imhotep as string
    expect((await callHttp(t.app, 'list_my_tasks', token, {})).status).toBe(200)

    await proxy.stop()
    const down = await callHttp(t.app, 'list_my_tasks', token, {})
    expect(down.status).toBe(503)
    expect(down.headers.get('retry-after')).toBe(String(STORE_RETRY_AFTER_S))
    expect(down.body).toMatchObject({
      error: 'store_unavailable',
      retry_after_seconds: STORE_RETRY_AFTER_S,
    })
    expect(String(down.body.message)).toContain('REDIS_URL')
    const logged = t.services.logs.find((l) => l.msg === 'tool failed: the store does not answer')
    expect(logged).toMatchObject({ tool: 'list_my_tasks', agent: 'imhotep', setting: 'REDIS_URL' })
    // Named as the operator wrote it, without its credentials: whatever database index the tests run on.
    const db = target.pathname && target.pathname !== '/' ? target.pathname : '/0'
    expect(String(logged?.error)).toMatch(
      new RegExp(
        `^the store does not answer \\(REDIS_URL: ${target.protocol}//127\\.0\\.0\\.1:${proxy.port}${db}\\): connect ECONNREFUSED`
      )
    )
    expect(t.services.logs.filter((l) => l.msg === 'tool failed')).toEqual([])

    await proxy.start()
    const until = Date.now() + 10_000
    let again = await callHttp(t.app, 'list_my_tasks', token, {})
    while (again.status !== 200 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      again = await callHttp(t.app, 'list_my_tasks', token, {})
    }
    expect(again.status).toBe(200)
  }, 40_000)
})
