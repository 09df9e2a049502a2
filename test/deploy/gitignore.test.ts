/** @module What an operator creates in the clone stays out of git: settings, the store, the agent registry and its copies. */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../shared/core/config.ts'

const root = new URL('../../', import.meta.url).pathname

/** Whether git would ignore `path` (relative to the clone), by .gitignore alone (`--no-index`). */
function ignored(path: string): boolean {
  const run = spawnSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: root })
  if (run.error || (run.status !== 0 && run.status !== 1))
    throw new Error(`git check-ignore failed: ${run.error?.message ?? run.stderr.toString()}`)
  return run.status === 0
}

describe('.gitignore (issue 45)', () => {
  it.runIf(existsSync(`${root}.git`))(
    'should keep the agent registry, its backups, .env, the secrets file and the file store out of git',
    () => {
      const registry = loadConfig({}).AGENTS_FILE?.replace(/^\.\//, '') ?? 'agents.json'
      for (const path of [
        registry,
        `${registry}.bak-20261125T172400Z`,
        `${registry}.bak-20261125T172400Z-2`,
        `${registry}.next`,
        '.env',
        'data/store.journal',
        'compose/.env',
        'secrets.env',
        'secrets.env.next',
        'compose/secrets/secrets.env',
      ])
        expect(ignored(path), path).toBe(true)
      // The templates are committed.
      for (const path of ['agents.example.json', '.env.example', 'compose/.env.example'])
        expect(ignored(path), path).toBe(false)
    }
  )
})
