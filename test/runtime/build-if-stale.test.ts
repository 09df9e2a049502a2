import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script (it runs before anything is compiled), typed by its use here.
import { buildIsCurrent } from '../../scripts/build-if-stale.mjs'

const root = new URL('../..', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-build-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const at = (path: string, seconds: number) => {
  const when = new Date(1_800_000_000_000 + seconds * 1000)
  utimesSync(join(dir, path), when, when)
}

describe('build-if-stale (issue 36: no rebuild before each job when dist/ is current)', () => {
  it('should run before npm start and every npm run job, instead of a full tsc', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>
      }
    ).scripts
    expect(scripts.prejob).toBe('node scripts/build-if-stale.mjs')
    expect(scripts.prestart).toBe('node scripts/build-if-stale.mjs')
  })

  it('should call the build current only when no compiled source or config is newer than its stamp', () => {
    for (const sub of ['functions/ops', 'shared', 'runtime', 'dist'])
      mkdirSync(join(dir, sub), { recursive: true })
    const files = [
      'functions/ops/check.ts',
      'shared/observe/log.ts',
      'shared/observe/log.test.ts',
      'runtime/node.ts',
      'tsconfig.json',
      'tsconfig.build.json',
      'package.json',
    ]
    for (const file of files) {
      writeFileSync(join(dir, file), '')
      at(file, 0)
    }
    expect(buildIsCurrent(dir)).toBe(false) // never built
    writeFileSync(join(dir, 'dist/.build-stamp'), '')
    at('dist/.build-stamp', 10)
    expect(buildIsCurrent(dir)).toBe(true)
    // A test file is not compiled into dist/: editing one needs no build.
    at('shared/observe/log.test.ts', 20)
    expect(buildIsCurrent(dir)).toBe(true)
    at('functions/ops/check.ts', 20)
    expect(buildIsCurrent(dir)).toBe(false)
    at('functions/ops/check.ts', 0)
    at('tsconfig.build.json', 20)
    expect(buildIsCurrent(dir)).toBe(false)
  })
})
