/**
 * @module Signed Plane webhook deliveries for the webhook bench: v1 `issue` `updated` bodies as Plane CE sends them
 * (plane-api.md §7.3: Python `json.dumps` bytes, `X-Plane-Signature` = hex HMAC-SHA256), about 2 KB each, all built
 * and signed before any timing starts.
 */
import { pyDumps } from '../sim/plane/py-json.ts'
import { makeIssueWebhook, makeUuid } from '../test/fixtures/plane.ts'
import { deliveryHeaders } from './ingest-requests.mjs'

/** One POST as Plane's worker makes it: the exact body bytes (ASCII) and the headers that go with them. */
export type Delivery = { body: string; headers: Readonly<Record<string, string>> }

export type DeliveryOptions = {
  /** How many distinct deliveries. */
  count: number
  secret: string
  /**
   * Distinct work items the deliveries rotate over. A bounded set, as in a real workspace: each item's pending
   * change and snapshot are rewritten in place instead of one new key per delivery.
   */
  issues: number
  /** First work item number: two sets with different firsts never share a body. */
  firstIssue?: number
  /**
   * `X-Forwarded-For` values rotated over. plane-bridge counts its rate limit per source and caps the setting at
   * 100,000 a minute; spreading over a few sources keeps a fast machine under it, at one counter write per request.
   */
  sources?: number
  /** Exact length of every body, in bytes; BODY_BYTES unless set. */
  bodyBytes?: number
}

/** The body size Plane sends for an issue with a paragraph or two of description. */
export const BODY_BYTES = 2048

// Plane's updated_at has whole seconds and a Z; one second per delivery keeps every issue's history in order.
const FIRST_UPDATE_MS = Date.parse('2026-03-02T09:30:00Z')
const PARAGRAPH_TEXT =
  'Draft the onboarding guide for new agents: accounts, access to the Plane workspace, the Telegram ' +
  'channel, the review checklist and who to ask when a task is blocked. '
const PARAGRAPH = `<p>${PARAGRAPH_TEXT}</p>`

/**
 * Deliveries whose bodies are all different (so plane-bridge's sha256 dedupe never short-circuits) and all the
 * same length: delivery i updates work item i mod `issues`, one second later than delivery i-1, flipping its
 * priority, as a Plane edit does.
 * @example const [first] = await buildIssueDeliveries({ count: 1, secret: 'plane_wh_…', issues: 1 })
 */
export async function buildIssueDeliveries({
  count,
  secret,
  issues,
  firstIssue = 0,
  sources = 16,
  bodyBytes = BODY_BYTES,
}: DeliveryOptions): Promise<Delivery[]> {
  const padding = _paddingFor(firstIssue, bodyBytes)
  return Array.from({ length: count }, (_, index) =>
    _delivery(index, { secret, issues, firstIssue, sources, padding })
  )
}

/**
 * Bodies for a process that cannot run this TypeScript (the ingest bench's autocannon child): delivery `i` of
 * `buildIssueDeliveries` is `templates[(i % issues) + issues * (floor(i / issues) % 2)]` with `placeholder`
 * replaced by `updatedAtFor(i)`; same length, same bytes, signed by the taker.
 */
export type IssueBodyTemplates = {
  templates: string[]
  issues: number
  /** Stands where `updated_at` goes: as long as `2026-03-02T09:30:00Z`, found once per body. */
  placeholder: string
  /** `updated_at` of delivery i is this plus (firstIssue + i) seconds, written without milliseconds. */
  firstUpdateMs: number
  firstIssue: number
}

export const UPDATED_AT_PLACEHOLDER = '@@@@@UPDATED_AT@@@@@'

export function buildIssueBodyTemplates({
  issues,
  firstIssue = 0,
  bodyBytes = BODY_BYTES,
}: Pick<DeliveryOptions, 'issues' | 'firstIssue' | 'bodyBytes'>): IssueBodyTemplates {
  const shape = { issues, firstIssue, padding: _paddingFor(firstIssue, bodyBytes) }
  // Index i and i + issues cover both priority phases of every work item.
  const templates = Array.from({ length: 2 * issues }, (_, i) =>
    _body(i, shape, UPDATED_AT_PLACEHOLDER)
  )
  const placeholder = UPDATED_AT_PLACEHOLDER
  return { templates, issues, placeholder, firstUpdateMs: FIRST_UPDATE_MS, firstIssue }
}

// --- Internal helpers ---

type Shape = {
  secret: string
  issues: number
  firstIssue: number
  sources: number
  padding: string
}

function _delivery(index: number, shape: Shape): Delivery {
  const body = _body(index, shape)
  return {
    body,
    headers: deliveryHeaders(body, { secret: shape.secret, index, sources: shape.sources }),
  }
}

function _body(
  index: number,
  { issues, firstIssue, padding }: Pick<Shape, 'issues' | 'firstIssue' | 'padding'>,
  updatedAtText?: string
): string {
  const issue = firstIssue + (index % issues)
  // Every pass over the work items flips their priority (two values of one length): each delivery is a change.
  const [before, after] =
    Math.floor(index / issues) % 2 === 0 ? ['medium', 'urgent'] : ['urgent', 'medium']
  // The offset keeps sets with different `firstIssue` on different timestamps too.
  const updatedAt = new Date(FIRST_UPDATE_MS + (firstIssue + index) * 1000).toISOString()
  return pyDumps(
    makeIssueWebhook({
      action: 'updated',
      data: {
        // Fixed-width numbers: every body has the same length, so the padding computed once fits all.
        id: makeUuid(0x100000 + issue),
        sequence_id: 10_000 + (issue % 90_000),
        priority: after,
        updated_at: updatedAtText ?? updatedAt.replace(/\.\d{3}Z$/, 'Z'),
        description_html: padding,
        description_stripped: 'Draft the onboarding guide for new agents.',
      },
      activity: { field: 'priority', old_value: before, new_value: after },
    })
  )
}

/** Description HTML that brings a body to exactly `bodyBytes`: whole paragraphs, then a shorter last one. */
function _paddingFor(firstIssue: number, bodyBytes: number): string {
  // pyDumps escapes everything outside ASCII, so a body's string length is its byte length.
  const bare = _body(0, { issues: 1, firstIssue, padding: '' }).length
  const room = bodyBytes - bare
  const last = room - '<p></p>'.length
  if (last < 0) throw new Error(`an issue body is already ${bare} bytes, over ${bodyBytes}`)
  const paragraphs = PARAGRAPH.repeat(Math.floor(last / PARAGRAPH.length))
  const words = PARAGRAPH_TEXT.repeat(2).slice(0, last - paragraphs.length)
  return `${paragraphs}<p>${words}</p>`
}
