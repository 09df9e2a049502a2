/**
 * @module `prestart` and `prejob`: compile to dist/ only when a source is newer than the last build (issue 36).
 * tsc's incremental build still reads every file and costs ~3 s; a job run ten times in a row paid it ten times.
 * Plain JavaScript on purpose: it runs before anything is compiled, and where tsx is not installed.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const SOURCES = ['functions', 'shared', 'runtime']
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json']
/**
 * Written after each build this script ran. Not tsc's .tsbuildinfo: tsc leaves it as it is when a touched file
 * compiles to the same output, which would make every later run build again.
 */
const STAMP = 'dist/.build-stamp'

/** Newest modification time (ms) under the sources and configs: the files tsconfig.build.json compiles. */
export function newestSourceMs(root = '.') {
  let newest = 0
  const visit = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) visit(path)
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
        newest = Math.max(newest, statSync(join(root, path)).mtimeMs)
    }
  }
  for (const dir of SOURCES) visit(dir)
  for (const file of CONFIGS) newest = Math.max(newest, statSync(join(root, file)).mtimeMs)
  return newest
}

export function buildIsCurrent(root = '.') {
  try {
    return statSync(join(root, STAMP)).mtimeMs >= newestSourceMs(root)
  } catch {
    return false
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!buildIsCurrent()) {
    const startedMs = Date.now()
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      stdio: 'inherit',
    })
    if (run.status !== 0) process.exit(run.status ?? 1)
    // Stamped with the build's start: a source saved while tsc ran is newer, so the next run builds again.
    writeFileSync(STAMP, `${new Date(startedMs).toISOString()}\n`)
    const stamped = new Date(startedMs)
    utimesSync(STAMP, stamped, stamped)
  }
}
