/** DESIGN principle 2: functions/ and shared/ import no `node:*` nor Node-only package, and the Worker entry reaches no Node runtime file. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..')
/** Packages that need Node (sockets, files): allowed in runtime/node*.ts and tests only. */
const NODE_ONLY = [
  /^node:/,
  /^(fs|path|os|net|http|https|crypto|stream|child_process|url|util|events|buffer)(\/|$)/,
  /^ioredis$/,
  /^@hono\/node-server/,
  /^unstorage\/drivers\/(redis|fs|fs-lite)$/,
]
/** Packages that would run on Workers but only the Node runtime needs: they stay out of the Worker bundle. */
const NODE_RUNTIME_ONLY = [
  /^croner$/, // the Node scheduler's timers; matching and validation use shared/core/cron.ts (~10 KiB gzip)
]

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : []
  })
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8')
  const specifiers = text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)
  const bare = text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)
  // Loaded on demand (`require('ioredis')`, `import('…')`): still a dependency of the file.
  const lazy = text.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)
  return [...specifiers, ...bare, ...lazy].map((m) => m[1] as string)
}

/** Every project file the Worker entry reaches through relative imports. */
function reachableFrom(entry: string): Set<string> {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const specifier of importsOf(file)) {
      if (!specifier.startsWith('.')) continue
      const target = relative(root, resolve(root, dirname(file), specifier))
      if (existsSync(join(root, target))) visit(target)
    }
  }
  visit(entry)
  return seen
}

describe('portability', () => {
  it('should keep functions/ and shared/ free of node:* and Node-only packages', () => {
    const offending = [...sourceFiles('functions'), ...sourceFiles('shared')].flatMap((file) =>
      importsOf(file)
        .filter((s) => NODE_ONLY.some((p) => p.test(s)))
        .map((s) => `${file}: ${s}`)
    )
    expect(offending).toEqual([])
  })

  it('should see the imports it checks (a scanner that finds nothing proves nothing)', () => {
    expect(importsOf('runtime/node-store.ts')).toEqual(
      expect.arrayContaining(['node:path', 'ioredis'])
    )
    expect(sourceFiles('shared').length).toBeGreaterThan(20)
  })

  it('should keep the Worker entry away from the Node runtime files', () => {
    const reached = [...reachableFrom('runtime/worker.ts')]
    expect(reached).toContain('functions/served.ts')
    expect(reached.filter((f) => /^runtime\/node/.test(f))).toEqual([])
    const nodeOnly = reached.flatMap((file) =>
      importsOf(file)
        .filter((s) => NODE_ONLY.some((p) => p.test(s)))
        .map((s) => `${file}: ${s}`)
    )
    expect(nodeOnly).toEqual([])
  })

  it('should keep what only the Node runtime needs out of the Worker bundle', () => {
    const reached = [...reachableFrom('runtime/worker.ts')]
    const heavy = reached.flatMap((file) =>
      importsOf(file)
        .filter((s) => NODE_RUNTIME_ONLY.some((p) => p.test(s)))
        .map((s) => `${file}: ${s}`)
    )
    expect(heavy).toEqual([])
    expect(importsOf('runtime/node-scheduler.ts')).toContain('croner')
    // The one-off jobs run from the Node CLI only (functions/index.ts adds them to functions/served.ts).
    const jobs = [
      'functions/provision/provision.ts',
      'functions/tools/agent-token.ts',
      'functions/notify/dead-letters.ts',
      'functions/ops/check.ts',
    ]
    expect(reached.filter((f) => jobs.includes(f) || f === 'functions/index.ts')).toEqual([])
    expect([...reachableFrom('runtime/node.ts')]).toEqual(expect.arrayContaining(jobs))
  })
})
