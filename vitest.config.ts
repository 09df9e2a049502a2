import { defineConfig } from 'vitest/config'

// One Node project for now; the Workers project (workerd) joins it in issue 7.
export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'functions/**/*.test.ts',
      'shared/**/*.test.ts',
      'runtime/**/*.test.ts',
    ],
    environment: 'node',
    restoreMocks: true,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
