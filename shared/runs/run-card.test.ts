import { describe, expect, it } from 'vitest'
import type { EarlierRunRecord } from './record-keys.ts'
import { emptyRunRecord } from './records.ts'
import {
  formatDuration,
  isRunCard,
  parseRunCard,
  RUN_CARD_MARKER,
  renderRunCard,
} from './run-card.ts'
import type { RunRecord } from './types.ts'

const NOW = Date.parse('2026-11-22T10:00:00Z')
const full: RunRecord = {
  ...emptyRunRecord({ id: 't-1', projectId: 'p-1', ref: 'ONB-12' }),
  agentId: 'imhotep',
  state: 'done',
  startedAt: '2026-11-22T08:00:00.000Z',
  finishedAt: '2026-11-22T09:05:00.000Z',
  timeSpentSeconds: 3900,
  confidence: 0.55,
  costEstimate: 0.4,
  cost: 0.35,
  sessionId: 'openclaw-session-1234',
  dependencies: ['ONB-3'],
  deliverables: [
    {
      attachmentId: 'a-1',
      name: 'rapport <script>&.md',
      mimeType: 'text/markdown',
      sizeBytes: 120,
      url: 'https://work.example.com/api/assets/v2/x/',
      description: null,
      at: '2026-11-22T09:00:00.000Z',
    },
  ],
  lastActivityAt: '2026-11-22T09:05:00.000Z',
  summary: 'Redis <b>ok</b> & testé',
  cardCommentId: 'c-9',
}

describe('run card', () => {
  it('should render a readable card (French numbers) and parse the same record back', () => {
    const html = renderRunCard(full, { locale: 'fr', agentName: 'Imhotep', now: NOW })
    expect(html).toContain('Fiche d’exécution')
    expect(html).toContain('<strong>Temps passé</strong> : 1 h 05 min')
    expect(html).toContain('<strong>Confiance</strong> : 0,55')
    expect(html).toContain('0,35 $')
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<b>ok')
    expect(isRunCard(html)).toBe(true)
    expect(parseRunCard(html)).toEqual(full)
    const en = renderRunCard(full, { locale: 'en', agentName: null, now: NOW })
    expect(en).toContain('<strong>Confidence</strong> : 0.55')
    expect(parseRunCard(en)).toEqual(full)
  })

  it('should show a running timer and parse a minimal record', () => {
    const minimal = {
      ...emptyRunRecord({ id: 't-2', projectId: 'p-1', ref: null }),
      timerStartedAt: '2026-11-22T09:30:00.000Z',
    }
    const html = renderRunCard(minimal, { locale: 'fr', agentName: null, now: NOW })
    expect(html).toContain('chrono en cours depuis 2026-11-22 09:30 UTC')
    expect(parseRunCard(html)).toEqual(minimal)
  })

  it('should survive what Plane’s sanitiser does to it: attributes and comments stripped, entities, wrapped lines', () => {
    const html = renderRunCard(full, { locale: 'fr', agentName: 'Imhotep', now: NOW })
    const cleaned = html
      .replace(
        /<a [^>]*href="([^"]*)"[^>]*>/g,
        '<a href="$1" rel="noopener noreferrer" target="_blank">'
      )
      .replace('<code>', '<p><code class="x">')
    expect(parseRunCard(`<!-- x -->${cleaned}`)).toEqual(full)
    const [head, payload = ''] = html.split(`${RUN_CARD_MARKER} `)
    const broken = `${head}${RUN_CARD_MARKER} ${payload.slice(0, 20)}<br>\n${payload.slice(20)}`
    expect(parseRunCard(broken)).toEqual(full)
  })

  it('should read a card an earlier version wrote, whose `waitsFor` was named `held`, and write it back as `waitsFor`', () => {
    const earlier: EarlierRunRecord = { ...full, state: 'pending', held: 'budget' }
    const html = renderRunCard(earlier, { locale: 'fr', agentName: null, now: NOW })
    const read = parseRunCard(html)
    expect(read).toEqual({ ...full, state: 'pending', waitsFor: 'budget' })
    expect(read).not.toHaveProperty('held')
    const again = renderRunCard(read as RunRecord, { locale: 'fr', agentName: null, now: NOW })
    expect(parseRunCard(again)).toEqual(read)
    expect(again).toBe(
      renderRunCard(
        { ...full, state: 'pending', waitsFor: 'budget' },
        { locale: 'fr', agentName: null, now: NOW }
      )
    )
  })

  it('should answer null for anything that is not a valid card, never throw', () => {
    for (const html of [
      '',
      '<p>un commentaire</p>',
      `<p><code>${RUN_CARD_MARKER} !!!</code></p>`,
      `<p><code>${RUN_CARD_MARKER} ${btoa('{"v":2}')}</code></p>`,
      `<p><code>${RUN_CARD_MARKER} ${btoa('{"v":1,"taskId":"x"}')}</code></p>`,
    ])
      expect(parseRunCard(html)).toBeNull()
  })

  it('should format durations in minutes and hours', () => {
    expect([0, 29, 90, 3600, 3900].map(formatDuration)).toEqual([
      '0 min',
      '0 min',
      '2 min',
      '1 h 00 min',
      '1 h 05 min',
    ])
  })
})
