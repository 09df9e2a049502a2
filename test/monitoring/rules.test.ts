import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { needMachine, onPath } from '../helpers/machine.ts'
import {
  ALERTS_FILE,
  ALERTS_TEST_FILE,
  dashboardExpressions,
  SCRAPE_EXAMPLE_FILE,
  STACK_ALERTS_FILE,
  STACK_ALERTS_TEST_FILE,
} from './promql.ts'

/**
 * promtool ships with Debian's `prometheus` package; .ci/run installs it, and a missing one fails there. On a machine
 * without it these tests are not run, and the run's report says so with the line that installs it (issue 45).
 */
const PROMTOOL = {
  what: 'promtool (Prometheus) is not installed',
  install: 'apt-get install prometheus',
}
const noPromtool = !onPath('promtool')
beforeEach((ctx) => needMachine(ctx, PROMTOOL, noPromtool))

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { encoding: 'utf8' })
  if (run.error)
    throw new Error(`promtool could not run (apt-get install prometheus): ${run.error.message}`)
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

describe.each([
  [ALERTS_FILE, ALERTS_TEST_FILE],
  [STACK_ALERTS_FILE, STACK_ALERTS_TEST_FILE],
])('%s', (rules, tests) => {
  it('should pass promtool check rules', () => {
    const { status, output } = promtool('check', 'rules', rules)
    expect(output).toMatch(/SUCCESS: \d+ rules found/)
    expect(status, output).toBe(0)
  })

  it(`should pass its unit tests (promtool test rules ${tests})`, () => {
    const { status, output } = promtool('test', 'rules', tests)
    expect(status, output).toBe(0)
    expect(output).toContain('SUCCESS')
  })
})

describe('promtool on a broken rule', () => {
  it('should fail promtool on a broken rule (the check is not vacuous)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-rules-'))
    try {
      const file = join(dir, 'broken.yml')
      writeFileSync(
        file,
        stringify({ groups: [{ name: 'x', rules: [{ alert: 'X', expr: 'sum(' }] }] })
      )
      expect(promtool('check', 'rules', file).status).not.toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('monitoring/prometheus.example.yml', () => {
  it('should pass promtool check config, with the two rule files it names beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-scrape-'))
    try {
      copyFileSync(SCRAPE_EXAMPLE_FILE, join(dir, 'prometheus.yml'))
      copyFileSync(ALERTS_FILE, join(dir, 'plane-bridge-alerts.yml'))
      copyFileSync(STACK_ALERTS_FILE, join(dir, 'plane-stack-alerts.yml'))
      const { status, output } = promtool('check', 'config', join(dir, 'prometheus.yml'))
      expect(status, output).toBe(0)
      expect(output).toContain('SUCCESS: 2 rule files found')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('monitoring/grafana-dashboard.json queries', () => {
  it('should all be valid PromQL (checked by promtool as recording rules)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-dashboard-'))
    try {
      const rules = dashboardExpressions().map(({ expr }, i) => ({
        record: `dashboard:query_${i}`,
        // Grafana's variables, as Grafana substitutes them.
        expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'),
      }))
      const file = join(dir, 'dashboard-queries.yml')
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }))
      const { status, output } = promtool('check', 'rules', file)
      expect(status, output).toBe(0)
      expect(output).toContain(`SUCCESS: ${rules.length} rules found`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
