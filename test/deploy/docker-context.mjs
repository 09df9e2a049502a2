#!/usr/bin/env node
/**
 * Replays runtime/Dockerfile without Docker: builds the context the way `docker build` would (the
 * repository filtered by .dockerignore), copies what the last stage COPYs into an app directory, and
 * prints the image facts a test needs (CMD, ENV, USER, HEALTHCHECK, NODE_VERSION) as JSON. A stage that
 * runs `npm run build` is replayed too: only the files it COPYs, in a temporary directory, with the
 * repository's node_modules (its `npm ci`), so a file the build needs but the stage forgets fails here.
 *
 * Usage: node test/deploy/docker-context.mjs [--out DIR] [--list]
 *   --out DIR  copy the final stage's files (not node_modules: run `npm ci --omit=dev` there) into DIR
 *   --list     print the context's file list instead of the JSON facts
 * Exits non-zero when the Dockerfile uses a form this replay does not understand, or when the context
 * holds something that must never reach an image (.env, node_modules, tests, simulators, benches, .git).
 */
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const dockerfilePath = join(root, 'runtime', 'Dockerfile')

/** .dockerignore rules in order; the last rule matching a path (or one of its parents) decides. */
export function parseDockerignore(text) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!')
      const pattern = posix.normalize((negate ? line.slice(1) : line).trim()).replace(/^\/+/, '')
      if (/[[\]\\]/.test(pattern)) throw new Error(`.dockerignore: unsupported pattern ${line}`)
      return { negate, pattern, regex: globToRegex(pattern) }
    })
}

/** Docker's matcher (moby/patternmatcher): `*` and `?` stay within a segment, `**` spans segments. */
function globToRegex(pattern) {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/'
      out += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (c === '*') out += '[^/]*'
    else if (c === '?') out += '[^/]'
    else out += c.replace(/[.+^${}()|]/g, '\\$&')
  }
  return new RegExp(`^${out}$`)
}

/** True when `path` (relative, with `/`) is excluded from the build context. */
export function isExcluded(rules, path) {
  const parts = path.split('/')
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'))
  let excluded = false
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) excluded = !rule.negate
  }
  return excluded
}

function listContext(rules) {
  const files = []
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name
      // Big trees no rule re-includes are skipped without walking them.
      if (entry.isDirectory() && (rel === '.git' || rel === 'node_modules')) {
        if (isExcluded(rules, rel)) continue
      }
      if (entry.isDirectory()) walk(rel)
      else if (!isExcluded(rules, rel)) files.push(rel)
    }
  }
  walk('')
  return files.sort()
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function parseDockerfile(text) {
  const lines = []
  let current = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (current === '' && (line === '' || line.startsWith('#'))) continue
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `
      continue
    }
    lines.push(current + line)
    current = ''
  }
  return lines.map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/)
    return { keyword: keyword.toUpperCase(), args: rest.join(' ') }
  })
}

function fail(message) {
  process.stderr.write(`docker-context: ${message}\n`)
  process.exit(1)
}

function readImageFacts(instructions) {
  const args = {}
  const stages = []
  for (const { keyword, args: text } of instructions) {
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = text.split('=')
      args[name] = value
    } else if (keyword === 'FROM') {
      const name = /\s+AS\s+(\S+)\s*$/i.exec(text)?.[1] ?? null
      stages.push({ from: text, name, copies: [], runs: [], env: {}, workdir: '/', user: 'root' })
    } else if (stages.length > 0) {
      const stage = stages[stages.length - 1]
      if (keyword === 'WORKDIR') stage.workdir = text
      else if (keyword === 'RUN') stage.runs.push(text)
      else if (keyword === 'USER') stage.user = text
      else if (keyword === 'ENV') {
        for (const pair of text.split(/\s+/)) {
          const [k, ...v] = pair.split('=')
          if (!k || v.length === 0) fail(`ENV must use the KEY=value form: ENV ${text}`)
          stage.env[k] = v.join('=')
        }
      } else if (keyword === 'COPY') {
        const words = text.split(/\s+/)
        const flags = words.filter((w) => w.startsWith('--'))
        const paths = words.filter((w) => !w.startsWith('--'))
        if (flags.some((f) => !/^--(from|chown|chmod)=/.test(f)))
          fail(`unsupported COPY flag: COPY ${text}`)
        if (paths.length < 2 || text.trim().startsWith('[')) fail(`unsupported COPY form: ${text}`)
        const from = flags.find((f) => f.startsWith('--from='))
        stage.copies.push({ from: from?.slice(7), sources: paths.slice(0, -1), dest: paths.at(-1) })
      } else if (keyword === 'CMD' || keyword === 'ENTRYPOINT') {
        let parsed
        try {
          parsed = JSON.parse(text)
        } catch {
          fail(`${keyword} must use the exec (JSON) form: ${text}`)
        }
        stage[keyword.toLowerCase()] = parsed
      } else if (keyword === 'HEALTHCHECK') {
        const match = text.match(/CMD\s+(\[.*\])\s*$/)
        if (!match) fail(`HEALTHCHECK must use CMD in exec (JSON) form: ${text}`)
        stage.healthcheck = JSON.parse(match[1])
      } else if (keyword === 'STOPSIGNAL') stage.stopsignal = text
    }
  }
  const final = stages.at(-1)
  if (!final) fail('no FROM in runtime/Dockerfile')
  if (final.entrypoint) fail('ENTRYPOINT is not replayed; start-prod.sh runs CMD')
  if (!final.cmd) fail('the final stage has no CMD')
  return { args, final, stages }
}

/** Copy a stage's COPYs (from the context) under `dir`, as they land under its WORKDIR. */
function copyFromContext(copy, context, dir) {
  const copied = []
  for (const source of copy.sources) {
    const inContext = context.filter((f) => f === source || f.startsWith(`${source}/`))
    if (inContext.length === 0) fail(`COPY ${source}: nothing in the build context`)
    const destIsDir = copy.dest.endsWith('/') || copy.sources.length > 1
    for (const file of inContext) {
      const rel = file === source ? posix.basename(file) : file.slice(source.length + 1)
      const target = destIsDir || file !== source ? posix.join(copy.dest, rel) : copy.dest
      copied.push(posix.normalize(target))
      if (dir) {
        const to = join(dir, target)
        mkdirSync(dirname(to), { recursive: true })
        cpSync(join(root, file), to)
      }
    }
  }
  return copied
}

/** Replay a build stage: its COPYs in a temp dir, the repository's node_modules, then `npm run build`. */
function replayBuild(stage, context) {
  const dir = mkdtempSync(join(tmpdir(), 'plane-bridge-build-'))
  for (const copy of stage.copies) {
    if (copy.from) fail(`the build stage copies from ${copy.from}: not replayed`)
    copyFromContext(copy, context, dir)
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  try {
    execFileSync('npm', ['run', 'build', '--silent'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  } catch (error) {
    fail(`the build stage's npm run build failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`)
  }
  return dir
}

function listFiles(dir, prefix = '') {
  const out = []
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name
    if (entry.isDirectory()) out.push(...listFiles(dir, rel))
    else out.push(rel)
  }
  return out
}

function main(argv) {
  const rules = parseDockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'))
  const context = listContext(rules)
  const forbidden = context.filter((f) =>
    /(^|\/)(\.env($|\.)|node_modules\/|\.git\/)|\.test\.ts$|^(test|sim|bench)\/|^data\//.test(f)
  )
  if (forbidden.length > 0)
    fail(`the build context holds files it must not: ${forbidden.join(', ')}`)
  if (argv.includes('--list')) {
    process.stdout.write(`${context.join('\n')}\n`)
    return
  }
  const { args, final, stages } = readImageFacts(
    parseDockerfile(readFileSync(dockerfilePath, 'utf8'))
  )
  const outIndex = argv.indexOf('--out')
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined
  const copied = []
  for (const copy of final.copies) {
    if (!copy.from) {
      copied.push(...copyFromContext(copy, context, out))
      continue
    }
    const stage = stages.find((s) => s.name === copy.from)
    if (!stage) fail(`COPY --from=${copy.from}: no such stage`)
    // node_modules from the deps stage: the caller runs `npm ci --omit=dev`.
    if (stage.runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r))) continue
    if (!stage.runs.some((r) => /\bnpm run build\b/.test(r)))
      fail(`COPY --from=${copy.from}: only a deps stage or a build stage is replayed`)
    const built = replayBuild(stage, context)
    for (const source of copy.sources) {
      const rel = posix.relative(stage.workdir, source)
      const files = listFiles(built).filter((f) => f === rel || f.startsWith(`${rel}/`))
      if (files.length === 0)
        fail(`COPY --from=${copy.from} ${source}: the build made nothing there`)
      for (const file of files) {
        const target = posix.normalize(posix.join(copy.dest, file.slice(rel.length + 1)))
        copied.push(target)
        if (out) {
          mkdirSync(dirname(join(out, target)), { recursive: true })
          cpSync(join(built, file), join(out, target))
        }
      }
    }
    rmSync(built, { recursive: true, force: true })
  }
  const nodeVersion = args.NODE_VERSION
  if (!nodeVersion || !/^\d+\.\d+\.\d+$/.test(nodeVersion))
    fail(`ARG NODE_VERSION must pin an exact version, got "${nodeVersion}"`)
  const facts = {
    nodeVersion,
    from: final.from.replace(/\$\{NODE_VERSION\}/, nodeVersion),
    workdir: final.workdir,
    user: final.user,
    env: final.env,
    cmd: final.cmd,
    healthcheck: final.healthcheck ?? null,
    stopsignal: final.stopsignal ?? null,
    files: copied.length,
    contextBytes: context.reduce((sum, f) => sum + statSync(join(root, f)).size, 0),
  }
  process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`)
}

main(process.argv.slice(2))
