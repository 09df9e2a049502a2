/** @module The provision report: one summary line, one line per item, and what blocks agents. Pure. */
import type { ProvisionItem } from './types.ts'

export type ProvisionReport = {
  /** One line: what changed, what was already fine, what needs a human. */
  summary: string
  /** One line per item, changes and problems first. */
  lines: string[]
  changed: number
  fine: number
  human: number
  /** Items Plane failed on: the run went on without them (exit 1; running it again retries them). */
  failed: ProvisionItem[]
  /** Items a human must fix before some agent can work (the job then fails). */
  blocking: ProvisionItem[]
}

const ORDER: Record<string, number> = {
  failed: 0,
  blocked: 1,
  human: 2,
  changed: 3,
  skipped: 4,
  ok: 5,
}

/**
 * `dryRun`: the items are what the run would report (same items, same count); their changes are tagged
 * `[would change]`.
 */
export function buildProvisionReport(
  items: readonly ProvisionItem[],
  { dryRun = false }: { dryRun?: boolean } = {}
): ProvisionReport {
  const changed = items.filter((i) => i.changed).length
  const fine = items.filter((i) => i.status === 'ok' && !i.changed).length
  const skipped = items.filter((i) => i.status === 'skipped').length
  const blocking = items.filter((i) => i.status === 'blocked')
  const failed = items.filter((i) => i.status === 'failed')
  const human = items.filter((i) => i.status === 'human').length + blocking.length
  const parts = [
    dryRun
      ? changed === 0
        ? 'nothing would change'
        : `${changed} would change`
      : changed === 0
        ? 'no change'
        : `${changed} changed`,
    `${fine} already fine`,
    ...(human > 0
      ? [
          `${human} need${human === 1 ? 's' : ''} a human${blocking.length > 0 ? ` (${blocking.length} block${blocking.length === 1 ? 's' : ''} agents)` : ''}`,
        ]
      : []),
    ...(skipped > 0 ? [`${skipped} skipped`] : []),
    ...(failed.length > 0 ? [`${failed.length} failed`] : []),
  ]
  const lines = [...items]
    .sort((a, b) => (ORDER[_tag(a)] ?? 9) - (ORDER[_tag(b)] ?? 9))
    .map((i) => {
      const tag = _tag(i)
      return `[${dryRun && tag === 'changed' ? 'would change' : tag}] ${i.subject}: ${i.detail}`
    })
  return { summary: parts.join(', '), lines, changed, fine, human, failed, blocking }
}

/**
 * The failure text: the summary and what blocks, by subject. The `[blocked]` lines above say what to do, each
 * once.
 */
export function blockingMessage(report: ProvisionReport): string {
  const what = report.blocking.map((i) => i.subject).join(', ')
  return `${report.summary}. Needs a human before agents can work: ${what} (the [blocked] lines say what to do)`
}

/** The failure text of a run that went past failed items: which ones, then run it again. */
export function failedMessage(report: ProvisionReport): string {
  const what = report.failed.map((i) => i.subject).join(', ')
  return `${report.summary}. Plane failed on ${what} (the lines above say how); everything else was done — run provision again`
}

// --- Internal helpers ---

function _tag(item: ProvisionItem): string {
  if (item.status === 'ok') return item.changed ? 'changed' : 'ok'
  return item.status
}
