import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'
import { WORKER_TEST_BINDINGS } from './test/workers/bindings.ts'

// Two projects: `node` (everything on Node, the Node runtime) and `workers` (the real functions on workerd,
// through runtime/worker.ts and wrangler.jsonc, with a local KV namespace).
export default defineConfig({
  test: {
    restoreMocks: true,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'test/**/*.test.ts',
            'functions/**/*.test.ts',
            'shared/**/*.test.ts',
            'runtime/**/*.test.ts',
          ],
          exclude: ['test/workers/**', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.jsonc' },
            miniflare: { bindings: WORKER_TEST_BINDINGS, kvNamespaces: ['STORE'] },
          }),
        ],
        // As wrangler.jsonc's `alias`, so the tests run the Worker that deploys.
        resolve: {
          alias: {
            '@modelcontextprotocol/server/_shims': new URL(
              './runtime/worker-mcp-shims.ts',
              import.meta.url
            ).pathname,
          },
        },
        test: { name: 'workers', include: ['test/workers/**/*.test.ts'] },
      },
    ],
  },
})
