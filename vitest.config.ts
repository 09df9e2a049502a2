import { availableParallelism } from 'node:os'
import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'
import LongFilesFirst from './test/reporters/sequencer.ts'
import { WORKER_TEST_BINDINGS } from './test/workers/bindings.ts'

// Two projects: `node` (everything on Node, the Node runtime) and `workers` (the real functions on workerd,
// through runtime/worker.ts and wrangler.jsonc, with a local KV namespace).
//
// Files run in parallel, two per core (at least four): a file waits on loopback HTTP, Redis and child
// processes, and the others use the CPU meanwhile (issue 29 measured 2 min of CPU in an 11 min serial run).
// The suite has since grown CPU-bound: on two cores, four workers keep both ~84 % busy (720 s of CPU with
// the children, 90 s more in Redis, 477 s of wall time; bench/README.md, 2026-11-29), and six took longer
// (499 s at 93 %). Three per core also made the real OpenClaw CLI and the built server, started as child
// processes, miss their timeouts on a fresh clone. Every file listens on port 0, keeps its Redis keys under
// its own throwaway prefix and its files in its own temporary directory, so none has to run alone.
// TEST_WORKERS overrides.
const workers = Number(process.env.TEST_WORKERS) || Math.max(4, availableParallelism() * 2)
// The Node projects reuse a worker's modules from one file to the next (`isolate: false`): loading the bridge's
// module graph again for each of 150 files was 155 s of the suite's CPU (82 s now), on two cores. It is safe here
// because every test builds its own runtime (runtime/: the composition root), module-level state is keyed by
// those objects (WeakMaps) or reset by the tests that use it (resetKeyBudgets), and no test mocks a module or
// stubs a global. A test that needs a fresh module graph must say so with its own project.
// The Node projects' Redis (issue 40): the one at REDIS_URL when it answers, else a throwaway redis-server for
// the run, else one line saying how to get one (test/setup/redis.ts). Not on the `workers` project: workerd
// uses no Redis, and a root-level globalSetup would reach it through `extends`.
const nodeGlobalSetup = ['./test/setup/redis.ts']

export default defineConfig({
  test: {
    maxWorkers: workers,
    reporters: ['default', './test/reporters/timing.ts'],
    setupFiles: ['./test/reporters/count-assertions.ts'],
    // The long files first, on a fresh clone too (test/reporters/sequencer.ts).
    sequence: { sequencer: LongFilesFirst },
    restoreMocks: true,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          setupFiles: ['./test/setup/bridge-log.ts'],
          isolate: false,
          globalSetup: nodeGlobalSetup,
          include: [
            'test/**/*.test.ts',
            'functions/**/*.test.ts',
            'shared/**/*.test.ts',
            'runtime/**/*.test.ts',
            'sim/**/*.test.ts',
          ],
          exclude: ['test/workers/**', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        // The e2e suites again on Plane v1.3 (API writes fire webhooks, relations in the API): the harness's
        // default version (sim/e2e/harness.ts); tests that name a version keep it.
        extends: true,
        test: {
          name: 'e2e-plane-1.3',
          setupFiles: ['./test/setup/bridge-log.ts'],
          isolate: false,
          globalSetup: nodeGlobalSetup,
          include: ['test/e2e/**/*.test.ts'],
          exclude: ['test/e2e/echoes.test.ts', 'test/e2e/webhook-target.test.ts'],
          environment: 'node',
          env: { PLANE_SIM_VERSION: '1.3' },
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
