/**
 * @module systemd/plane-bridge.service (issue 45: the host path had no supervision; the Redis stop relies on a
 * restart): parsed and held against package.json's start and the settings' defaults, and `systemd-analyze verify`ed
 * where systemd-analyze is installed (not run elsewhere, and said so).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../shared/core/config.ts'
import { needMachine, onPath } from '../helpers/machine.ts'

const root = new URL('../../', import.meta.url)
const UNIT = readFileSync(new URL('systemd/plane-bridge.service', root), 'utf8')

/** `[Section]` → key → values (a key may repeat), comments and blank lines left out. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>()
  let current: Map<string, string[]> | null = null
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const section = line.match(/^\[(\w+)\]$/)
    if (section?.[1]) {
      current = new Map()
      sections.set(section[1], current)
      continue
    }
    const at = line.indexOf('=')
    if (!current || at < 1) throw new Error(`not a unit line: ${raw}`)
    const key = line.slice(0, at)
    current.set(key, [...(current.get(key) ?? []), line.slice(at + 1)])
  }
  return sections
}

/** `systemd-analyze verify` on a copy whose node is this one (the unit names /usr/bin/node). */
function verify(text: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-unit-'))
  try {
    const file = join(dir, 'plane-bridge.service')
    writeFileSync(file, text.replace('/usr/bin/node ', `${process.execPath} `))
    const run = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', cwd: dir })
    return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('systemd/plane-bridge.service', () => {
  const unit = parseUnit(UNIT)
  const service = unit.get('Service') ?? new Map<string, string[]>()
  const one = (key: string) => service.get(key)?.[0]

  it('should run what npm start runs, from the checkout, and restart it whenever it stops', () => {
    const start = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts
      .start as string
    // `exec node <flags> dist/runtime/node.js`: the same flags and entry after the node path.
    expect(one('ExecStart')?.replace(/^\S+ /, '')).toBe(start.replace(/^exec node /, ''))
    expect(one('WorkingDirectory')).toBe('/opt/plane-bridge')
    expect(one('Restart')).toBe('always')
    expect(Number(one('RestartSec'))).toBeGreaterThan(0)
    expect(unit.get('Unit')?.get('StartLimitIntervalSec')).toEqual(['0'])
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target'])
  })

  it('should let a stop finish, write only DATA_DIR, and keep to the container’s memory', () => {
    const config = loadConfig({})
    expect(Number(one('TimeoutStopSec')) * 1000).toBeGreaterThan(config.SHUTDOWN_TIMEOUT_MS)
    expect(one('KillSignal')).toBe('SIGTERM')
    expect(one('ProtectSystem')).toBe('strict')
    expect(one('ReadWritePaths')).toBe(
      `${one('WorkingDirectory')}/${config.DATA_DIR.replace(/^\.\//, '')}`
    )
    expect(one('MemoryMax')).toBe('256M')
    expect(one('UMask')).toBe('0077')
  })

  it('should pass systemd-analyze verify, which finds a broken copy', (ctx) => {
    needMachine(
      ctx,
      { what: 'systemd-analyze is not installed', install: 'apt-get install systemd' },
      !onPath('systemd-analyze')
    )
    const good = verify(UNIT)
    expect(good.output).toBe('')
    expect(good.status).toBe(0)
    const broken = verify(UNIT.replace('Restart=always', 'Restart=sometimes'))
    expect(broken.output).toContain('sometimes')
  })
})
