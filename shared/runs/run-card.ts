/**
 * @module The run card: one bridge-owned comment per task mirroring its `RunRecord`, readable by people
 * and parsed back by the bridge. Plane's sanitiser (nh3) strips HTML comments and data attributes, so the
 * machine copy is visible text: a last line `plane-bridge:run-card:v1 <base64url JSON>`. Pure.
 */
import * as z from 'zod'
import { escapeHtml } from '../telegram/html.ts'
import { htmlToText } from '../text/html-text.ts'
import { isWordChar } from '../text/text-scan.ts'
import { type EarlierRunRecord, upgradeRunRecord } from './record-keys.ts'
import type { RunRecord, RunState } from './types.ts'

export const RUN_CARD_MARKER = 'plane-bridge:run-card:v1'

export type RunCardContext = {
  locale: 'fr' | 'en'
  agentName: string | null
  now: number
  /** Names of the earlier runs' agents, by id. */
  agentNames?: Readonly<Record<string, string>>
}

const STATE_WORDS: Record<'fr' | 'en', Record<RunState, string>> = {
  fr: {
    pending: 'en attente',
    seen: 'vue, pas commencée',
    active: 'en cours',
    awaiting: 'bloquée, en attente',
    done: 'terminée',
    cancelled: 'annulée',
    failed: 'échouée',
    stale: 'sans nouvelles',
  },
  en: {
    pending: 'pending',
    seen: 'seen, not started',
    active: 'in progress',
    awaiting: 'blocked, waiting',
    done: 'done',
    cancelled: 'cancelled',
    failed: 'failed',
    stale: 'stale',
  },
}

const LABELS = {
  fr: {
    title: '🤖 Fiche d’exécution',
    agent: 'Agent',
    state: 'État',
    started: 'Démarrée',
    finished: 'Terminée',
    time: 'Temps passé',
    timer: 'chrono en cours depuis',
    confidence: 'Confiance',
    estimate: 'Coût estimé',
    cost: 'Coût réel',
    session: 'Session',
    dependencies: 'Dépendances',
    deliverables: 'Livrables',
    summary: 'Résumé',
    last: 'Dernière activité',
    previous: 'Avant',
    reasons: {
      reassigned: 'réassignée',
      unassigned: 'désassignée',
      cancelled: 'annulée',
    } as Record<string, string>,
    footer: 'Tenue à jour par plane-bridge ; ne pas modifier.',
  },
  en: {
    title: '🤖 Run card',
    agent: 'Agent',
    state: 'State',
    started: 'Started',
    finished: 'Finished',
    time: 'Time spent',
    timer: 'timer running since',
    confidence: 'Confidence',
    estimate: 'Cost estimate',
    cost: 'Actual cost',
    session: 'Session',
    dependencies: 'Dependencies',
    deliverables: 'Deliverables',
    summary: 'Summary',
    last: 'Last activity',
    previous: 'Before',
    reasons: {
      reassigned: 'reassigned',
      unassigned: 'unassigned',
      cancelled: 'cancelled',
    } as Record<string, string>,
    footer: 'Kept up to date by plane-bridge; do not edit.',
  },
}

export function renderRunCard(record: RunRecord, ctx: RunCardContext): string {
  const l = LABELS[ctx.locale]
  const num = (n: number) => (ctx.locale === 'fr' ? String(n).replace('.', ',') : String(n))
  const usd = (n: number) => (ctx.locale === 'fr' ? `${num(n)} $` : `$${n}`)
  const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`
  const rows: string[] = []
  const row = (label: string, html: string) =>
    rows.push(`<li><strong>${label}</strong> : ${html}</li>`)
  if (ctx.agentName || record.agentId)
    row(l.agent, escapeHtml(ctx.agentName ?? record.agentId ?? ''))
  row(l.state, escapeHtml(STATE_WORDS[ctx.locale][record.state] ?? record.state))
  if (record.startedAt) row(l.started, when(record.startedAt))
  if (record.finishedAt) row(l.finished, when(record.finishedAt))
  const timer = record.timerStartedAt ? ` (${l.timer} ${when(record.timerStartedAt)})` : ''
  row(l.time, `${formatDuration(record.timeSpentSeconds)}${timer}`)
  if (record.confidence !== null) row(l.confidence, num(record.confidence))
  if (record.costEstimate !== null) row(l.estimate, usd(record.costEstimate))
  if (record.cost !== null) row(l.cost, usd(record.cost))
  if (record.sessionId) row(l.session, `<code>${escapeHtml(record.sessionId)}</code>`)
  if (record.dependencies.length > 0)
    row(l.dependencies, record.dependencies.map((d) => escapeHtml(d)).join(', '))
  if (record.deliverables.length > 0)
    row(
      l.deliverables,
      record.deliverables
        .map((d) =>
          d.url && /^https?:\/\//.test(d.url)
            ? `<a href="${escapeHtml(d.url)}">${escapeHtml(d.name)}</a>`
            : escapeHtml(d.name)
        )
        .join(', ')
    )
  if (record.summary) row(l.summary, escapeHtml(record.summary))
  if (record.lastActivityAt) row(l.last, when(record.lastActivityAt))
  if (record.previous?.length)
    row(
      l.previous,
      record.previous
        .map(
          (p) =>
            `${escapeHtml(ctx.agentNames?.[p.agentId] ?? p.agentId)} (${escapeHtml(STATE_WORDS[ctx.locale][p.state] ?? p.state)}, ${escapeHtml(l.reasons[p.reason] ?? p.reason)} ${when(p.at)})`
        )
        .join(' ; ')
    )
  const machine = `${RUN_CARD_MARKER} ${_encode(JSON.stringify(record))}`
  return `<p><strong>${l.title}</strong></p><ul>${rows.join('')}</ul><p>${l.footer}</p><p><code>${machine}</code></p>`
}

export function isRunCard(html: string): boolean {
  return html.includes(RUN_CARD_MARKER)
}

/** The record a card carries, or null for anything else (another comment, a damaged or newer card). */
export function parseRunCard(html: string): RunRecord | null {
  const at = html.indexOf(RUN_CARD_MARKER)
  if (at < 0) return null
  // The payload runs to the next tag; Plane may wrap or break it, so keep only base64url characters.
  const rest = html.slice(at + RUN_CARD_MARKER.length)
  const end = _firstEndTag(rest)
  const payload = _base64urlCharacters(end < 0 ? rest : rest.slice(0, end))
  try {
    const parsed = runRecordSchema.safeParse(JSON.parse(_decode(payload)))
    return parsed.success ? upgradeRunRecord(parsed.data as EarlierRunRecord) : null
  } catch {
    // A card edited by hand or cut holds no record: a rebuild reads an older card or starts afresh.
    return null
  }
}

/** `1 h 05 min`, `12 min`, `0 min`. */
export function formatDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

// --- Internal helpers ---

const iso = z.string().nullable()
const runRecordSchema = z.object({
  v: z.literal(1),
  taskId: z.string().min(1),
  projectId: z.string().min(1),
  ref: z.string().nullable(),
  agentId: z.string().nullable(),
  state: z.enum(['pending', 'seen', 'active', 'awaiting', 'done', 'cancelled', 'failed', 'stale']),
  startedAt: iso,
  finishedAt: iso,
  timeSpentSeconds: z.number().min(0),
  timerStartedAt: iso,
  confidence: z.number().min(0).max(1).nullable(),
  costEstimate: z.number().min(0).nullable(),
  cost: z.number().min(0).nullable(),
  sessionId: z.string().nullable(),
  dependencies: z.array(z.string()),
  dependencyIds: z.array(z.string()).optional(),
  deliverables: z.array(
    z.object({
      attachmentId: z.string(),
      name: z.string(),
      mimeType: z.string(),
      sizeBytes: z.number(),
      url: z.string().nullable(),
      description: z.string().nullable(),
      at: z.string(),
    })
  ),
  lastActivityAt: iso,
  summary: z.string().nullable(),
  cardCommentId: z.string().nullable(),
  stateSince: iso.optional(),
  waitsFor: z.enum(['approval', 'budget']).nullable().optional(),
  /** `waitsFor` as cards written by earlier versions name it: read, never written. */
  held: z.enum(['approval', 'budget']).nullable().optional(),
  previous: z
    .array(
      z.object({
        agentId: z.string(),
        state: z.enum([
          'pending',
          'seen',
          'active',
          'awaiting',
          'done',
          'cancelled',
          'failed',
          'stale',
        ]),
        reason: z.string(),
        at: z.string(),
      })
    )
    .optional(),
})

/** Where the first `</code>` or `</p>` (any case) starts, or -1. */
function _firstEndTag(html: string): number {
  for (let at = html.indexOf('</'); at >= 0; at = html.indexOf('</', at + 2)) {
    const name = html.slice(at + 2, at + 7).toLowerCase()
    if (name === 'code>' || name.startsWith('p>')) return at
  }
  return -1
}

/** The base64url characters of the payload's HTML, read as text (tags, comments and entities read once, linearly). */
function _base64urlCharacters(html: string): string {
  const text = htmlToText(html)
  let out = ''
  let run = 0
  for (let i = 0; i <= text.length; i++) {
    const code = text.charCodeAt(i)
    if (isWordChar(code) || code === 0x2d) continue
    out += text.slice(run, i)
    run = i + 1
  }
  return out
}

function _encode(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function _decode(base64url: string): string {
  const base64 = base64url.replaceAll('-', '+').replaceAll('_', '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  // A loop, not Uint8Array.from(binary, mapFn): that calls a function per byte of a comment anyone can write.
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return new TextDecoder().decode(bytes)
}
