/**
 * The product's import graph, read with TypeScript's own pre-processor (static, type-only, re-exports and dynamic
 * imports alike), the two rules issue 30 set on it (no circles, no import that runs back up the layers), and
 * issue 40's: product code does not import the tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

export type ImportGraph = ReadonlyMap<string, readonly string[]>

/**
 * The layers, lowest first: a module imports from its own layer or a lower one. Paths are read in order; the
 * first prefix that matches a file gives its layer.
 */
export const LAYERS: ReadonlyArray<{ name: string; paths: readonly string[] }> = [
  {
    name: 'base (no part of the bridge: words, events, text and its cutting, time, logs, the agent registry)',
    paths: [
      'shared/events.ts',
      'shared/agents/task-vocabulary.ts',
      'shared/agents/registry.ts',
      'shared/text/markdown.ts',
      'shared/text/markdown-inline.ts',
      'shared/text/html-text.ts',
      'shared/text/text-scan.ts',
      'shared/text/cap.ts',
      'shared/observe/log.ts',
      'shared/observe/redact.ts',
      'shared/hash.ts',
      'shared/net/retry.ts',
      'shared/core/cron.ts',
      'shared/time-zone.ts',
      'shared/observe/errors.ts',
      'shared/net/http-errors.ts',
      'shared/net/client-address.ts',
      'shared/observe/metrics.ts',
      'shared/uploads/',
    ],
  },
  {
    name: 'store and clients (the store, Plane, Telegram, OpenClaw)',
    paths: [
      'shared/store/',
      'shared/plane/',
      'shared/plane/normalize.ts',
      'shared/telegram/',
      'shared/openclaw/',
    ],
  },
  {
    name: 'parts (pipeline, outbox, runs, cards, live view, index, directory, status) and the settings',
    paths: [
      'shared/notify/',
      'shared/pipeline/',
      'shared/runs/',
      'shared/actions/',
      'shared/budget/',
      'shared/projects/',
      'shared/live/',
      'shared/index/',
      'shared/workspace/',
      'shared/notify/plane-directory.ts',
      'shared/observe/status.ts',
      'shared/plane/webhook-rejections.ts',
      'shared/plane/webhook-notes.ts',
      'shared/agents/call-gate.ts',
      'shared/agents/last-calls.ts',
      'shared/core/contacts.ts',
      'shared/observe/bridge-metrics.ts',
      'shared/core/background.ts',
      'shared/core/running-jobs.ts',
      'shared/core/settings.ts',
      'shared/core/secrets-file.ts',
      'shared/core/settings-bootstrap.ts',
      'shared/core/settings-schemas.ts',
      'shared/core/settings-telegram.ts',
      'shared/core/config.ts',
      'shared/core/settings-fingerprint.ts',
      'shared/core/template-examples.ts',
    ],
  },
  {
    name: 'contract (what a function is and receives: Services, the parts as interfaces)',
    paths: ['shared/core/function.ts', 'shared/core/parts.ts'],
  },
  {
    name: 'features (the work of jobs and commands, on the contract)',
    paths: [
      'shared/poll/',
      'shared/tasks/',
      'shared/provision/',
      'shared/bootstrap/',
      'shared/commands/',
      'shared/check/',
      'shared/core/function-registry.ts',
      'shared/core/rate-limit.ts',
      'shared/core/run-job.ts',
      'shared/core/job-executions.ts',
      'shared/check/readiness.ts',
    ],
  },
  { name: 'functions (one file per route, cron or job)', paths: ['functions/'] },
  {
    name: 'runtime (the composition roots: Node, Workers, the CLI job runner)',
    paths: ['runtime/'],
  },
]

/** The layer of a file (its index in LAYERS), or null for a file no layer names (a test reports those). */
export function layerOf(file: string): number | null {
  const index = LAYERS.findIndex((layer) => layer.paths.some((p) => file.startsWith(p)))
  return index === -1 ? null : index
}

/**
 * The folders of product code: what runs in production, the scripts run beside it, and the simulators `npm run
 * demo` and the benchmarks run on. None of them may import from test/ (issue 40).
 */
export const PRODUCT_DIRS: readonly string[] = ['functions', 'shared', 'runtime', 'scripts', 'sim']

/**
 * Every module under `dirs` (TypeScript and `.mjs`; tests and declaration files left out) with the modules it
 * imports.
 */
export function readImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.(ts|mjs)$/.test(name) && !/\.(test|d)\.ts$/.test(name)) files.push(path)
    }
  }
  for (const dir of dirs) walk(join(root, dir))
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    const targets = importedFiles
      .map((f) => f.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => relative(root, resolve(dirname(file), name)))
    graph.set(relative(root, file), [...new Set(targets)].sort())
  }
  return graph
}

/** Product modules under `dirs` (tests and declaration files left out) whose text matches `pattern`, sorted. */
export function filesMatching(root: string, dirs: readonly string[], pattern: RegExp): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name)) {
        if (pattern.test(readFileSync(path, 'utf8'))) found.push(relative(root, path))
      }
    }
  }
  for (const dir of dirs) walk(join(root, dir))
  return found.sort()
}

/** The product modules under `dirs` (tests and declaration files left out) with their length in lines, as `wc -l`. */
export function countLines(root: string, dirs: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name)) {
        const text = readFileSync(path, 'utf8')
        counts.set(relative(root, path), text.split('\n').length - (text.endsWith('\n') ? 1 : 0))
      }
    }
  }
  for (const dir of dirs) walk(join(root, dir))
  return counts
}

/** The files longer than `maxLines`, as `file (n lines)`, longest first. */
export function findLongFiles(counts: ReadonlyMap<string, number>, maxLines: number): string[] {
  return [...counts]
    .filter(([, lines]) => lines > maxLines)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([file, lines]) => `${file} (${lines} lines)`)
}

/** The circles of the graph (strongly connected components of more than one module, or a module importing itself). */
/** The graph between groups of modules (folders, rooms): an edge where a module of one imports a module of another. */
export function groupGraph(graph: ImportGraph, groupOf: (file: string) => string): ImportGraph {
  const groups = new Map<string, string[]>()
  for (const [from, targets] of graph) {
    const own = groupOf(from)
    const edges = new Set([...(groups.get(own) ?? []), ...targets.map(groupOf)])
    edges.delete(own)
    groups.set(own, [...edges])
  }
  return groups
}

export function findCircles(graph: ImportGraph): string[][] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const circles: string[][] = []
  const visit = (v: string): void => {
    index.set(v, counter)
    low.set(v, counter)
    counter++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop() as string
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component.sort())
  }
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v)
  return circles
}

/** Imports from a lower layer to a higher one, as `from (layer) → to (layer)` lines. */
export function findUpwardImports(
  graph: ImportGraph,
  layer: (file: string) => number | null = layerOf
): string[] {
  const out: string[] = []
  for (const [from, targets] of graph) {
    const own = layer(from)
    for (const to of targets) {
      const theirs = layer(to)
      if (own !== null && theirs !== null && theirs > own)
        out.push(
          `${from} (${LAYERS[own]?.name ?? own}) → ${to} (${LAYERS[theirs]?.name ?? theirs})`
        )
    }
  }
  return out.sort()
}

/**
 * Imports of the top-level folder `dir` by the modules of `graph`, as `from → to` lines: of test/ by product code
 * (a test may import test/, product code may not), of sim/ by what the production build compiles.
 */
export function findImportsInto(graph: ImportGraph, dir: string): string[] {
  const out: string[] = []
  for (const [from, targets] of graph)
    for (const to of targets)
      if (to === dir || to.startsWith(`${dir}/`)) out.push(`${from} → ${to}`)
  return out.sort()
}

/**
 * Imports from one function folder into another, as `from → to` lines: a file under `functions/<a>/` reaching a
 * file under `functions/<b>/`, or a file at `functions/`'s root (a registry) reaching into a folder. What several
 * functions share lives in shared/; a function folder is a leaf of the tree.
 */
export function findCrossFunctionImports(graph: ImportGraph): string[] {
  /** A function folder (`functions/tools`), or a file at the root of functions/ on its own. */
  const unitOf = (file: string) => {
    const parts = file.split('/')
    return parts.length > 2 ? parts.slice(0, 2).join('/') : file
  }
  const out: string[] = []
  for (const [from, targets] of graph) {
    if (!from.startsWith('functions/')) continue
    for (const to of targets)
      if (to.startsWith('functions/') && unitOf(from) !== unitOf(to)) out.push(`${from} → ${to}`)
  }
  return out.sort()
}
