/** @module Find a project or an agent from what the human typed: case- and accent-insensitive, partial (NOTIF-06). */
import type { AgentRecord, ProjectView } from '../workspace/workspace-view.ts'

/** Lower case without diacritics or surrounding space: `Équipe Sécurité ` → `equipe securite`. */
export function foldName(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim()
}

/**
 * Projects whose name or identifier matches `query`. An exact match (name or identifier) wins alone;
 * otherwise every project whose name or identifier contains the query, in name order.
 * @example matchProject('secu', projects) // [{ name: 'Équipe Sécurité', … }]
 */
export function matchProject<P extends Pick<ProjectView, 'name' | 'identifier'>>(
  query: string,
  projects: readonly P[]
): P[] {
  return _match(query, projects, (p) => [p.name, p.identifier ?? ''])
}

/** Agents whose name or id matches `query`, with the same rules as `matchProject`. */
export function matchAgent<A extends Pick<AgentRecord, 'id' | 'name'>>(
  query: string,
  agents: readonly A[]
): A[] {
  return _match(query, agents, (a) => [a.name, a.id])
}

// --- Internal helpers ---

function _match<T>(query: string, items: readonly T[], keys: (item: T) => string[]): T[] {
  const q = foldName(query)
  if (!q) return []
  const folded = items.map((item) => ({ item, keys: keys(item).map(foldName).filter(Boolean) }))
  const exact = folded.filter((f) => f.keys.includes(q))
  if (exact.length > 0) return exact.map((f) => f.item)
  return folded.filter((f) => f.keys.some((k) => k.includes(q))).map((f) => f.item)
}
