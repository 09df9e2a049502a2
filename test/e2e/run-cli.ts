/** `npm run job -- <args>` in process, against an end-to-end harness: the exit code and what it printed. */
import { functions } from '../../functions/index.ts'
import { runJobCommand } from '../../runtime/node-cli.ts'
import type { startE2E } from '../../sim/e2e/harness.ts'

type E2E = Awaited<ReturnType<typeof startE2E>>

export async function runJobCli(t: Pick<E2E, 'services'>, args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runJobCommand({
    args,
    functions,
    root: t.services.root,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

/** Plane writes made with the bridge's key since `from` (an index into the request log). */
export function planeWritesSince(t: Pick<E2E, 'plane' | 'users'>, from: number) {
  return t.plane.requests
    .slice(from)
    .filter((r) => r.method !== 'GET' && r.apiKey === t.users.bridge.apiKey)
}
