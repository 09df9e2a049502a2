import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { functions } from '../../functions/index.ts'
import { runJobCommand } from '../../runtime/node-cli.ts'
import { scheduleOf } from '../../shared/core/function.ts'
import { makeServices } from '../../sim/e2e/services.ts'

// Issue 36: docs/reference.md omitted two jobs and exit code 2; it is kept to the registry here.
const page = readFileSync(new URL('../../docs/reference.md', import.meta.url), 'utf8')
const rows = page
  .split('\n')
  .map((line) => line.split('|').map((cell) => cell.trim()))
  .filter((cells) => /^`[a-z-]+`$/.test(cells[1] ?? ''))
  .map((cells) => ({ name: (cells[1] as string).slice(1, -1), when: cells[2] ?? '' }))

describe('docs/reference.md', () => {
  it('should have a row for every route, cron and job of the registry, and none it lacks', () => {
    // Routes: `| \`POST /mcp\` (and \`GET\`, \`DELETE\`) | \`mcp\` | …`: each method and path in a row's first cell.
    const routeCells = page
      .split('\n')
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .filter((cells) => /^`(GET|POST|PUT|PATCH|DELETE) \//.test(cells[1] ?? ''))
      .map((cells) => cells[1] as string)
    for (const fn of functions) {
      if (fn.kind !== 'http') continue
      const path = fn.path.replace(/:(\w+)/g, '<$1>')
      expect(
        routeCells.some((cell) => cell.includes(` ${path}\``) && cell.includes(fn.method)),
        `${fn.method} ${path}`
      ).toBe(true)
    }
    const runnable = functions.filter((f) => f.kind !== 'http').map((f) => f.name)
    expect(rows.map((r) => r.name).sort()).toEqual([...runnable].sort())
  })

  it('should give each cron its schedule and each one-off job as one', () => {
    const services = makeServices({ functions })
    for (const fn of functions) {
      const row = rows.find((r) => r.name === fn.name)
      if (fn.kind === 'cron')
        expect(row?.when, fn.name).toMatch(
          scheduleOf(fn, services.config) === '*/5 * * * *'
            ? /every 5 minutes/
            : scheduleOf(fn, services.config) === '* * * * *'
              ? /every minute/
              : new RegExp(scheduleOf(fn, services.config).replace(/[*/]/g, '\\$&'))
        )
      if (fn.kind === 'job') expect(row?.when, fn.name).toMatch(/^none: a one-off job/)
    }
  })

  it('should state the exit codes the job CLI gives', async () => {
    const out: string[] = []
    await runJobCommand({
      args: ['--help'],
      functions,
      root: makeServices({ functions }).root,
      out: (l) => out.push(l),
      err: () => undefined,
    })
    expect(out.join('\n')).toContain('exit codes: 0 done, 1 failed')
    expect(out.join('\n')).toContain('2 done but a person must act')
    expect(page).toMatch(
      /\*\*Exit codes of `npm run job`:\*\* `0` done; `1` failed.*`2` done, but a person must still act/s
    )
  })
})

describe('docs/requirements.md (issue 45: 53 ids cited, REQUIREMENTS.md absent)', () => {
  const root = new URL('../../', import.meta.url)
  const listed = new Set(
    [
      ...readFileSync(new URL('docs/requirements.md', root), 'utf8').matchAll(
        /^\| `([A-Z]+(?:-[A-Z]+)?-\d+)` \|/gm
      ),
    ].map((m) => m[1])
  )
  /** Every file of the repository a newcomer reads: product code, tests, docs, deployment files. */
  const files = (() => {
    const out: string[] = []
    const walk = (dir: string) => {
      for (const entry of readdirSync(new URL(dir, root), { withFileTypes: true })) {
        if (['node_modules', '.git', 'dist', 'data', '.cache', '.wrangler'].includes(entry.name))
          continue
        const path = `${dir}${entry.name}`
        if (entry.isDirectory()) walk(`${path}/`)
        else if (/\.(ts|mjs|md|yml|yaml|sql|sh|json|example)$|Caddyfile$/.test(entry.name))
          out.push(path)
      }
    }
    walk('')
    return out
  })()

  it('should list every requirement id the repository cites', () => {
    expect(listed.size).toBeGreaterThan(40)
    const unknown = new Set<string>()
    for (const file of files) {
      const text = readFileSync(new URL(file, root), 'utf8')
      for (const m of text.matchAll(/\b(INFRA|AUTH|OPENCLAW|NOTIF|PROV|MONITOR)-(?:UPG-)?\d{2}\b/g))
        if (!listed.has(m[0])) unknown.add(`${m[0]} (${file})`)
    }
    expect([...unknown]).toEqual([])
  })

  it('should be where the README and upstream.md send a reader, not to a REQUIREMENTS.md the clone lacks', () => {
    for (const file of ['README.md', 'docs/upstream.md']) {
      const text = readFileSync(new URL(file, root), 'utf8')
      expect(text, file).toContain('requirements.md')
      expect(text, file).not.toMatch(/\(`REQUIREMENTS\.md`\)/)
    }
  })
})
