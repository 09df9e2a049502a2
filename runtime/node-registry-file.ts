/** @module AGENTS_FILE as the `agent-token` job rewrites it: atomically, the previous version kept beside it. */
import {
  copyFileSync,
  existsSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { resolve } from 'node:path'
import type { AgentRegistryFile } from '../shared/agents/registry.ts'

export function nodeAgentRegistryFile(
  path: string,
  now: () => number = Date.now
): AgentRegistryFile {
  const full = resolve(path)
  return {
    path: full,
    read: async () => readFileSync(full, 'utf8'),
    replace: async (text) => {
      // `agents.json.bak-20261125T172400Z`: one per run, so a second run never overwrites the first backup.
      const stamp = new Date(now())
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z')
      let backup = `${full}.bak-${stamp}`
      for (let n = 2; existsSync(backup); n++) backup = `${full}.bak-${stamp}-${n}`
      copyFileSync(full, backup)
      // Same mode as before (0640 in the deploy steps), through a file beside it renamed over the original.
      const mode = statSync(full).mode & 0o777
      const next = `${full}.next`
      writeFileSync(next, text, { mode })
      renameSync(next, full)
      return { backup }
    },
  }
}
