/** @module The drill-down buttons' `callback_data` (§1.6: 1-64 bytes): `p:<project uuid>`, `a:<agent id>`, `s`. */

export type DrillDown =
  | { kind: 'status' }
  | { kind: 'project'; projectId: string }
  | { kind: 'agent'; agentId: string }

export function encodeDrillDown(target: DrillDown): string {
  if (target.kind === 'status') return 's'
  return target.kind === 'project' ? `p:${target.projectId}` : `a:${target.agentId}`
}

/** Null for anything this bot did not put on a button (old buttons, forged data). */
export function decodeDrillDown(data: string | undefined): DrillDown | null {
  if (data === 's') return { kind: 'status' }
  const match = /^([pa]):([A-Za-z0-9_.-]{1,62})$/.exec(data ?? '')
  if (!match?.[2]) return null
  return match[1] === 'p'
    ? { kind: 'project', projectId: match[2] }
    : { kind: 'agent', agentId: match[2] }
}
