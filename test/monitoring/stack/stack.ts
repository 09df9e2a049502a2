/**
 * @module The watched stack on this machine, started for the stack test: Debian's exporters against the shared
 * PostgreSQL (as the pg_monitor role plane-init.sql makes), the shared Redis and RabbitMQ's own plugin, plus the
 * throwaway cluster and redis-server the test fills up, a stand-in for Plane's api, node_exporter, and a real
 * Prometheus loaded with the project's rules and scrape example. Everything it makes is named with a random suffix
 * and removed by stop().
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../helpers/net.ts'
import { SCRAPE_EXAMPLE_FILE, STACK_ALERTS_FILE } from '../promql.ts'
import { run, type Started, startLogged, waitForHttp } from './processes.ts'
import {
  createPrometheusReader,
  type PrometheusReader,
  scaledRules,
  scrapeConfig,
} from './prometheus.ts'
import { startThrowawayPostgres, startThrowawayRedis, type ThrowawayPostgres } from './throwaway.ts'

const INIT_SQL = 'compose/postgres/plane-init.sql'
const BLACKBOX_CONFIG = 'monitoring/blackbox.yml'
/**
 * The machine's shared services (.ci/run makes sure they answer): only read. Redis is the one the suite uses
 * (REDIS_URL, which .ci/run sets), else 6379; the exporter reads its INFO and nothing else.
 */
export const SHARED = {
  postgres: 5432,
  redis: process.env.REDIS_URL ? redisHostPort(process.env.REDIS_URL) : '127.0.0.1:6379',
  rabbitmqMetrics: 15692,
}

function redisHostPort(url: string): string {
  const u = new URL(url)
  return `${u.hostname}:${u.port || '6379'}`
}

/** Stands in for plane-api: GET / → {"status": "OK"}, as plane/web/views.py answers. */
export type PlaneApiStandIn = { port: number; down(): Promise<void>; up(): Promise<void> }

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
}

async function startPlaneApiStandIn(port: number): Promise<PlaneApiStandIn> {
  let server: Server | null = null
  const up = async function planeApiUp() {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status": "OK"}')
    })
    await listen(server, port)
  }
  await up()
  return {
    port,
    up,
    down: async function planeApiDown() {
      const s = server
      server = null
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()).closeAllConnections())
    },
  }
}

export type Stack = {
  prom: PrometheusReader
  /** instance label of each target, as the rules see it. */
  instances: {
    api: string
    pgThrowaway: string
    pgShared: string
    redisThrowaway: string
    node: string
    rabbitmq: string
  }
  api: PlaneApiStandIn
  redisPort: number
  pgThrowaway: ThrowawayPostgres
  suffix: string
  stop(): Promise<void>
}

/** Starts it all; on a failure, what was started is stopped before the error goes up. */
export async function startStack(): Promise<Stack> {
  const suffix = randomBytes(4).toString('hex')
  const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-stack-'))
  const started: Started[] = []
  const cleanups: Array<() => Promise<unknown>> = []
  const stop = async function stopStack() {
    for (const s of started.reverse()) await s.stop()
    for (const c of cleanups.reverse()) await c().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const [apiPort, pgPort, redisPort, ...exporterPorts] = await Promise.all(
      Array.from({ length: 13 }, () => freePort())
    )
    const [
      pgSharedX,
      pgThrowawayX,
      redisSharedX,
      redisThrowawayX,
      blackboxX,
      nodeX,
      promPort,
      caddySite,
      caddyMetrics,
      caddyAdmin,
    ] = exporterPorts as number[]

    // The least-privilege role of plane-init.sql, on the shared server, under names of the test's own.
    const role = `pb_stack_${suffix}`
    const monitorRole = `${role}_monitor`
    const monitorPassword = randomBytes(12).toString('hex')
    const pgEnv = {
      PGHOST: '127.0.0.1',
      PGPORT: String(SHARED.postgres),
      PGUSER: 'postgres',
      PGPASSWORD: undefined,
    }
    cleanups.push(async () => {
      for (const statement of [
        `DROP DATABASE IF EXISTS ${role}`,
        `DROP ROLE IF EXISTS ${monitorRole}`,
        `DROP ROLE IF EXISTS ${role}`,
      ])
        await run('psql', ['-X', '-q', '-d', 'postgres', '-c', statement], { env: pgEnv })
    })
    const init = await run(
      'psql',
      [
        '-X',
        '-d',
        'postgres',
        '-v',
        `plane_role=${role}`,
        '-v',
        `plane_database=${role}`,
        '-v',
        `monitor_role=${monitorRole}`,
        '-f',
        INIT_SQL,
      ],
      {
        env: {
          ...pgEnv,
          PLANE_DB_PASSWORD: randomBytes(12).toString('hex'),
          PLANE_MONITOR_DB_PASSWORD: monitorPassword,
        },
      }
    )
    if (init.code !== 0 || !init.stdout.includes(`monitoring role ${monitorRole} ready`))
      throw new Error(`plane-init.sql with a monitoring role failed: ${init.stderr.trim()}`)

    const pgThrowaway = await startThrowawayPostgres(pgPort as number)
    cleanups.push(() => pgThrowaway.stop())
    const redis = startThrowawayRedis(dir, redisPort as number)
    started.push(redis)
    const api = await startPlaneApiStandIn(apiPort as number)
    cleanups.push(() => api.down())

    const exporter = (
      name: string,
      command: string,
      args: string[],
      env: Record<string, string> = {}
    ) => {
      const s = startLogged({ name, command, args, dir, env })
      started.push(s)
      return s
    }
    const exporters: Array<[Started, number]> = [
      [
        exporter(
          'postgres-exporter-shared',
          'prometheus-postgres-exporter',
          [`--web.listen-address=127.0.0.1:${pgSharedX}`],
          {
            // As compose/plane.yml hands it: separate fields, the password never in a URL or on a command line.
            DATA_SOURCE_URI: `127.0.0.1:${SHARED.postgres}/postgres?sslmode=disable`,
            DATA_SOURCE_USER: monitorRole,
            DATA_SOURCE_PASS: monitorPassword,
          }
        ),
        pgSharedX as number,
      ],
      [
        exporter(
          'postgres-exporter-throwaway',
          'prometheus-postgres-exporter',
          [`--web.listen-address=127.0.0.1:${pgThrowawayX}`],
          {
            DATA_SOURCE_NAME: `postgresql://postgres@127.0.0.1:${pgPort}/postgres?sslmode=disable`,
          }
        ),
        pgThrowawayX as number,
      ],
      [
        exporter('redis-exporter-shared', 'prometheus-redis-exporter', [
          '-web.listen-address',
          `127.0.0.1:${redisSharedX}`,
          '-redis.addr',
          `redis://${SHARED.redis}`,
        ]),
        redisSharedX as number,
      ],
      [
        exporter('redis-exporter-throwaway', 'prometheus-redis-exporter', [
          '-web.listen-address',
          `127.0.0.1:${redisThrowawayX}`,
          '-redis.addr',
          `redis://127.0.0.1:${redisPort}`,
        ]),
        redisThrowawayX as number,
      ],
      [
        exporter('blackbox-exporter', 'prometheus-blackbox-exporter', [
          `--config.file=${BLACKBOX_CONFIG}`,
          `--web.listen-address=127.0.0.1:${blackboxX}`,
        ]),
        blackboxX as number,
      ],
      [
        exporter('node-exporter', 'prometheus-node-exporter', [
          '--collector.disable-defaults',
          '--collector.vmstat',
          `--web.listen-address=127.0.0.1:${nodeX}`,
        ]),
        nodeX as number,
      ],
    ]
    // Caddy as docs/deploy.md sets the VPS's up for the dashboard: `servers { metrics }`, and the metrics handler on
    // a port of its own; one request proxied to the api stand-in, so the request histograms exist.
    const caddyfile = join(dir, 'Caddyfile')
    writeFileSync(
      caddyfile,
      `{\n\tadmin 127.0.0.1:${caddyAdmin}\n\tservers {\n\t\tmetrics\n\t}\n}\n` +
        `http://127.0.0.1:${caddySite} {\n\treverse_proxy 127.0.0.1:${apiPort}\n}\n` +
        `http://127.0.0.1:${caddyMetrics} {\n\tmetrics\n}\n`
    )
    exporters.push([
      exporter('caddy', 'caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
        XDG_DATA_HOME: join(dir, 'caddy-data'),
        XDG_CONFIG_HOME: join(dir, 'caddy-config'),
      }),
      caddyMetrics as number,
    ])
    await Promise.all(
      exporters.map(([s, port]) => waitForHttp(`http://127.0.0.1:${port}/metrics`, s))
    )
    await waitForHttp(`http://127.0.0.1:${caddySite}/`, exporters.at(-1)?.[0] as Started)

    const rules = join(dir, 'stack-alerts.scaled.yml')
    writeFileSync(rules, scaledRules(STACK_ALERTS_FILE))
    const config = join(dir, 'prometheus.yml')
    const at = (port: number | undefined) => `127.0.0.1:${port}`
    writeFileSync(
      config,
      scrapeConfig(SCRAPE_EXAMPLE_FILE, {
        targets: {
          'plane-api': [at(apiPort)],
          postgres: [at(pgSharedX), at(pgThrowawayX)],
          redis: [at(redisSharedX), at(redisThrowawayX)],
          rabbitmq: [at(SHARED.rabbitmqMetrics)],
          node: [at(nodeX)],
          caddy: [at(caddyMetrics)],
        },
        prober: at(blackboxX),
        rules,
      })
    )
    const prometheus = exporter('prometheus', 'prometheus', [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ])
    await waitForHttp(`http://127.0.0.1:${promPort}/-/ready`, prometheus, 30_000)
    return {
      prom: createPrometheusReader(`http://127.0.0.1:${promPort}`),
      instances: {
        api: at(apiPort),
        pgThrowaway: at(pgThrowawayX),
        pgShared: at(pgSharedX),
        redisThrowaway: at(redisThrowawayX),
        node: at(nodeX),
        rabbitmq: at(SHARED.rabbitmqMetrics),
      },
      api,
      redisPort: redisPort as number,
      pgThrowaway,
      suffix,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
