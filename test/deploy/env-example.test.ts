/** @module The deployment's settings files agree with shared/core/settings.ts, with the compose files and with each other. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { CONFIG_KEYS, loadConfig, SECRET_KEYS } from '../../shared/core/config.ts'
import { TEMPLATE_EXAMPLES, templateExamplesIn } from '../../shared/core/template-examples.ts'

const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

type EnvLine = {
  key: string
  value: string
  commented: boolean
  section: string
  /** The comment paragraph above the line (shared by consecutive settings). */
  doc: string
}

/** `KEY=value` and `# KEY=value` lines, each with the `# @section NAME` it sits under and its comment. */
function parseEnvExample(text: string): EnvLine[] {
  const lines: EnvLine[] = []
  let section = '(none)'
  let doc = ''
  let afterSetting = false
  for (const raw of text.split('\n')) {
    const sectionMatch = raw.match(/^# @section ([a-z-]+)/)
    const match = raw.match(/^(# )?([A-Z][A-Z0-9_]*)=(.*)$/)
    if (sectionMatch?.[1]) {
      section = sectionMatch[1]
      doc = ''
    } else if (match?.[2]) {
      const commented = match[1] !== undefined
      lines.push({ key: match[2], value: match[3] ?? '', commented, section, doc })
    } else if (raw.startsWith('#')) doc = `${afterSetting ? '' : doc}${raw.slice(1).trim()} `
    else if (raw.trim() === '') doc = ''
    afterSetting = match?.[2] !== undefined
  }
  return lines
}

/** Variable names a compose file interpolates (`${VAR}`, `${VAR:-x}`, `${VAR:?x}`); `$${…}` is escaped. */
function interpolatedNames(text: string): Set<string> {
  const names = new Set<string>()
  for (const match of text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (match[1]) names.add(match[1])
  }
  return names
}

type ComposeService = {
  environment?: Record<string, string>
  env_file?: Array<{ path: string; required?: boolean }>
  stop_grace_period?: string
}
type ComposeFile = { services: Record<string, ComposeService> }

const envExample = parseEnvExample(read('compose/.env.example'))
const planeEnvExample = parseEnvExample(read('compose/plane.env.example'))
const composeText = read('compose/docker-compose.yml')
const compose = parse(composeText, { merge: true }) as ComposeFile
const planeText = read('compose/plane.yml')
const bridge = compose.services['plane-bridge']
const appLines = envExample.filter((l) => l.section === 'app')
const keysIn = (lines: EnvLine[]) => lines.map((l) => l.key)

function section(name: string): EnvLine[] {
  return envExample.filter((l) => l.section === name)
}

function redisDbIndex(url: string): { host: string; db: string } {
  const u = new URL(url)
  return { host: `${u.hostname}:${u.port || '6379'}`, db: u.pathname.replace(/^\//, '') || '0' }
}

describe('compose/.env.example', () => {
  it('should list every setting of shared/core/settings.ts, each once', () => {
    const keys = keysIn(appLines)
    expect([...keys].sort()).toEqual([...CONFIG_KEYS].sort())
  })

  it('should hold only the sections app, agent-tokens and compose', () => {
    expect([...new Set(envExample.map((l) => l.section))]).toEqual([
      'app',
      'agent-tokens',
      'compose',
    ])
  })

  it('should leave every secret empty, so no real one is ever committed', () => {
    for (const line of appLines.filter((l) => (SECRET_KEYS as string[]).includes(l.key))) {
      if (line.key === 'REDIS_URL') {
        // An address without a password is no secret; the comment shows where the password goes.
        expect(new URL(line.value).password, 'REDIS_URL example must carry no password').toBe('')
        continue
      }
      expect(line.value, `${line.key} must be empty in the example`).toBe('')
    }
    for (const line of section('agent-tokens')) expect(line.value, line.key).toBe('')
  })

  it('should be a valid configuration as it stands', () => {
    const env = Object.fromEntries(
      appLines.filter((l) => !l.commented).map((l) => [l.key, l.value])
    )
    const config = loadConfig(env)
    expect(config.STORE_DRIVER).toBe('redis')
    expect(config.REDIS_KEY_PREFIX).toBe('plane')
  })

  it('should name exactly the agent tokens agents.example.json refers to', () => {
    const registry = JSON.parse(read('agents.example.json')) as {
      agents: Array<{ planeTokenEnv?: string }>
    }
    const referenced = registry.agents.flatMap((a) => (a.planeTokenEnv ? [a.planeTokenEnv] : []))
    expect(keysIn(section('agent-tokens')).sort()).toEqual([...referenced].sort())
  })

  it('should declare exactly the variables docker-compose.yml interpolates, none of them a setting', () => {
    const composeKeys = keysIn(section('compose'))
    expect(composeKeys.sort()).toEqual([...interpolatedNames(composeText)].sort())
    for (const key of composeKeys) expect(CONFIG_KEYS as string[]).not.toContain(key)
  })

  it('should be what docker-compose.yml hands the container', () => {
    expect(bridge?.env_file).toEqual([{ path: '.env', required: true }])
  })

  it('should keep commented out the settings docker-compose.yml fixes', () => {
    const fixed = Object.keys(bridge?.environment ?? {})
    expect(fixed.sort()).toEqual(['BOOTSTRAP_SECRETS_FILE', 'DATA_DIR', 'PORT'])
    for (const key of fixed) {
      const line = appLines.find((l) => l.key === key)
      expect(line?.commented, `${key} is fixed by docker-compose.yml`).toBe(true)
    }
    expect(bridge?.environment?.PORT).toBe('8787')
  })

  it('should let a shutdown finish before Docker sends SIGKILL', () => {
    const graceMs = Number.parseInt(bridge?.stop_grace_period ?? '10s', 10) * 1000
    const exampleLine = appLines.find((l) => l.key === 'SHUTDOWN_TIMEOUT_MS')
    const timeoutMs = loadConfig(
      exampleLine && !exampleLine.commented ? { SHUTDOWN_TIMEOUT_MS: exampleLine.value } : {}
    ).SHUTDOWN_TIMEOUT_MS
    // The store's dispose and process exit follow the drain: keep 2 s for them.
    expect(timeoutMs + 2000).toBeLessThanOrEqual(graceMs)
  })
})

describe('.env.example (npm start on a host, issue 36)', () => {
  const host = parseEnvExample(read('.env.example'))
  const hostApp = host.filter((l) => l.section === 'app')

  it('should list every setting of shared/core/settings.ts, each once, like the compose one', () => {
    expect([...keysIn(hostApp)].sort()).toEqual([...CONFIG_KEYS].sort())
    expect(keysIn(host.filter((l) => l.section === 'agent-tokens')).sort()).toEqual(
      keysIn(section('agent-tokens')).sort()
    )
    expect([...new Set(host.map((l) => l.section))]).toEqual(['app', 'agent-tokens'])
  })

  it('should leave every secret empty', () => {
    for (const line of host.filter((l) => (SECRET_KEYS as string[]).includes(l.key)))
      if (!line.commented) expect(line.value, `${line.key} must be empty`).toBe('')
    for (const line of host.filter((l) => l.section === 'agent-tokens')) expect(line.value).toBe('')
  })

  it('should be a valid configuration that runs with nothing else installed: the file store, on this machine', () => {
    const env = Object.fromEntries(host.filter((l) => !l.commented).map((l) => [l.key, l.value]))
    const config = loadConfig(env)
    expect(config.REDIS_URL).toBeUndefined()
    expect(config.STORE_DRIVER).toBe('auto')
    expect(config.DATA_DIR).toBe('./data')
    expect(config.HOST).toBe('127.0.0.1')
    expect(config.AGENTS_FILE).toBe('./agents.json')
  })

  it('should be named in the README, next to the compose one', () => {
    const readme = read('README.md')
    expect(readme).toContain('cp .env.example .env')
    expect(readme).toContain('compose/.env.example')
  })
})

describe('compose/plane.env.example', () => {
  const keys = keysIn(planeEnvExample)

  it('should declare exactly the variables plane.yml interpolates', () => {
    expect([...keys].sort()).toEqual([...interpolatedNames(planeText)].sort())
  })

  it("should hold none of plane-bridge's settings (each stack gets only its own secrets)", () => {
    for (const key of keys) expect(CONFIG_KEYS as string[]).not.toContain(key)
  })

  it('should leave every secret empty and have plane.yml refuse to start without it', () => {
    const required = new Set([...planeText.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]))
    const secrets = planeEnvExample.filter((l) => l.doc.includes('Secret.'))
    expect(secrets.map((l) => l.key).sort()).toEqual([
      'PLANE_DB_PASSWORD',
      'PLANE_LIVE_SECRET_KEY',
      'PLANE_MONITOR_DB_PASSWORD',
      'PLANE_MQ_PASSWORD',
      'PLANE_S3_ACCESS_KEY',
      'PLANE_S3_SECRET_KEY',
      'PLANE_SECRET_KEY',
    ])
    for (const line of secrets) {
      expect(line.value, `${line.key} must be empty in the example`).toBe('')
      expect(required.has(line.key), `plane.yml must write \${${line.key}:?…}`).toBe(true)
    }
    // The only other empty values are optional: v1.3.1's webhook allowlists; MinIO needs no S3 region.
    const empty = planeEnvExample.filter((l) => l.value === '' && !l.doc.includes('Secret.'))
    expect(empty.map((l) => l.key)).toEqual([
      'PLANE_WEBHOOK_ALLOWED_HOSTS',
      'PLANE_WEBHOOK_ALLOWED_IPS',
      'PLANE_S3_REGION',
    ])
  })

  it('should put Plane on a Redis DB index of its own: Plane FLUSHDBs it at every start', () => {
    const plane = redisDbIndex(
      planeEnvExample.find((l) => l.key === 'PLANE_REDIS_URL')?.value ?? ''
    )
    const own = redisDbIndex(appLines.find((l) => l.key === 'REDIS_URL')?.value ?? '')
    expect(plane.host).toBe(own.host)
    expect(plane.db).not.toBe(own.db)
  })

  it('should name one Plane version for every Plane image, v1.2.2 by default', () => {
    expect(planeEnvExample.find((l) => l.key === 'PLANE_VERSION')?.value).toBe('v1.2.2')
    const images = [...planeText.matchAll(/image: (\S+)/g)].map((m) => m[1] ?? '')
    const planeImages = images.filter((i) => i.includes('/plane-'))
    expect(planeImages.length).toBe(8)
    for (const image of planeImages) {
      expect(image).toMatch(
        /^\$\{PLANE_REGISTRY:-artifacts\.plane\.so\/makeplane\}\/plane-[a-z]+:\$\{PLANE_VERSION:-v1\.2\.2\}$/
      )
    }
  })
})

describe('caddy/Caddyfile', () => {
  it('should document every variable it reads in docs/deploy.md', () => {
    const caddyfile = read('caddy/Caddyfile')
    const names = new Set([...caddyfile.matchAll(/\{\$([A-Z0-9_]+)/g)].map((m) => m[1]))
    expect(names.size).toBeGreaterThan(5)
    const doc = read('docs/deploy.md').split(/^# Deploy$/m)[1] ?? ''
    for (const name of names) expect(doc, `${name} in docs/deploy.md`).toContain(`\`${name}\``)
  })

  it('should proxy to services the compose files define', () => {
    const caddyfile = read('caddy/Caddyfile')
    const plane = parse(planeText, { merge: true }) as ComposeFile
    const defined = [...Object.keys(compose.services), ...Object.keys(plane.services)]
    const hosts = [...caddyfile.matchAll(/\{\$PLANE_[A-Z_]*UPSTREAM:([a-z0-9-]+):\d+\}/g)].map(
      (m) => m[1]
    )
    expect(new Set(hosts).size).toBe(7)
    for (const host of hosts) expect(defined).toContain(host)
  })

  it("should send plane-bridge's traffic to the port the container listens on", () => {
    const caddyfile = read('caddy/Caddyfile')
    const upstreams = [...caddyfile.matchAll(/\{\$PLANE_BRIDGE_UPSTREAM:([^}]+)\}/g)].map(
      (m) => m[1]
    )
    expect(new Set(upstreams)).toEqual(new Set([`plane-bridge:${bridge?.environment?.PORT}`]))
  })
})

describe('the templates, for any operator’s domain (issue 45)', () => {
  const templates = [
    '.env.example',
    'compose/.env.example',
    'compose/plane.env.example',
    'compose/plane.yml',
    'compose/docker-compose.yml',
    'caddy/Caddyfile',
    'agents.example.json',
  ]

  it("should carry no one's deployment: names on example.com, a placeholder slug", () => {
    for (const file of templates) {
      const text = read(file)
      for (const own of ['ewutelo', 'javisi'])
        expect(text, `${file} names ${own}`).not.toContain(own)
    }
    for (const host of readCaddyHosts()) expect(host).toMatch(/\.example\.com$/)
  })

  it("should keep docs/deploy.md to example.com, the seeds' deployment only in a marked example", () => {
    const text = read('docs/deploy.md')
    const uses = [...text.matchAll(/ewutelo|javisi/g)].map((m) => m.index ?? 0)
    expect(uses.length).toBeGreaterThan(0)
    for (const at of uses)
      expect(text.slice(Math.max(0, at - 300), at), `deploy.md at ${at}`).toContain(
        "*Example (the seeds' VPS)"
      )
    expect(text).toContain('hooks.example.com/webhooks/plane')
  })

  it('should hold exactly the placeholders start and check warn about, each flagged as one', () => {
    for (const file of ['.env.example', 'compose/.env.example']) {
      const lines = parseEnvExample(read(file)).filter((l) => l.section === 'app' && !l.commented)
      const env = Object.fromEntries(lines.map((l) => [l.key, l.value]))
      for (const [key, example] of Object.entries(TEMPLATE_EXAMPLES))
        expect(env[key], `${file} ${key}`).toBe(example)
      const flagged = templateExamplesIn(loadConfig(env)).map((f) => f.setting)
      expect(flagged.sort(), file).toEqual(Object.keys(TEMPLATE_EXAMPLES).sort())
      // An operator's own values are not flagged.
      expect(
        templateExamplesIn(
          loadConfig({
            ...env,
            PUBLIC_URL: 'https://hooks.acme.fr',
            PLANE_BASE_URL: 'https://plane.acme.fr',
            PLANE_WORKSPACE_SLUG: 'acme',
          })
        )
      ).toEqual([])
    }
  })
})

/** The default site addresses of the Caddyfile (`{$VAR:default}`). */
function readCaddyHosts(): string[] {
  return [...read('caddy/Caddyfile').matchAll(/^\{\$[A-Z_]+:([^}]+)\}/gm)].map((m) => m[1] ?? '')
}

describe('the settings templates point at files that exist', () => {
  it.each(['.env.example', 'compose/.env.example'])(
    'should name only source files of this repository in %s',
    (file) => {
      const cited = [
        ...read(file).matchAll(
          /\b((?:shared|runtime|functions|test|docs)\/[\w./-]+\.(?:ts|md))\b/g
        ),
      ].map((m) => m[1] as string)
      expect(cited.length).toBeGreaterThan(0)
      const missing = cited.filter((path) => {
        try {
          read(path)
          return false
        } catch {
          return true
        }
      })
      expect(missing).toEqual([])
    }
  )
})
