import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { createApp } from '../../runtime/app.ts'
import { createNodeStore, StoreUnreachableError, waitForStore } from '../../runtime/node-store.ts'
import { loadConfig } from '../../shared/core/config.ts'
import { makeServices } from '../../sim/e2e/services.ts'
import { CLOSED_PORT } from '../helpers/net.ts'

const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-node-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('node store (issue 36: refuse what cannot work, say where)', () => {
  it('should name REDIS_URL, where it tried and why when Redis does not answer', async () => {
    const port = CLOSED_PORT
    const store = createNodeStore(
      loadConfig({ STORE_DRIVER: 'redis', REDIS_URL: `redis://:s3cret@127.0.0.1:${port}/4` })
    )
    try {
      const failure = await waitForStore(store, { waitMs: 600, retryEveryMs: 200 }).then(
        () => null,
        (error: unknown) => error
      )
      expect(failure).toBeInstanceOf(StoreUnreachableError)
      const message = (failure as Error).message
      expect(message).toMatch(
        new RegExp(
          `^REDIS_URL: no Redis answered within 1 s at redis://127\\.0\\.0\\.1:${port}/4 \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\): start Redis there or fix REDIS_URL`
        )
      )
      expect(message).not.toContain('max retries')
      expect(message).not.toContain('s3cret')
    } finally {
      await store.dispose()
    }
  })

  it('should answer /ready 503 with that text, not the driver own', async () => {
    const port = CLOSED_PORT
    const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}/0` })
    const services = makeServices({
      functions,
      env: { REDIS_URL: `redis://127.0.0.1:${port}/0` },
      store: createNodeStore(config),
    })
    try {
      const response = await createApp({ functions, root: services.root }).request('/ready')
      expect(response.status).toBe(503)
      const body = (await response.json()) as { store: { ok: boolean; error: string } }
      expect(body.store.ok).toBe(false)
      expect(body.store.error).toContain(
        `REDIS_URL: no Redis answered at redis://127.0.0.1:${port}/0`
      )
    } finally {
      await services.store.dispose()
    }
  })

  it('should name STORE_DRIVER and REDIS_URL when the driver is redis and no URL is set', () => {
    expect(() => createNodeStore(loadConfig({ STORE_DRIVER: 'redis' }))).toThrow(
      /^STORE_DRIVER=redis needs REDIS_URL: set it/
    )
  })

  it('should name DATA_DIR when the file store cannot open its directory', () => {
    // A file where the directory should be: it cannot be created, whoever runs the test.
    const blocked = join(dir, 'not-a-dir')
    writeFileSync(blocked, 'x')
    expect(() => createNodeStore(loadConfig({ DATA_DIR: join(blocked, 'data') }))).toThrow(
      /^DATA_DIR: the file store cannot open .*not-a-dir\/data .*: make that directory writable/
    )
  })
})
