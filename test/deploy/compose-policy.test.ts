/** @module The stack's conventions (seeds HANDOFF-NOTES "REX", INFRA-06) hold in both compose files and the Dockerfile. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

type Service = {
  image?: string
  ports?: unknown[]
  profiles?: string[]
  volumes?: Array<string | { type: string; source: string; read_only?: boolean }>
  read_only?: boolean
  cap_drop?: string[]
  cap_add?: string[]
  security_opt?: string[]
  restart?: string
  networks?: string[] | Record<string, { aliases?: string[] }>
  healthcheck?: { test?: unknown; interval?: string; timeout?: string; retries?: number }
  logging?: { driver?: string; options?: Record<string, string> }
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } }
}
type ComposeFile = {
  name?: string
  services: Record<string, Service>
  networks?: Record<string, { internal?: boolean }>
}

const files = {
  'docker-compose.yml': parse(read('compose/docker-compose.yml'), { merge: true }) as ComposeFile,
  'plane.yml': parse(read('compose/plane.yml'), { merge: true }) as ComposeFile,
}
const services = Object.entries(files).flatMap(([file, compose]) =>
  Object.entries(compose.services).map(([name, service]) => ({ file, name, service }))
)

// Where a healthcheck would cost more than it tells (each one is explained next to the service).
const WITHOUT_HEALTHCHECK = ['plane-worker', 'plane-beat-worker', 'plane-migrator']

/** The image a `${VAR:-default}` reference resolves to when the variable is unset. */
function defaultImage(image: string): string {
  return image.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1')
}

describe('compose files', () => {
  it('should name their projects apart (plane-bridge rolls back without touching Plane)', () => {
    expect(files['docker-compose.yml'].name).toBe('plane-bridge')
    expect(files['plane.yml'].name).toBe('plane')
  })

  it.each(services)('$file $name should rotate json-file logs at 10 MB × 3', ({ service }) => {
    expect(service.logging).toEqual({
      driver: 'json-file',
      options: { 'max-size': '10m', 'max-file': '3' },
    })
  })

  it.each(services)(
    '$file $name should drop every capability and forbid new privileges',
    ({ service }) => {
      expect(service.cap_drop).toEqual(['ALL'])
      expect(service.security_opt).toEqual(['no-new-privileges:true'])
      for (const cap of service.cap_add ?? []) expect(cap).toMatch(/^[A-Z_]+$/)
      expect(service.cap_add ?? []).not.toContain('SYS_ADMIN')
      expect(service.cap_add ?? []).not.toContain('ALL')
    }
  )

  it.each(services)(
    '$file $name should have memory and CPU limits and a restart policy',
    ({ service }) => {
      expect(service.deploy?.resources?.limits?.memory).toMatch(/^\d+M$/)
      expect(service.deploy?.resources?.limits?.cpus).toMatch(/^\d+(\.\d+)?$/)
      expect(service.restart).toMatch(/^(unless-stopped|on-failure)$/)
    }
  )

  it.each(services)('$file $name should pin its image, never latest or stable', ({ service }) => {
    const image = defaultImage(service.image ?? '')
    expect(image).toMatch(/:[A-Za-z0-9._-]+$/)
    expect(image).not.toMatch(/:(latest|stable)$/)
  })

  it.each(services.filter((s) => !WITHOUT_HEALTHCHECK.includes(s.name)))(
    '$file $name should check its health every 30 s, 10 s timeout, 3 retries',
    ({ service }) => {
      expect(service.healthcheck).toMatchObject({ interval: '30s', timeout: '10s', retries: 3 })
    }
  )

  it('should give INFRA-06 its limits', () => {
    const limits = (name: string) =>
      services.find((s) => s.name === name)?.service.deploy?.resources?.limits
    expect(limits('plane-web')).toEqual({ cpus: '0.25', memory: '256M' })
    expect(limits('plane-api')).toEqual({ cpus: '0.5', memory: '384M' })
    expect(limits('plane-worker')).toEqual({ cpus: '0.25', memory: '256M' })
  })

  it("should check Plane's api on GET / (Plane has no /api/health)", () => {
    const test = JSON.stringify(services.find((s) => s.name === 'plane-api')?.service.healthcheck)
    expect(test).toContain("http://127.0.0.1:8000/'")
    expect(test).toContain("['status'] == 'OK'")
    expect(test).not.toContain('/api/health')
  })

  it('should run plane-bridge read-only on the frontend, backend and egress networks', () => {
    const bridge = files['docker-compose.yml'].services['plane-bridge']
    expect(bridge?.read_only).toBe(true)
    expect(Object.keys(bridge?.networks ?? {})).toEqual(['frontend', 'backend', 'egress'])
    // Plane v1.3.1's api and worker post the webhook to this dotted name on egress (a bare name is refused).
    expect(bridge?.networks).toMatchObject({ egress: { aliases: ['plane-bridge.internal'] } })
  })

  describe('the exporters (MONITOR-01/03/04)', () => {
    const plane = files['plane.yml']
    const exporters = Object.entries(plane.services).filter(([name]) =>
      /^plane-(postgres-exporter|redis-exporter|blackbox|cadvisor)$/.test(name)
    )

    it('should be the four the stack needs', () => {
      expect(exporters.map(([name]) => name).sort()).toEqual([
        'plane-blackbox',
        'plane-cadvisor',
        'plane-postgres-exporter',
        'plane-redis-exporter',
      ])
    })

    it.each(exporters)(
      '%s should serve on the internal plane-metrics network only, read-only, no port published',
      (_name, service) => {
        const networks = Array.isArray(service.networks)
          ? service.networks
          : Object.keys(service.networks ?? {})
        expect(networks).toContain('plane-metrics')
        expect(networks).not.toContain('frontend')
        expect(networks).not.toContain('egress')
        expect(service.ports).toBeUndefined()
        expect(service.read_only).toBe(true)
        // Exporters are small: a limit past 128M would mean a mistake, not a need.
        expect(
          Number.parseInt(service.deploy?.resources?.limits?.memory ?? '', 10)
        ).toBeLessThanOrEqual(128)
      }
    )

    it('should keep plane-metrics without a route out, and RabbitMQ on it for its :15692', () => {
      expect(plane.networks?.['plane-metrics']).toEqual({ name: 'plane-metrics', internal: true })
      expect(plane.services['plane-mq']?.networks).toContain('plane-metrics')
    })

    it('should start cAdvisor only when asked (a VPS may run its own)', () => {
      expect(plane.services['plane-cadvisor']?.profiles).toEqual(['cadvisor'])
    })

    it('should probe the api with the module monitoring/blackbox.yml defines', () => {
      const mount = plane.services['plane-blackbox']?.volumes?.[0]
      expect(mount).toMatchObject({ source: '../monitoring/blackbox.yml', read_only: true })
      const modules = (
        parse(read('monitoring/blackbox.yml')) as { modules: Record<string, unknown> }
      ).modules
      expect(Object.keys(modules)).toEqual(['plane_api'])
    })
  })

  it('should pin MinIO to a dated release', () => {
    const minio = files['plane.yml'].services['plane-minio']
    expect(defaultImage(minio?.image ?? '')).toMatch(
      /:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/
    )
  })
})

describe('runtime/Dockerfile', () => {
  const dockerfile = read('runtime/Dockerfile')
  const last = (keyword: string) =>
    [...dockerfile.matchAll(new RegExp(`^${keyword} (.*)$`, 'gm'))].at(-1)?.[1]

  it('should pin Node by exact version on every stage', () => {
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=\d+\.\d+\.\d+$/m)
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])
    expect(froms.length).toBe(3)
    expect(froms.length).toBeGreaterThanOrEqual(2)
    for (const from of froms) expect(from).toMatch(/^node:\$\{NODE_VERSION\}-bookworm-slim$/)
  })

  it('should install production dependencies only and run as the unprivileged user', () => {
    expect(dockerfile).toContain('npm ci --omit=dev')
    expect(last('USER')).toBe('node')
  })

  it('should start node itself on the compiled JavaScript (PID 1 gets SIGTERM; no npm, no tsx)', () => {
    const cmd = JSON.parse(last('CMD') ?? '[]') as string[]
    expect(cmd[0]).toBe('node')
    expect(cmd.at(-1)).toBe('dist/runtime/node.js')
    // Between them only Node's own flags, the same `npm start` runs with.
    const flags = cmd.slice(1, -1)
    expect(flags.every((f) => f.startsWith('--'))).toBe(true)
    const start = (
      JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
        scripts: { start: string }
      }
    ).scripts.start
    expect(start).toBe(`exec ${cmd.join(' ')}`)
    expect(last('STOPSIGNAL')).toBe('SIGTERM')
  })

  it('should check /health every 30 s, 10 s timeout, 3 retries', () => {
    expect(dockerfile).toMatch(
      /HEALTHCHECK --interval=30s --timeout=10s --start-period=\d+s --retries=3/
    )
    expect(dockerfile).toContain('GET /health ')
  })

  it('should compile in a build stage and ship only its dist/ (no TypeScript loader in production)', () => {
    expect(dockerfile).toMatch(/^FROM \S+ AS build$/m)
    expect(dockerfile).toContain('RUN npm run build')
    expect(dockerfile).toContain('COPY --from=build /app/dist ./dist')
    expect(dockerfile).not.toMatch(/tsx/)
  })
})
