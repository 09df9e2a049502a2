/**
 * Issue 30: the house's structure held by a test — no circles, no import back up the layers, one composition root.
 * Issue 40: no product code (scripts and simulators included) imports the tests, and no product file passes 300 lines.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  countLines,
  filesMatching,
  findCircles,
  findImportsInto,
  findLongFiles,
  findUpwardImports,
  groupGraph,
  type ImportGraph,
  LAYERS,
  layerOf,
  PRODUCT_DIRS,
  readImportGraph,
} from './imports.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const graph = readImportGraph(ROOT, ['shared', 'functions', 'runtime'])

describe('the import graph', () => {
  it('should read every product module and the imports it makes', () => {
    expect(graph.size).toBeGreaterThan(150)
    // A type-only import counts: it ties the modules as much as a value import.
    expect(graph.get('shared/pipeline/pipeline.ts')).toContain('shared/runs/tracker.ts')
    expect(graph.get('runtime/root.ts')).toContain('runtime/parts.ts')
  })

  it('should place every module in a layer', () => {
    expect([...graph.keys()].filter((file) => layerOf(file) === null)).toEqual([])
  })

  it('should have no circle', () => {
    expect(findCircles(graph)).toEqual([])
  })

  it('should have no circle between folders either (notify, runs, actions and index below the pipeline)', () => {
    // A folder of shared/ or functions/ (or a top-level file), and runtime/ as one.
    const folderOf = (file: string) =>
      file.startsWith('runtime/') ? 'runtime' : file.split('/').slice(0, 2).join('/')
    const folders = groupGraph(graph, folderOf)
    expect(folders.size).toBeGreaterThan(30)
    expect(findCircles(folders)).toEqual([])
  })

  it('should have no import that runs back up the layers', () => {
    expect(findUpwardImports(graph)).toEqual([])
  })

  it('should keep the composition root to itself: nothing outside runtime/ imports it', () => {
    const intoRuntime = [...graph].flatMap(([from, targets]) =>
      from.startsWith('runtime/') ? [] : targets.filter((t) => t.startsWith('runtime/'))
    )
    expect(intoRuntime).toEqual([])
  })

  it('should give the parts no way to look each other up: shared/core/parts.ts holds interfaces only', () => {
    const source = readFileSync(join(ROOT, 'shared/core/parts.ts'), 'utf8')
    const imports = source.match(/^import .*$/gm) ?? []
    expect(imports.length).toBeGreaterThan(0)
    // Types only: a value import or an exported function would mean the contract builds or finds parts again.
    expect(imports.filter((line) => !line.startsWith('import type '))).toEqual([])
    expect(source).not.toMatch(/^export (async )?function|^export const|WeakMap/m)
  })
})

describe('rooms (issue 48)', () => {
  // Every module of the repository, tests' helpers and benches included (a test file is a leaf: nothing imports it).
  const everything = readImportGraph(ROOT, [...PRODUCT_DIRS, 'test', 'bench'])
  /** A file's room: the folder under its top folder (`shared/plane`, `sim/plane`, `test/helpers`), else the top one. */
  const roomOf = (file: string) => {
    const parts = file.split('/')
    return parts.length <= 2 ? (parts[0] ?? file) : parts.slice(0, 2).join('/')
  }

  it('should have no circle among files anywhere in the repository, sim/, scripts/, test/ and bench/ included', () => {
    expect(everything.size).toBeGreaterThan(400)
    expect(findCircles(everything)).toEqual([])
  })

  it('should have no circle among rooms anywhere in the repository', () => {
    const rooms = groupGraph(everything, roomOf)
    expect(rooms.size).toBeGreaterThan(40)
    expect(findCircles(rooms)).toEqual([])
  })

  it("should keep shared/'s root to what every room uses: at most 8 files, importing no room", () => {
    const root = readdirSync(join(ROOT, 'shared')).filter((name) => /\.(ts|mjs)$/.test(name))
    expect(root.length).toBeLessThanOrEqual(8)
    const intoRooms = [...everything].flatMap(([from, targets]) =>
      roomOf(from) === 'shared'
        ? targets.filter((t) => roomOf(t) !== 'shared').map((t) => `${from} → ${t}`)
        : []
    )
    expect(intoRooms).toEqual([])
  })
})

describe("docs/architecture.md's map (issue 48)", () => {
  it('should name every room of shared/ and every file of its root, and no room that is gone', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8')
    const start = doc.indexOf('\nshared/ ')
    const end = doc.indexOf('\nruntime/\n', start)
    expect(start).toBeGreaterThan(0)
    const map = doc.slice(start, end)
    const entries = readdirSync(join(ROOT, 'shared'), { withFileTypes: true })
    const rooms = entries.filter((e) => e.isDirectory()).map((e) => e.name)
    const files = entries
      .filter((e) => e.isFile() && !e.name.endsWith('.test.ts'))
      .map((e) => e.name)
    expect(rooms.filter((room) => !map.includes(`\n  ${room}/ `))).toEqual([])
    expect(files.filter((file) => !map.includes(file))).toEqual([])
    const named = [...map.matchAll(/\n {2}([a-z-]+)\/ /g)].map((m) => m[1])
    expect(named.filter((room) => !rooms.includes(room ?? ''))).toEqual([])
  })
})

describe('errors at one boundary (issue 40)', () => {
  it("should write an error's text in one place, errorMessage in shared/observe/errors.ts", () => {
    // `error instanceof Error ? error.message : String(error)`, whatever the variable's name.
    const copies = filesMatching(
      ROOT,
      ['shared', 'functions', 'runtime', 'scripts'],
      /\b(\w+) instanceof Error \? \1\.message : String\(\1\)/
    )
    // The helper itself: the pattern does find the expression.
    expect(copies).toContain('shared/observe/errors.ts')
    expect(
      copies.length,
      `use errorMessage() from shared/observe/errors.ts in: ${copies}`
    ).toBeLessThanOrEqual(2)
  })
})

describe('parts built in the composition root (issue 40)', () => {
  /** A module-level `new Map` or `new WeakMap`: a cache of runtime objects that a part built in the root should own. */
  const MODULE_LEVEL_MAP = /^(?:export\s+)?(?:const|let|var)\s+\w+[^\n]*?=\s*new\s+(?:Weak)?Map\b/m
  /** The few that stay, each with its reason. */
  const ALLOWED: Record<string, string> = {
    'shared/time-zone.ts':
      'Intl formatters by time zone: values of the platform, not parts of a runtime',
  }

  it('should declare no module-level Map or WeakMap in functions, shared or runtime, but those allowed', () => {
    const found = filesMatching(ROOT, ['functions', 'shared', 'runtime'], MODULE_LEVEL_MAP)
    // Every allowed file still has one: an entry that no longer applies goes.
    expect(found.filter((file) => file in ALLOWED)).toEqual(Object.keys(ALLOWED).sort())
    expect(found.filter((file) => !(file in ALLOWED))).toEqual([])
  })

  it('should tell a module-level map from one inside a function', () => {
    expect(MODULE_LEVEL_MAP.test('const doors = new WeakMap<Services, Door>()')).toBe(true)
    expect(MODULE_LEVEL_MAP.test('let LANES = new WeakMap<object, Map<string, Lane>>()')).toBe(true)
    expect(MODULE_LEVEL_MAP.test('export const cache: Map<string, () => void> = new Map()')).toBe(
      true
    )
    expect(
      MODULE_LEVEL_MAP.test('function f() {\n  const kept = new Map<string, number>()\n}')
    ).toBe(false)
    expect(MODULE_LEVEL_MAP.test('const byId = new Set<string>()')).toBe(false)
  })
})

describe('casts (issue 40)', () => {
  /** A cast through `unknown`: the compiler told the types do not meet, and told to look away. */
  const CAST_THROUGH_UNKNOWN = /\bas\s+unknown\s+as\b/
  /** The few that stay, each with its reason. */
  const ALLOWED: Record<string, string> = {}

  it('should cast nothing through unknown in functions, shared or runtime, but those allowed', () => {
    const found = filesMatching(ROOT, ['functions', 'shared', 'runtime'], CAST_THROUGH_UNKNOWN)
    // Every allowed file still has one: an entry that no longer applies goes.
    expect(found.filter((file) => file in ALLOWED)).toEqual(Object.keys(ALLOWED).sort())
    expect(found.filter((file) => !(file in ALLOWED))).toEqual([])
  })

  it('should tell a cast through unknown from a plain one', () => {
    expect(CAST_THROUGH_UNKNOWN.test('return tool as unknown as AgentTool')).toBe(true)
    expect(CAST_THROUGH_UNKNOWN.test('guard(c as unknown\n  as Context, next)')).toBe(true)
    expect(
      CAST_THROUGH_UNKNOWN.test('const output = checked.data as Record<string, unknown>')
    ).toBe(false)
    expect(CAST_THROUGH_UNKNOWN.test('const raw = value as unknown')).toBe(false)
  })
})

describe('no locator: a handler gets its parts, not a way to look them up (issue 40)', () => {
  /** A read of the runtime's parts through the services or a context: `services.bridge`, `ctx.bridge`, `c.get('services').bridge`. */
  const LOCATOR = /\b(?:services|ctx)\.bridge\b|\.get\(\s*'services'\s*\)\.bridge\b/

  it('should give Services no member that leads to the parts (bridge, parts)', () => {
    const source = readFileSync(join(ROOT, 'shared/core/function.ts'), 'utf8')
    const body = source.match(/^export type Services = \{\n([\s\S]*?)^\}/m)?.[1] ?? ''
    // It does read the type's members.
    expect(body).toMatch(/^\s*config: Config$/m)
    expect(body).toMatch(/^\s*runningJobs: RunningJobs$/m)
    expect(body).not.toMatch(/^\s*(?:readonly\s+)?(?:bridge|parts)\??:/m)
  })

  it('should have no product file read the parts through the services or a context', () => {
    expect(filesMatching(ROOT, ['functions', 'shared', 'runtime'], LOCATOR)).toEqual([])
  })

  it('should tell a locator read from a part handed down', () => {
    expect(LOCATOR.test('const guard = services.bridge.planeWebhookGuard')).toBe(true)
    expect(LOCATOR.test('await ctx.bridge.pipeline.sightTask(task)')).toBe(true)
    expect(LOCATOR.test("c.get('services').bridge.outbox")).toBe(true)
    expect(LOCATOR.test('await parts.outbox.depth()')).toBe(false)
    expect(LOCATOR.test('await ctx.pipeline.sightTask(task)')).toBe(false)
    expect(LOCATOR.test('bridgeUserId: read.bridge.id')).toBe(false)
  })
})

describe('product code and the tests', () => {
  const product = readImportGraph(ROOT, PRODUCT_DIRS)

  it('should read the scripts and the simulators as well as the product', () => {
    expect(product.get('scripts/demo.ts')).toContain('sim/e2e/harness.ts')
    expect(product.get('sim/e2e/harness.ts')).toContain('sim/plane/index.ts')
    expect(product.has('scripts/build-if-stale.mjs')).toBe(true)
    // Tests sit next to the code they prove and may import test/: they are not product code.
    expect(product.has('shared/notify/policy.test.ts')).toBe(false)
  })

  it('should import nothing from test/: functions, shared, runtime, scripts and sim stand without the tests', () => {
    expect(findImportsInto(product, 'test')).toEqual([])
  })

  it('should keep the simulators and the benches out of the production build (functions, shared, runtime)', () => {
    // tsc compiles what the build's files import, wherever it lies: an import of sim/ would put it in dist/.
    expect([...findImportsInto(graph, 'sim'), ...findImportsInto(graph, 'bench')]).toEqual([])
  })
})

describe('file length (issue 40)', () => {
  /** One job per file: a module past this is two modules (STYLE.md). */
  const MAX_LINES = 300

  it('should keep every product file under functions/, shared/ and runtime/ to 300 lines', () => {
    const counts = countLines(ROOT, ['functions', 'shared', 'runtime'])
    // It does read them: the tests beside them are left out, the modules counted as `wc -l` does.
    expect(counts.size).toBeGreaterThan(150)
    expect(counts.has('shared/notify/outbox.ts')).toBe(true)
    expect(counts.has('shared/notify/sender.test.ts')).toBe(false)
    expect(
      findLongFiles(counts, MAX_LINES),
      `split these along a seam (a sibling module with its own @module comment)`
    ).toEqual([])
  })
})

describe('the checks themselves', () => {
  const sample: ImportGraph = new Map([
    ['shared/store/store.ts', ['shared/store/local.ts']],
    ['shared/store/local.ts', ['shared/store/store.ts']],
    ['shared/pipeline/pipeline.ts', ['shared/poll/cycle.ts', 'shared/observe/log.ts']],
    ['shared/poll/cycle.ts', ['shared/pipeline/pipeline.ts']],
    ['shared/observe/log.ts', []],
    ['shared/events.ts', ['shared/events.ts']],
  ])

  it('should find each circle, and a module importing itself', () => {
    expect(findCircles(sample)).toEqual([
      ['shared/events.ts'],
      ['shared/pipeline/pipeline.ts', 'shared/poll/cycle.ts'],
      ['shared/store/local.ts', 'shared/store/store.ts'],
    ])
  })

  it('should name an import of test/ by product code, and only that', () => {
    expect(
      findImportsInto(
        new Map([
          ['scripts/demo.ts', ['test/e2e/harness.ts', 'sim/e2e/harness.ts']],
          ['sim/e2e/harness.ts', ['test/helpers/services.ts', 'functions/index.ts']],
          ['shared/observe/log.ts', ['shared/observe/redact.ts']],
          ['runtime/node.ts', ['tests-elsewhere/x.ts']],
        ]),
        'test'
      )
    ).toEqual([
      'scripts/demo.ts → test/e2e/harness.ts',
      'sim/e2e/harness.ts → test/helpers/services.ts',
    ])
  })

  it('should name each file over the limit, longest first, and no file at it', () => {
    const counts = new Map([
      ['shared/store/local.ts', 462],
      ['shared/pipeline/pipeline.ts', 477],
      ['functions/tools/tasks.ts', 400],
      ['shared/observe/log.ts', 40],
    ])
    expect(findLongFiles(counts, 400)).toEqual([
      'shared/pipeline/pipeline.ts (477 lines)',
      'shared/store/local.ts (462 lines)',
    ])
  })

  it('should name an import from a part up to a feature', () => {
    expect(findUpwardImports(sample)).toEqual([
      `shared/pipeline/pipeline.ts (${LAYERS[2]?.name}) → shared/poll/cycle.ts (${LAYERS[4]?.name})`,
    ])
  })
})
